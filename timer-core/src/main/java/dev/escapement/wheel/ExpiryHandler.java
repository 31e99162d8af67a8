package dev.escapement.wheel;

/**
 * Receives the entries a {@link TimingWheel} expires during {@link TimingWheel#advance}.
 *
 * <p>Called on the wheel's owner thread, inside {@code advance}. The handler may schedule, cancel
 * and reschedule timers of the same wheel, including re-arming the expiring one with
 * {@link TimingWheel#reschedule}; an entry it does not re-arm is released when it returns.
 */
@FunctionalInterface
public interface ExpiryHandler {

    /**
     * One entry has reached its deadline.
     *
     * @param timerId      the entry's id; still valid during this call
     * @param deadlineTick the tick the entry was due at (at most the tick passed to {@code advance})
     * @param payload      the object stored with the entry, possibly {@code null}
     */
    void onExpiry(long timerId, long deadlineTick, Object payload);
}
