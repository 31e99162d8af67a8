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
     * @param amount how far, in {@code unit}; zero is allowed, and more than {@link Long#MAX_VALUE}
     *               ns moves it by {@link Long#MAX_VALUE} ns (as {@link TimeUnit#toNanos} saturates)
     * @param unit   the unit of {@code amount}
     * @return the new reading
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public long advance(long amount, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (amount < 0) {
            throw new IllegalArgumentException("amount must not be negative, a monotonic clock cannot move backwards: "
                    + amount + " " + unit);
        }
        return step(unit.toNanos(amount));
    }

    /**
     * Moves the clock forward. A step longer than {@link Long#MAX_VALUE} ns moves it by
     * {@link Long#MAX_VALUE} ns, as {@link TimeUnit#toNanos} saturates for the other overload.
     *
     * @param step how far; zero is allowed
     * @return the new reading
     * @throws IllegalArgumentException if {@code step} is negative
     */
    public long advance(Duration step) {
        Objects.requireNonNull(step, "step");
        if (step.isNegative()) {
            throw new IllegalArgumentException("step must not be negative, a monotonic clock cannot move backwards: " + step);
        }
        long stepNs;
        try {
            stepNs = step.toNanos();
        } catch (ArithmeticException tooLong) {
            stepNs = Long.MAX_VALUE;
        }
        return step(stepNs);
    }

    private synchronized long step(long stepNs) {
        long next = nowNs + stepNs;
        nowNs = next;
        return next;
    }

    /**
     * Sets the reading; the new value must not be earlier than the current one.
     *
     * @param newNs the new reading
     * @throws IllegalArgumentException if {@code newNs} is earlier than the current reading
     */
    public synchronized void setNanoTime(long newNs) {
        if (newNs - nowNs < 0) {
            throw new IllegalArgumentException("newNs must not be before the current reading of " + nowNs
                    + " ns, a monotonic clock cannot move backwards: " + newNs + " ns");
        }
        nowNs = newNs;
    }

    @Override
    public String toString() {
        return "ManualClock[" + nowNs + " ns]";
    }
}
