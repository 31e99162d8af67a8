package dev.escapement;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** scheduleWithin: never before earliest, never after latest plus one tick, and no cascades. */
class DeadlineWindowTest {

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void windowTimersFireInsideTheirWindowNeverEarlyNeverLate(long seed) {
        ManualClock clock = new ManualClock(seed * 1_000_003);
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        SplittableRandom random = new SplittableRandom(seed);
        int count = 3_000;
        long[] earliest = new long[count];
        long[] latest = new long[count];
        long[] firedAt = new long[count];
        for (int i = 0; i < count; i++) {
            long earliestMs = random.nextLong(0, 120_000);
            long widthMs = random.nextInt(3) == 0 ? random.nextLong(0, 50) : random.nextLong(0, 30_000);
            long nowNs = clock.nanoTime();
            earliest[i] = nowNs + MILLISECONDS.toNanos(earliestMs);
            latest[i] = nowNs + MILLISECONDS.toNanos(earliestMs + widthMs);
            int index = i;
            timer.scheduleWithin(h -> firedAt[index] = clock.nanoTime(), earliestMs, earliestMs + widthMs, MILLISECONDS);
            if (random.nextInt(10) == 0) {
                // Time passes, with a pass every tick as on a busy timer thread.
                for (long ms = random.nextLong(0, 50); ms > 0; ms--) {
                    clock.advance(1, MILLISECONDS);
                    timer.doWork();
                }
            }
        }
        for (int step = 0; step < 160_000; step++) {
            clock.advance(1, MILLISECONDS);
            timer.doWork();
        }
        for (int i = 0; i < count; i++) {
            assertThat(firedAt[i]).as("timer %d fired", i).isNotZero();
            assertThat(firedAt[i] - earliest[i]).as("timer %d never early", i).isGreaterThanOrEqualTo(0);
            assertThat(firedAt[i] - latest[i]).as("timer %d never later than latest + 1 tick", i)
                    .isLessThanOrEqualTo(timer.tickNs());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void windowsAsWideAsTheirSlotSpanNeverCascade(long seed) {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        SplittableRandom random = new SplittableRandom(seed);
        int fired[] = new int[1];
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            long nowTick = clock.nanoTime() / timer.tickNs();
            long earliestMs = random.nextLong(1, 300_000);
            // The slot span at the level the earliest tick falls in, seen from now.
            int level = (63 - Long.numberOfLeadingZeros(nowTick ^ (nowTick + earliestMs) | 63)) / 6;
            long spanMs = 1L << (6 * level);
            long widthMs = spanMs + random.nextLong(0, spanMs);
            timer.scheduleWithin(h -> fired[0]++, earliestMs, earliestMs + widthMs, MILLISECONDS);
            if (random.nextInt(10) == 0) {
                clock.advance(random.nextLong(0, 500), MILLISECONDS);
                timer.doWork();
            }
        }
        for (int step = 0; step < 1_000; step++) {
            clock.advance(1, SECONDS);
            timer.doWork();
        }
        assertThat(fired[0]).isEqualTo(count);
        assertThat(timer.stats().cascades()).as("window timers never cascade").isZero();
    }

    @Test
    void ordinaryTimersWithTheSameDelaysDoCascade() {
        // The contrast that shows the windows above at work.
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        SplittableRandom random = new SplittableRandom(21);
        for (int i = 0; i < 2_000; i++) {
            timer.schedule(h -> { }, random.nextLong(1, 300_000), MILLISECONDS);
        }
        for (int step = 0; step < 400; step++) {
            clock.advance(1, SECONDS);
            timer.doWork();
        }
        assertThat(timer.stats().cascades()).isPositive();
    }

    @Test
    void similarWindowsShareOneDeadline() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            // Idle timeouts of 30 s that may fire up to 5 s late, scheduled over 300 ms.
            handles.add(timer.scheduleWithin(h -> { }, 30_000, 35_000, MILLISECONDS));
            if (i % 10 == 0) {
                clock.advance(3, MILLISECONDS);
                timer.doWork();
            }
        }
        timer.doWork();
        Set<Long> deadlines = new HashSet<>();
        handles.forEach(h -> deadlines.add(h.deadlineNs()));
        assertThat(deadlines).hasSize(1);
    }

    @Test
    void aWindowHoldingNoTickStartFiresAtItsEarliestMoment() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<Long> fired = new ArrayList<>();
        TimerHandle handle = timer.scheduleWithin(h -> fired.add(clock.nanoTime()), 1_500, 1_600,
                java.util.concurrent.TimeUnit.MICROSECONDS);
        assertThat(handle.deadlineNs()).isEqualTo(1_500_000L);
        clock.advance(1_499, java.util.concurrent.TimeUnit.MICROSECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        clock.advance(1, java.util.concurrent.TimeUnit.MICROSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly(1_500_000L);
    }

    @Test
    void aWindowEndingBeforeItStartsIsRejected() {
        GlobalTimer timer = GlobalTimer.builder().drivenByCaller().build();
        assertThatThrownBy(() -> timer.scheduleWithin(h -> { }, 10, 5, SECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latest must not be before earliest: 5 < 10 SECONDS");
    }
}
