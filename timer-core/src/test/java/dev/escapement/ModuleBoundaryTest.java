package dev.escapement;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the module exports: the API packages, the engine only to the Netty adapter, the wheel to no
 * one. The tests run on the module path (patched into the module), so the module must be named: a
 * run from the class path fails here rather than passing without checking anything.
 */
class ModuleBoundaryTest {

    private static final Module CORE = GlobalTimer.class.getModule();

    @Test
    void theCoreIsANamedModule() {
        assertThat(CORE.isNamed()).as("timer-core runs as a named module").isTrue();
        assertThat(CORE.getName()).isEqualTo("dev.escapement.core");
        assertThat(CORE.getDescriptor().isOpen()).isFalse();
    }

    @Test
    void onlyTheApiPackagesAreExportedToEveryone() {
        assertThat(CORE.isExported("dev.escapement")).isTrue();
        assertThat(CORE.isExported("dev.escapement.clock")).isTrue();
        assertThat(CORE.isExported("dev.escapement.connection")).isTrue();
        assertThat(CORE.isExported("dev.escapement.unified")).isTrue();

        assertThat(CORE.getPackages()).contains("dev.escapement.engine", "dev.escapement.wheel", "dev.escapement.example");
        assertThat(CORE.isExported("dev.escapement.engine")).isFalse();
        assertThat(CORE.isExported("dev.escapement.wheel")).isFalse();
        assertThat(CORE.isExported("dev.escapement.example")).isFalse();
    }

    @Test
    void theDescriptorExportsTheEngineToTheNettyAdapterAloneAndTheWheelToNoOne() {
        Map<String, Exports> exports = CORE.getDescriptor().exports().stream()
                .collect(Collectors.toMap(Exports::source, Function.identity()));

        assertThat(exports).containsOnlyKeys("dev.escapement", "dev.escapement.clock", "dev.escapement.connection",
                "dev.escapement.unified", "dev.escapement.engine");
        assertThat(exports.get("dev.escapement.engine").targets()).containsExactly("dev.escapement.netty");
        assertThat(exports.values()).filteredOn(e -> !e.source().equals("dev.escapement.engine"))
                .allSatisfy(e -> assertThat(e.isQualified()).as(e.source()).isFalse());
        assertThat(CORE.getDescriptor().opens()).isEmpty();
    }

    @Test
    void noDependencyIsPassedOnToUsers() {
        // No type of JCTools, HdrHistogram, JFR or JMX appears in the exported API.
        Set<Requires> requires = CORE.getDescriptor().requires();
        assertThat(requires).extracting(Requires::name)
                .containsExactlyInAnyOrder("java.base", "org.jctools.core", "HdrHistogram", "jdk.jfr", "java.management");
        assertThat(requires).allSatisfy(r -> assertThat(r.modifiers())
                .as(r.name()).doesNotContain(Requires.Modifier.TRANSITIVE, Requires.Modifier.STATIC));
    }
}
