package dev.escapement.unified;

import dev.escapement.clock.NanoClock;
import java.util.List;
import java.util.Objects;

/**
 * The earliest deadline over a connection's {@link TimeoutLayer}s, and the check that runs every
 * due layer. A connection's {@link dev.escapement.connection.TimerManager} arms its single wheel
 * entry at this deadline.
 *
 * <p>Not thread-safe: a scheduler and its layers are confined to the connection's thread.
 *
 * <h2>The cache is exact</h2>
 * {@link #nextDeadline()} is cached. The cache is never invalidated by elapsed time; it is kept
 * exact by the layers, which report every change to the scheduler (see
 * {@link TimeoutLayer}'s contract). The scheduler remembers which layer holds the earliest
 * deadline: a deadline set earlier than the cached one replaces it (the cache stays valid); the
 * holder removing its deadline or moving it later makes the cache unknown until the next query
 * recomputes it over the layers; any other change leaves the cache as it is. So a burst of
 * changes costs a few comparisons each, and one recomputation at most when next asked.
 *
 * <h2>Downstream</h2>
 * One {@linkplain #observe downstream observer} (the connection's timer manager) hears every
 * layer change after the cache has taken it into account, so it can move the connection's wheel
 * entry when a deadline becomes earlier than the one the entry is armed at.
 */
public interface UnifiedTimeoutScheduler {

    /**
     * A scheduler with no layers, timing its checks on {@link NanoClock#system()}.
     *
     * @return the scheduler
     */
    static UnifiedTimeoutScheduler create() {
        return create(NanoClock.system());
    }

    /**
     * A scheduler with no layers.
     *
     * @param stopwatch the clock that times {@link #checkAll(long)} for
     *                  {@link UnifiedSchedulerStats#meanCheckTimeNs()}; read twice per check
     * @return the scheduler
     */
    static UnifiedTimeoutScheduler create(NanoClock stopwatch) {
        return new DefaultUnifiedTimeoutScheduler(Objects.requireNonNull(stopwatch, "stopwatch"));
    }

    /**
     * Adds a layer and attaches the scheduler to it as its observer. The layer's current deadline
     * counts from now on (and is reported downstream).
     *
     * @param layer the layer
     * @throws IllegalArgumentException if the layer is in this scheduler already
     * @throws IllegalStateException    if the layer is attached to another observer
     */
    void addLayer(TimeoutLayer layer);

    /** @return the layers, in the order they were added (an unmodifiable copy) */
    List<TimeoutLayer> layers();

    /**
     * The earliest deadline over the layers: from the cache when it is known, otherwise
     * recomputed, O(layers).
     *
     * @return a deadline in nanoseconds, or {@link TimeoutLayer#NO_DEADLINE}
     */
    long nextDeadline();

    /**
     * Checks every layer whose deadline is due at {@code nowNs} and collects what they report.
     * When the unified deadline is not due, no layer is asked at all.
     *
     * @param nowNs the current time of the timer's clock
     * @return the events of all due layers, sorted by deadline (ties in layer order), and their
     *         frames in layer order; a result the scheduler reuses, valid until its next check
     */
    TimeoutCheckResult checkAll(long nowNs);

    /**
     * Sets the one observer that hears every layer change after the cache has absorbed it.
     *
     * @param downstream the observer, or {@link DeadlineObserver#NONE}
     */
    void observe(DeadlineObserver downstream);

    /** @return a snapshot of the counters */
    UnifiedSchedulerStats stats();
}
