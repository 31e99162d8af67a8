package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;

/**
 * A contender that runs on an Escapement {@link GlobalTimer}, directly or through an adapter. The
 * scenarios report its timer thread's counters ({@link TimerActivity}) and how often its producers
 * found the command queue full and waited for room ({@link EscapementContender#awaitRoom}).
 *
 * <p>Thread-safety: as {@link TimerContender}; {@link #backpressureRetries()} from any thread.
 */
interface EscapementBacked extends TimerContender {

    /** @return the global timer, while the contender is open */
    GlobalTimer globalTimer();

    /** @return how often a producer found the command queue full and retried */
    long backpressureRetries();
}
