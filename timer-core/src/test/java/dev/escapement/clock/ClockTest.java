package dev.escapement.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClockTest {

    @Test
    void manualClockMovesOnlyForward() {
        ManualClock clock = new ManualClock(Long.MAX_VALUE - 5);
        clock.advance(10, TimeUnit.NANOSECONDS);
        // It wraps, as System.nanoTime() may; comparisons by subtraction stay correct.
        assertThat(clock.nanoTime()).isEqualTo(Long.MIN_VALUE + 4);
        assertThat(clock.advance(Duration.ofNanos(1))).isEqualTo(Long.MIN_VALUE + 5);
        assertThatThrownBy(() -> clock.advance(-1, TimeUnit.NANOSECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("amount must not be negative, a monotonic clock cannot move backwards: -1 NANOSECONDS");
        assertThatThrownBy(() -> clock.setNanoTime(Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("newNs must not be before the current reading of " + (Long.MIN_VALUE + 5)
                        + " ns, a monotonic clock cannot move backwards: " + Long.MIN_VALUE + " ns");
        clock.setNanoTime(Long.MIN_VALUE + 100);
        assertThat(clock.nanoTime()).isEqualTo(Long.MIN_VALUE + 100);
    }

    @Test
    void cachedClockReturnsTheLastRefreshUntilRefreshedAgain() {
        ManualClock source = new ManualClock(1_000);
        CachedClock cached = new CachedClock(source);
        source.advance(500, TimeUnit.NANOSECONDS);
        assertThat(cached.nanoTime()).isEqualTo(1_000);
        assertThat(cached.refresh()).isEqualTo(1_500);
        assertThat(cached.nanoTime()).isEqualTo(1_500);
    }

    @Test
    void cachedClockNeverGoesBackwardsWhenAnOlderReadingArrivesLate() {
        ManualClock source = new ManualClock(1_000);
        CachedClock cached = new CachedClock(source);
        cached.update(2_000);
        assertThat(cached.update(1_500)).isEqualTo(2_000);
        assertThat(cached.nanoTime()).isEqualTo(2_000);
    }

    @Test
    void systemClockIsMonotonic() {
        NanoClock clock = NanoClock.system();
        long first = clock.nanoTime();
        assertThat(clock.nanoTime() - first).isGreaterThanOrEqualTo(0);
        assertThat(clock).hasToString("SystemNanoClock");
    }
}
