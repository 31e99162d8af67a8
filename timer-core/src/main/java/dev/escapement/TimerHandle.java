package dev.escapement;

import java.util.concurrent.CompletableFuture;

/**
 * A scheduled timer: its id, its state, a way to cancel it and a future for its completion.
 *
 * <p>Thread-safety: every method may be called from any thread. A handle moves from pending to
 * expired or from pending to cancelled exactly once; a racing {@link #cancel()} and expiry have
 * exactly one winner.
 */
public interface TimerHandle {

    /**
     * The timer's id: entry index and generation, unique among live timers of its
     * {@link GlobalTimer} and never reused while this timer is live. It can also be cancelled with
     * {@link GlobalTimer#cancelTimer(long)}.
     *
     * @return the id, never 0
     */
    long id();

    /**
     * The deadline in the timer's clock ({@link GlobalTimer#nanoTime()}); for a periodic timer,
     * the deadline of the next run.
     *
     * @return the deadline in nanoseconds
     */
    long deadlineNs();

    /**
     * The task, or {@code null} for a notify-only timer ({@link GlobalTimer#scheduleNotify}).
     *
     * @return the task
     */
    TimerTask task();

    /**
     * Cancels the timer if it has not fired yet. Idempotent, never blocks, O(1). The timer's
     * storage is freed on the timer thread's next pass.
     *
     * @return true if this call cancelled the timer; false if it had already fired or been
     *         cancelled
     */
    boolean cancel();

    /** @return true once the timer has been cancelled */
    boolean isCancelled();

    /** @return true once the timer has fired (its task may still be running) */
    boolean isExpired();

    /** @return true while the timer has neither fired nor been cancelled */
    boolean isPending();

    /**
     * A future that completes normally when the timer's task has run (for a notify-only timer,
     * when it fires), exceptionally with the task's exception if it threw, and is cancelled when
     * the timer is cancelled or returned by {@link GlobalTimer#stop()}. Cancelling the future
     * cancels the timer. Completing it by hand is not allowed. Created on first call.
     *
     * @return the completion future
     */
    CompletableFuture<Void> completion();
}
