package dev.escapement;

/**
 * Receives expiries of timers scheduled on the primitive, id-based path
 * ({@link GlobalTimer#scheduleTimer}), which allocates nothing per timer.
 *
 * <p>Always called on the timer thread, inline: keep it short and non-blocking, for example hand
 * the id to an inbox that another thread drains. One handler object usually serves many timers
 * and tells them apart by id. An exception it throws is logged and counted and affects nothing
 * else.
 */
@FunctionalInterface
public interface TimerExpiryHandler {

    /**
     * A timer reached its deadline. Exactly one of this call and a successful
     * {@link GlobalTimer#cancelTimer cancelTimer} happens per timer.
     *
     * @param timerId the id {@code scheduleTimer} returned
     * @param nowNs   the timer thread's clock reading for this pass
     */
    void onTimerExpiry(long timerId, long nowNs);
}
