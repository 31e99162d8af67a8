package dev.escapement;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timer thread takes commands a hold (2 ms) after they were queued, so a timeout cancelled
 * soon after it was scheduled never reaches the wheel; a deadline within the hold is taken at
 * once. Driven in virtual time: a caller-driven timer told to hold commands as a threaded one
 * does.
 */
class CommandHoldTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final List<String> fired = new ArrayList<>();

    CommandHoldTest() {
        timer.holdCommands(true);
        timer.doWork();
    }

    private void at(long micros) {
        clock.setNanoTime(MICROSECONDS.toNanos(micros));
        timer.doWork();
    }

    @Test
    void aTimeoutCancelledWithinTheHoldNeverReachesTheWheel() {
        for (int i = 0; i < 1_000; i++) {
            timer.schedule(h -> fired.add("never"), 1, HOURS).cancel();
        }
        at(1_000);
        assertThat(timer.stats().commandsDrained()).as("held back").isZero();
        // Queued by 1 ms at the latest (the pass at 1 ms saw them): taken from 3 ms on.
        at(2_900);
        assertThat(timer.stats().commandsDrained()).as("still held").isZero();
        at(3_000);
        TimerStats stats = timer.stats();
        assertThat(stats.commandsDrained()).as("one command per timer: no unlink").isEqualTo(1_000);
        assertThat(stats.scheduled()).isEqualTo(1_000);
        assertThat(stats.cancelled()).isEqualTo(1_000);
        assertThat(stats.pending()).isZero();
        assertThat(stats.cascadesPerLevel()).containsOnly(0L);
        assertThat(fired).isEmpty();
    }

    @Test
    void aTimeoutCancelledAfterTheHoldCostsAnUnlinkOnTheNextPass() {
        TimerHandle handle = timer.schedule(h -> fired.add("never"), 1, HOURS);
        at(1_000);
        at(3_000);
        assertThat(timer.stats().pending()).isEqualTo(1);
        handle.cancel();
        at(5_000);
        assertThat(timer.stats().pending()).as("the unlink is held too").isEqualTo(1);
        // Queued by 5 ms at the latest (the first pass after it): taken from 7 ms on.
        at(7_000);
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stats().commandsDrained()).as("the schedule, then the unlink").isEqualTo(2);
    }

    @Test
    void aDeadlineWithinTheHoldIsTakenAtOnceAndFiresOnTime() {
        timer.schedule(h -> fired.add("far"), 1, HOURS);
        timer.schedule(h -> fired.add("near@" + clock.nanoTime() / 1_000 + "us"), 1, MILLISECONDS);
        at(1);
        assertThat(timer.stats().commandsDrained()).as("the near one flushed both").isEqualTo(2);
        at(1_000);
        assertThat(fired).containsExactly("near@1000us");
    }
}
