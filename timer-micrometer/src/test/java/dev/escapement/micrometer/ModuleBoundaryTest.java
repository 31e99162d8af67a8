package dev.escapement.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import org.junit.jupiter.api.Test;

/**
 * The metrics module's boundary: it exports its one package and gets nothing of the core's
 * internals. The tests run on the module path, patched into the module, so the module must be
 * named: a run from the class path fails here.
 */
class ModuleBoundaryTest {

    private static final Module METRICS = GlobalTimerMetrics.class.getModule();
    private static final Module CORE = GlobalTimer.class.getModule();

    @Test
    void theMetricsAreANamedModule() {
        assertThat(METRICS.isNamed()).as("timer-micrometer runs as a named module").isTrue();
        assertThat(METRICS.getName()).isEqualTo("dev.escapement.micrometer");
        assertThat(MeterBinder.class.getModule().getName()).isEqualTo("micrometer.core");
    }

    @Test
    void theMetricsExportTheirPackageAndSeeNoneOfTheCoresInternals() {
        assertThat(METRICS.getDescriptor().opens()).isEmpty();
        assertThat(METRICS.getDescriptor().exports()).extracting(Exports::source)
                .containsExactly("dev.escapement.micrometer");
        assertThat(METRICS.getDescriptor().exports()).noneMatch(Exports::isQualified);

        assertThat(CORE.isExported("dev.escapement", METRICS)).isTrue();
        assertThat(CORE.isExported("dev.escapement.engine", METRICS)).isFalse();
        assertThat(CORE.isExported("dev.escapement.wheel", METRICS)).isFalse();
    }

    @Test
    void readingTheMetricsReadsTheCoreAndMicrometer() {
        // GlobalTimer, MeterBinder, MeterRegistry and Tag appear in GlobalTimerMetrics' API.
        assertThat(METRICS.getDescriptor().requires())
                .filteredOn(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE))
                .extracting(Requires::name)
                .containsExactlyInAnyOrder("dev.escapement.core", "micrometer.core");
    }
}
