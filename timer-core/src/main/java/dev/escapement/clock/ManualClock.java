package dev.escapement.clock;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link NanoClock} that moves only when told to: the clock for virtual-time tests.
 *
 * <p>Thread-safety: safe from any thread. The reading is a volatile field, so a test thread may
 * advance it while a timer thread reads it. It never moves backwards: {@link #advance} rejects a
 * negative step and {@link #setNanoTime} rejects an earlier value, because a monotonic clock that
 * ran backwards would be a test bug, not a scenario.
 */
public final class ManualClock implements NanoClock {

    private volatile long nowNs;

    /** Creates a clock reading 0 ns. */
    public ManualClock() {
        this(0L);
    }

    /**
     * Creates a clock with the given reading.
     *
     * @param startNs the first reading, any value (including near {@link Long#MAX_VALUE}, where
     *                the reading wraps as {@link System#nanoTime()} may)
     */
    public ManualClock(long startNs) {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime() {
        return nowNs;
    }

    /**
     * Moves the clock forward.
     *
     * @param amount how far, in {@code unit}; zero is allowed
     * @param unit   the unit of {@code amount}
     * @return the new reading
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public synchronized long advance(long amount, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (amount < 0) {
            throw new IllegalArgumentException("a monotonic clock cannot move backwards: " + amount + " " + unit);
        }
        long next = nowNs + unit.toNanos(amount);
        nowNs = next;
        return next;
    }

    /**
     * Moves the clock forward.
     *
     * @param step how far; zero is allowed
     * @return the new reading
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public long advance(Duration step) {
        Objects.requireNonNull(step, "step");
        return advance(step.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Sets the reading; the new value must not be earlier than the current one.
     *
     * @param newNs the new reading
     * @throws IllegalArgumentException if {@code newNs} is earlier than the current reading
     */
    public synchronized void setNanoTime(long newNs) {
        if (newNs - nowNs < 0) {
            throw new IllegalArgumentException(
                    "a monotonic clock cannot move backwards: from " + nowNs + " ns to " + newNs + " ns");
        }
        nowNs = newNs;
    }

    @Override
    public String toString() {
        return "ManualClock[" + nowNs + " ns]";
    }
}
