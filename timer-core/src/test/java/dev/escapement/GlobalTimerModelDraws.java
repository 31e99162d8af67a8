package dev.escapement;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.escapement.GlobalTimerModelHarness.Delay;
import dev.escapement.GlobalTimerReferenceModel.Timer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The random inputs of a {@link GlobalTimerModelTest} run: delays over the whole {@code long}
 * range with the edges weighted up (equal deadlines on purpose, tiny, zero, tick boundaries,
 * hours, years, the end of time, the distant past), in any unit, as {@link Duration}s or absolute
 * readings; unknown ids; and clock steps from nothing to years.
 *
 * <p>Not thread-safe: confined to the test thread.
 */
final class GlobalTimerModelDraws {

    /** How far the clock may run before the end: far deadlines stay in the future. */
    static final long BUDGET_NS = 1L << 62;
    private static final TimeUnit[] UNITS = {MICROSECONDS, MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS};

    private final GlobalTimerModelHarness h;
    private final SplittableRandom random;
    private final long tickNs;
    private final long[] hotDeadlines = new long[8];

    GlobalTimerModelDraws(GlobalTimerModelHarness harness) {
        this.h = harness;
        this.random = harness.random;
        this.tickNs = harness.run.tickNs();
    }

    Delay delay() {
        long ns = delayNs();
        if (random.nextInt(10) == 0) {
            TimeUnit unit = UNITS[random.nextInt(UNITS.length)];
            // Either the same delay in a coarser unit, or any amount (toNanos saturates).
            long amount = random.nextBoolean() ? ns / unit.toNanos(1) : random.nextLong() >> random.nextInt(64);
            return new Delay(amount, unit);
        }
        return new Delay(ns, NANOSECONDS);
    }

    long delayNs() {
        long nowNs = h.engineNowNs();
        return switch (random.nextInt(20)) {
            case 0, 1, 2, 3 -> hotDeadline() - nowNs;
            case 4, 5 -> random.nextLong(-2_000, 2_001);
            case 6 -> 0;
            case 7, 8, 9 -> random.nextLong(MILLISECONDS.toNanos(200));
            case 10 -> (nowNs / tickNs + random.nextInt(130)) * tickNs + random.nextInt(-1, 2) - nowNs;
            case 11 -> random.nextLong(SECONDS.toNanos(1), HOURS.toNanos(6));
            case 12 -> random.nextLong(DAYS.toNanos(1), 1L << 58);
            case 13 -> random.nextLong(1L << 58, Long.MAX_VALUE);
            case 14 -> Long.MAX_VALUE - random.nextLong(1_000);
            case 15 -> Long.MAX_VALUE - nowNs - random.nextLong(3);
            case 16 -> Long.MIN_VALUE + random.nextLong(1_000);
            case 17 -> -random.nextLong(1, Long.MAX_VALUE);
            default -> random.nextLong();
        };
    }

    /** A postpone's delay: anything, or to the timer's own deadline, a crowded one, a little earlier or later. */
    Delay postponeDelay(Timer t, long nowNs) {
        return switch (random.nextInt(8)) {
            case 0 -> new Delay(t.deadlineNs - nowNs, NANOSECONDS);
            case 1, 2 -> new Delay(hotDeadline() - nowNs, NANOSECONDS);
            case 3 -> new Delay(t.deadlineNs - nowNs - random.nextLong(1, 2 * tickNs), NANOSECONDS);
            case 4 -> new Delay(t.deadlineNs - nowNs + random.nextLong(1, 2 * tickNs), NANOSECONDS);
            default -> delay();
        };
    }

    Duration duration() {
        return switch (random.nextInt(4)) {
            case 0 -> Duration.ofSeconds(random.nextLong(), random.nextInt(1_000_000_000));
            case 1 -> Duration.ofDays(random.nextLong(-200_000, 200_000));
            default -> Duration.ofNanos(delayNs());
        };
    }

    /** A clock reading for an absolute deadline: near now, or anywhere (the difference wraps). */
    long absoluteNs(long nowNs) {
        return random.nextInt(4) == 0 ? random.nextLong() : h.originNs + nowNs + delayNs();
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** A deadline other timers have or had, or the next few tick starts: crowded slots on purpose. */
    long hotDeadline() {
        int r = random.nextInt(3);
        if (r == 0 && !h.model.pending.isEmpty()) {
            return h.model.pending.get(random.nextInt(h.model.pending.size())).deadlineNs;
        }
        if (r == 1) {
            return (h.model.passNowNs() / tickNs + random.nextInt(4)) * tickNs;
        }
        return hotDeadlines[random.nextInt(hotDeadlines.length)];
    }

    void rememberHot(long deadlineNs) {
        if (random.nextInt(4) == 0) {
            hotDeadlines[random.nextInt(hotDeadlines.length)] = deadlineNs;
        }
    }

    /** A positive id no timer of this run gets: a generation the pool never reaches, or generation 0. */
    long unknownId() {
        long generation = 0x4000_0000L + random.nextInt(1 << 20);
        return random.nextInt(4) == 0 ? random.nextInt(1, 1 << 16) : generation << 32 | random.nextInt(1 << 16);
    }

    /** A clock step: to a pending deadline or 1 ns before it, sub-tick, milliseconds, hours, days (a stall), years. */
    long stepNs() {
        long stepNs;
        int r = random.nextInt(100);
        if (r < 10) {
            stepNs = toADeadline();
        } else if (r < 46) {
            stepNs = random.nextLong(2 * tickNs);
        } else if (r < 78) {
            stepNs = random.nextLong(MILLISECONDS.toNanos(50));
        } else if (r < 93) {
            stepNs = random.nextLong(SECONDS.toNanos(1), HOURS.toNanos(3));
        } else if (r < 99) {
            stepNs = random.nextLong(1L << 40, 1L << 52);
        } else {
            stepNs = random.nextLong(1L << 52, 1L << 58);
        }
        return Math.max(0, Math.min(stepNs, BUDGET_NS - (h.readingNs - h.originNs)));
    }

    private long toADeadline() {
        if (h.model.pending.isEmpty()) {
            return 0;
        }
        Timer t = h.model.pending.get(random.nextInt(h.model.pending.size()));
        long targetNs = t.deadlineNs - random.nextInt(2);
        return targetNs > h.engineNowNs() ? targetNs - (h.readingNs - h.originNs) : 0;
    }
}
