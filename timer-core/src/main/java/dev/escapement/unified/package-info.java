/**
 * Unified timeouts: the layers of a connection's timeouts and the one deadline they add up to.
 *
 * <p>A {@link dev.escapement.unified.TimeoutLayer} is a source of deadlines (a connection's typed
 * timeouts, a reliability layer's retransmission timeout). A
 * {@link dev.escapement.unified.UnifiedTimeoutScheduler} keeps the earliest deadline over its
 * layers in a cache that the layers themselves invalidate, through a
 * {@link dev.escapement.unified.DeadlineObserver}, whenever a deadline changes; so the answer is
 * exact and no time window is trusted. {@link dev.escapement.unified.TimeoutCheckResult} carries
 * what a check found and is reused from check to check, so checking allocates nothing in steady
 * state.
 *
 * <p>Threading conventions of the package: layers, schedulers and results are not thread-safe.
 * They belong to one connection and are used on that connection's thread (its event loop); the
 * only thing that crosses threads on the way to them is the expiry of the connection's wheel
 * entry, which {@link dev.escapement.connection.TimerManager} hands over.
 *
 * <p>Deadlines are {@code long} nanoseconds of the timer's clock, compared by subtraction;
 * {@link dev.escapement.unified.TimeoutLayer#NO_DEADLINE} means "none".
 */
package dev.escapement.unified;
