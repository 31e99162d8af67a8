package dev.escapement.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import io.netty.channel.Channel;
import io.netty.util.Timer;
import java.lang.module.ModuleDescriptor.Requires;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The adapter's module boundary: it exports its one package, and it is the only module the core
 * gives its engine to (its timeouts are engine entries). The tests run on the module path, patched
 * into the module, so the module must be named: a run from the class path fails here.
 */
class ModuleBoundaryTest {

    private static final Module ADAPTER = EscapementTimer.class.getModule();
    private static final Module CORE = GlobalTimer.class.getModule();

    @Test
    void theAdapterIsANamedModuleOverNettysModules() {
        assertThat(ADAPTER.isNamed()).as("timer-netty runs as a named module").isTrue();
        assertThat(ADAPTER.getName()).isEqualTo("dev.escapement.netty");
        assertThat(CORE.getName()).isEqualTo("dev.escapement.core");
        assertThat(Timer.class.getModule().getName()).isEqualTo("io.netty.common");
        assertThat(Channel.class.getModule().getName()).isEqualTo("io.netty.transport");
    }

    @Test
    void theAdapterExportsItsPackageAndNothingElse() {
        assertThat(ADAPTER.getDescriptor().isOpen()).isFalse();
        assertThat(ADAPTER.getDescriptor().opens()).isEmpty();
        assertThat(ADAPTER.getDescriptor().exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("dev.escapement.netty");
            assertThat(e.isQualified()).isFalse();
        });
    }

    @Test
    void theCoreExportsItsEngineToTheAdapterAloneAndItsWheelToNoOne() {
        assertThat(CORE.isExported("dev.escapement.engine", ADAPTER)).isTrue();
        assertThat(CORE.isExported("dev.escapement.engine")).isFalse();
        assertThat(CORE.isExported("dev.escapement.engine", Channel.class.getModule())).isFalse();
        assertThat(CORE.isExported("dev.escapement.engine", Assertions.class.getModule()))
                .as("not to the class path either").isFalse();

        assertThat(CORE.isExported("dev.escapement.wheel", ADAPTER)).isFalse();
        assertThat(CORE.isExported("dev.escapement.wheel", Assertions.class.getModule())).isFalse();
    }

    @Test
    void readingTheAdapterReadsTheModulesOfItsApi() {
        // A user's "requires dev.escapement.netty" is enough to use GlobalTimer, Timer, the handlers'
        // supertypes and IdleStateEvent.
        assertThat(ADAPTER.getDescriptor().requires())
                .filteredOn(r -> r.modifiers().contains(Requires.Modifier.TRANSITIVE))
                .extracting(Requires::name)
                .containsExactlyInAnyOrder("dev.escapement.core", "io.netty.common", "io.netty.transport",
                        "io.netty.handler");
    }
}
