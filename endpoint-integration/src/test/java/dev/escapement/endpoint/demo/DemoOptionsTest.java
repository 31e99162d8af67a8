package dev.escapement.endpoint.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {

    @Test
    void noFlagsGiveTheDefaults() {
        assertThat(DemoOptions.parse()).isEqualTo(DemoOptions.DEFAULTS);
        assertThat(DemoOptions.DEFAULTS.describe())
                .isEqualTo("200 connections, 25 s of traffic, 2.0 % loss each way, 5 ms delay + up to 2 ms jitter, seed 1");
    }

    @Test
    void everyFlagIsReadInEitherForm() {
        DemoOptions options = DemoOptions.parse("--connections", "500", "--duration=10", "--loss", "5%", "--delay", "0",
                "--jitter=7", "--seed", "-3", "--min-rto", "1000");
        assertThat(options).isEqualTo(new DemoOptions(500, 10, 0.05, 0, 7, -3, 1000));
        assertThat(DemoOptions.parse("--loss", "0.2").lossRate()).isEqualTo(0.2);
    }

    @Test
    void aBadFlagIsNamedWithItsValue() {
        assertThatThrownBy(() -> DemoOptions.parse("--connection", "5")).hasMessage("unknown option: --connection");
        assertThatThrownBy(() -> DemoOptions.parse("--connections")).hasMessage("--connections needs a value");
        assertThatThrownBy(() -> DemoOptions.parse("--connections", "0")).hasMessage("--connections must be between 1 and 100000: 0");
        assertThatThrownBy(() -> DemoOptions.parse("--duration", "ten")).hasMessage("--duration must be a whole number: ten");
        assertThatThrownBy(() -> DemoOptions.parse("--loss", "1.5")).hasMessage("--loss must be between 0 and 1: 1.5");
        assertThatThrownBy(() -> DemoOptions.parse("--loss", "-1%")).hasMessage("--loss must be between 0 and 1: -1%");
        assertThatThrownBy(() -> DemoOptions.parse("--loss", "lots")).hasMessage("--loss must be a rate such as 0.05 or 5%: lots");
    }
}
