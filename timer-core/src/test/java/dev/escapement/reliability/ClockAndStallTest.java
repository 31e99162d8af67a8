package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.clock.NanoClock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Guarantee 2 on a manual clock: stalls from seconds to days, clock starts anywhere. */
class ClockAndStallTest {

    @ParameterizedTest(name = "stall of {0} ms from clock {1}")
    @CsvSource({
            "1000, 0",
            "60000, -9000000000000000000",
            "3600000, 9223372036854775000",
            "86400000, 123456789",
            "2592000000, -1"
    })
    void afterAStallEveryDueTimerFiresInDeadlineOrderNoneSkipped(long stallMs, long clockStartNs) {
        ManualClock clock = new ManualClock(clockStartNs);
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        SplittableRandom random = new SplittableRandom(stallMs);
        List<Long> deadlines = new ArrayList<>();
        List<Long> firedAt = new ArrayList<>();
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            long delayMs = random.nextLong(0, stallMs + 1);
            timer.schedule(h -> {
                deadlines.add(h.deadlineNs());
                firedAt.add(clock.nanoTime());
            }, delayMs, MILLISECONDS);
        }
        timer.schedule(h -> deadlines.add(Long.MIN_VALUE), stallMs + 10_000, MILLISECONDS);
        timer.doWork();
        clock.advance(stallMs, MILLISECONDS);
        while (timer.doWork() > 0) {
            // bounded passes catch up
        }
        assertThat(deadlines).hasSize(count);
        for (int i = 1; i < count; i++) {
            assertThat(deadlines.get(i) - deadlines.get(i - 1)).as("deadline order").isGreaterThanOrEqualTo(0);
        }
        for (int i = 0; i < count; i++) {
            assertThat(firedAt.get(i) - deadlines.get(i)).as("never early").isGreaterThanOrEqualTo(0);
        }
        assertThat(timer.stats().pending()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 1_000})
    void aClockThatReadsBackwardsNeverMovesTheWheelBackNorFiresEarly(long jitterMs) {
        // A faulty source that sometimes reads up to jitterMs earlier than before.
        AtomicLong trueNow = new AtomicLong(1_000_000_000L);
        SplittableRandom random = new SplittableRandom(jitterMs);
        NanoClock wobbly = () -> trueNow.get() - (random.nextBoolean() ? random.nextLong(0, jitterMs * 1_000_000) : 0);
        GlobalTimer timer = GlobalTimer.builder().clock(wobbly).drivenByCaller().build();
        List<Long> deadlines = new ArrayList<>();
        List<Long> firedAtTrueNs = new ArrayList<>();
        for (int i = 200; i >= 1; i--) {
            timer.scheduleAt(h -> {
                deadlines.add(h.deadlineNs());
                firedAtTrueNs.add(trueNow.get());
            }, trueNow.get() + MILLISECONDS.toNanos(i));
        }
        for (int step = 0; step < 200 + 2 * (int) jitterMs + 10; step++) {
            trueNow.addAndGet(1_000_000);
            timer.doWork();
        }
        assertThat(deadlines).hasSize(200).isSorted();
        for (int i = 0; i < 200; i++) {
            assertThat(firedAtTrueNs.get(i) - deadlines.get(i)).as("never early").isGreaterThanOrEqualTo(0);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE - 5_000_000_000L, Long.MIN_VALUE, -1, 0})
    void theClockMayWrapAroundWhileTimersArePending(long startNs) {
        ManualClock clock = new ManualClock(startNs);
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<Long> fired = new ArrayList<>();
        for (long s = 1; s <= 10; s++) {
            long seconds = s;
            timer.schedule(h -> fired.add(seconds), s * 1_000, MILLISECONDS);
        }
        for (int step = 0; step < 11; step++) {
            clock.advance(1_000, MILLISECONDS);
            timer.doWork();
        }
        assertThat(fired).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 30, 365})
    void timersDaysAwayFireAfterTheJumpNotBefore(long days) {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<Long> fired = new ArrayList<>();
        timer.schedule(h -> fired.add(clock.nanoTime()), days, DAYS);
        clock.advance(DAYS.toNanos(days) - 1, NANOSECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        clock.advance(1, NANOSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly(DAYS.toNanos(days));
        assertThat(timer.stats().cascades()).isPositive();
    }
}
