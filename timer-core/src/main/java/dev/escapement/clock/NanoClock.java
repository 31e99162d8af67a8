package dev.escapement.clock;

/**
 * A monotonic source of nanoseconds, injected wherever Escapement reads time.
 *
 * <p>Thread-safety: implementations must be safe to read from any thread. The values are only
 * meaningful relative to each other, exactly as with {@link System#nanoTime()}: compare them with
 * subtraction ({@code a - b < 0}), never with {@code <}, so that a wrap of the counter is harmless.
 *
 * <p>Production code uses {@link #system()}; tests use {@link ManualClock} so that every timer
 * runs in virtual time, without sleeping.
 */
@FunctionalInterface
public interface NanoClock {

    /**
     * Returns the current value of this clock in nanoseconds.
     *
     * @return a monotonic reading in nanoseconds
     */
    long nanoTime();

    /**
     * Returns the clock backed by {@link System#nanoTime()}.
     *
     * @return the shared system clock
     */
    static NanoClock system() {
        return SystemNanoClock.INSTANCE;
    }
}
