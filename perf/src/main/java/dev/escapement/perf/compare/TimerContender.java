package dev.escapement.perf.compare;

import java.util.concurrent.Executor;

/**
 * A timer under comparison, behind one small interface so every scenario drives every contender
 * the same way. Timers are addressed by <em>slot</em>: the contender keeps the handle or id of the
 * timer in each slot itself, so the scenario never boxes an id or holds a contender-specific type.
 *
 * <p>Thread-safety: {@link #schedule} and {@link #cancel} may be called from several producer
 * threads at once, each on its own range of slots; {@link #open} and {@link #close} from the
 * scenario's thread only.
 */
interface TimerContender extends AutoCloseable {

    /**
     * Creates the timer and the slot storage.
     *
     * @param slots     how many timers may be held at once (the scenario's population plus
     *                  producers' rings); contenders that size a structure for the population use it
     * @param producers how many producer threads will schedule
     * @param maxDelayNs the longest delay the scenario will use; contenders whose structure is
     *                  sized by its span (Agrona's single-level wheel) use it
     */
    void open(int slots, int producers, long maxDelayNs);

    /**
     * Schedules a one-shot timer into a slot, replacing whatever the slot held (without cancelling
     * it).
     *
     * @param slot    the slot
     * @param delayNs the delay in nanoseconds
     * @param action  what the timer does when it fires
     */
    void schedule(int slot, long delayNs, FireAction action);

    /**
     * Cancels the timer in a slot, if any, and empties the slot.
     *
     * @param slot the slot
     */
    void cancel(int slot);

    /**
     * Where producer {@code producer} must run its loop, or {@code null} for a plain thread. A Netty
     * event executor's scheduler is used from its own event loop, as {@code IdleStateHandler} uses
     * it; every other contender takes producers on threads of their own.
     *
     * @param producer the producer's index
     * @return an executor to run the producer's loop on, or {@code null}
     */
    default Executor producerExecutor(int producer) {
        return null;
    }

    /**
     * Schedules a zero-delay timer behind everything already handed to the timer, on every timer
     * thread the contender has, so that its firing proves the contender has caught up.
     *
     * @param slot   a free slot to use
     * @param action the action; it fires {@link #timerThreads()} times
     */
    default void scheduleSentinel(int slot, FireAction action) {
        schedule(slot, 0, action);
    }

    /** @return how many times a sentinel fires: the number of independent timer threads */
    default int timerThreads() {
        return 1;
    }

    /**
     * Cancels the future held in a slot, if any, and empties the slot: the executors' cancel.
     *
     * @param futures the slots
     * @param slot    the slot
     */
    static void cancelFuture(java.util.concurrent.Future<?>[] futures, int slot) {
        java.util.concurrent.Future<?> future = futures[slot];
        if (future != null) {
            future.cancel(false);
            futures[slot] = null;
        }
    }

    /** Stops the timer and its threads. */
    @Override
    void close();
}
