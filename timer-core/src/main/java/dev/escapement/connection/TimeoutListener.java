package dev.escapement.connection;

import dev.escapement.unified.TimeoutCheckResult;

/**
 * Receives a connection's due timeouts when its {@link TimerManager} is woken up: the listener
 * form of {@link TimerManager#checkTimerEvents()}, set with
 * {@link TimerManager.Builder#wakeUp(java.util.concurrent.Executor, TimeoutListener)}.
 *
 * <p>Called on the connection's thread, by the wake-up the executor runs, and only when at least
 * one timeout is due (a spurious wake-up calls nothing). An exception it throws propagates to the
 * executor; the manager has already re-armed by then.
 *
 * @param <E> the manager's event type
 */
@FunctionalInterface
public interface TimeoutListener<E extends Enum<E>> {

    /**
     * Timeouts are due.
     *
     * @param manager the manager that was woken
     * @param due     the due events in deadline order, and frames to retransmit from other layers;
     *                valid until the next drain on this thread
     */
    void onTimeouts(TimerManager<E> manager, TimeoutCheckResult due);
}
