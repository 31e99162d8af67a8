package dev.escapement;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
     * {@link GlobalTimer} and never reused while this timer is live. It identifies the timer (in
     * logs, in {@link GlobalTimer#dump()}); cancel and postpone it through this handle.
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

    /**
     * Moves a pending timer to a new deadline, {@code delay} from now, keeping this handle and its
     * id. The new deadline may be earlier or later. A postpone linearizes against expiry: if it
     * returns true, the timer does not fire at its old deadline. Concurrent postpones of one timer
     * take effect in the order they read the clock. For a periodic timer this moves its next run.
     *
     * @param delay the new delay from now; zero or negative fires on the next pass
     * @param unit  its unit
     * @return true if the timer was pending and is now due at the new deadline; false if it had
     *         fired (or is in a periodic run) or was cancelled
     * @throws java.util.concurrent.RejectedExecutionException if the command queue is full
     */
    boolean postpone(long delay, TimeUnit unit);

    /**
     * As {@link #postpone(long, TimeUnit)}, and replaces the task.
     *
     * @param delay   the new delay from now
     * @param unit    its unit
     * @param newTask the task to run instead
     * @return true if the timer was pending and is now due at the new deadline with the new task
     * @throws java.util.concurrent.RejectedExecutionException if the command queue is full
     */
    boolean postpone(long delay, TimeUnit unit, TimerTask newTask);

    /** @return true once the timer has been cancelled */
    boolean isCancelled();

    /**
     * @return true once the timer has fired for good (its task may still be running); for a
     *         periodic timer, once its last run has started
     */
    boolean isExpired();

    /** @return true while the timer has neither fired for good nor been cancelled */
    boolean isPending();

    /**
     * A future that completes normally when the timer's task has run (for a notify-only timer,
     * when it fires; for a periodic timer, after its last run), exceptionally with the task's
     * exception if it threw (for a periodic timer: its last run threw, or its interval function
     * failed), and is cancelled when
     * the timer is cancelled or returned by {@link GlobalTimer#stop()}. Cancelling the future
     * cancels the timer. Completing it by hand is not allowed. Created on first call.
     *
     * @return the completion future
     */
    CompletableFuture<Void> completion();
}
