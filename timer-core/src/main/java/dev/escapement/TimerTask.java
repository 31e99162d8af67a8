package dev.escapement;

/**
 * The work a one-shot or periodic timer does when it fires.
 *
 * <p>Called on the timer thread, or on the {@link GlobalTimerBuilder#callbackExecutor callback
 * executor} when one is configured. A task that throws does not harm the timer: the exception is
 * logged, counted in {@link TimerStats#taskFailures()} and completes the handle's
 * {@link TimerHandle#completion() completion} exceptionally.
 */
@FunctionalInterface
public interface TimerTask {

    /**
     * Runs the task.
     *
     * @param handle the handle of the timer that fired, the same one {@code schedule} returned
     * @throws Exception anything; it is caught, logged and counted
     */
    void run(TimerHandle handle) throws Exception;
}
