package dev.escapement.unified;

/**
 * A source of timeouts: the typed timeouts of a connection (idle, connection establishment, path
 * validation), a reliability layer's retransmission timeout, or whatever a protocol adds. A
 * {@link UnifiedTimeoutScheduler} combines layers into one deadline per connection.
 *
 * <p>Not thread-safe: a layer belongs to one connection and is used on that connection's thread.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #nextDeadline()} is the earliest deadline the layer holds, or {@link #NO_DEADLINE};
 *       it is cheap (it is asked again whenever the scheduler's cache is unknown).</li>
 *   <li>After every change of its state the layer tells the observer it was
 *       {@linkplain #attach attached} to: {@code deadlineChanged(this, d)} when it set a deadline
 *       {@code d} (new, or moved earlier or later), {@code deadlineChanged(this, NO_DEADLINE)}
 *       when it removed one (cancelled, or consumed by a check). The scheduler's cache is exact
 *       only because of these calls; a layer that skips one makes it stale.</li>
 *   <li>{@link #checkTimeouts(long)} consumes every deadline at or before {@code nowNs} and none
 *       after it, and reports them in a {@link TimeoutCheckResult} that the layer owns and reuses:
 *       the result is valid until the layer's next check.</li>
 *   <li>A deadline is never {@link #NO_DEADLINE} itself: compute deadlines with
 *       {@link #deadlineAfter(long, long)}.</li>
 * </ul>
 */
public interface TimeoutLayer {

    /** "No deadline": the value {@link #nextDeadline()} returns when the layer holds none. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** @return a short name for statistics and logs, e.g. {@code "connection"} or {@code "reliability"} */
    String layerName();

    /** @return the earliest deadline this layer holds, in nanoseconds, or {@link #NO_DEADLINE} */
    long nextDeadline();

    /**
     * Consumes the deadlines that are due at {@code nowNs} and reports them.
     *
     * @param nowNs the current time of the timer's clock
     * @return the events fired and the frames to retransmit, in a result the layer reuses: valid
     *         until this layer's next check, empty when nothing was due
     */
    TimeoutCheckResult checkTimeouts(long nowNs);

    /** @return a snapshot of this layer's counters */
    TimeoutLayerStats stats();

    /**
     * Connects the layer to the one observer it reports deadline changes to; called by
     * {@link UnifiedTimeoutScheduler#addLayer(TimeoutLayer)}.
     *
     * @param observer the observer
     * @throws IllegalStateException if the layer is attached already: a layer reports to one
     *                               scheduler
     */
    void attach(DeadlineObserver observer);

    /**
     * The longest delay a deadline keeps: 2^62 ns (146 years); longer ones are held there. So the
     * deadlines of any two live timeouts lie within 2^63 ns of each other and compare correctly
     * by subtraction, however far apart their delays were.
     */
    long MAX_DELAY_NS = Long.MAX_VALUE >> 1;

    /**
     * The deadline {@code delayNs} after {@code nowNs}, the delay held at {@link #MAX_DELAY_NS}.
     * The sum may wrap, as readings of {@link System#nanoTime()} may, and stays correct under
     * comparison by subtraction. A result that would equal {@link #NO_DEADLINE} is moved 1 ns
     * later, so a real deadline is never mistaken for "none".
     *
     * @param nowNs   a reading of the timer's clock
     * @param delayNs a delay, from 0 to {@link Long#MAX_VALUE}
     * @return the deadline
     */
    static long deadlineAfter(long nowNs, long delayNs) {
        long deadlineNs = nowNs + Math.min(delayNs, MAX_DELAY_NS);
        return deadlineNs == NO_DEADLINE ? deadlineNs + 1 : deadlineNs;
    }

    /**
     * Whether a deadline is due.
     *
     * @param deadlineNs a deadline, or {@link #NO_DEADLINE}
     * @param nowNs      the current time
     * @return true if {@code deadlineNs} is a deadline at or before {@code nowNs}
     */
    static boolean isDue(long deadlineNs, long nowNs) {
        return deadlineNs != NO_DEADLINE && deadlineNs - nowNs <= 0;
    }

    /**
     * The earlier of two deadlines, either of which may be {@link #NO_DEADLINE}.
     *
     * @param a a deadline or {@link #NO_DEADLINE}
     * @param b a deadline or {@link #NO_DEADLINE}
     * @return the earlier one by overflow-safe comparison; {@link #NO_DEADLINE} if both are
     */
    static long earlier(long a, long b) {
        if (a == NO_DEADLINE) {
            return b;
        }
        if (b == NO_DEADLINE) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }
}
