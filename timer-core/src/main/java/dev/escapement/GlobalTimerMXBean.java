package dev.escapement;

/**
 * The JMX view of a {@link GlobalTimer}, registered when its builder enables
 * {@link GlobalTimerBuilder#jmx()}: the figures of {@link TimerStats}, and the wheel picture of
 * {@link GlobalTimer#dump()} as an operation.
 *
 * <p>Thread-safety: any thread (the JMX agent's); every read takes a fresh snapshot.
 */
public interface GlobalTimerMXBean {

    /** @return timers in the wheel */
    long getPending();

    /** @return timers scheduled */
    long getScheduled();

    /** @return timers that fired for good */
    long getFired();

    /** @return task runs, periodic repeats included */
    long getRuns();

    /** @return timers cancelled */
    long getCancelled();

    /** @return schedule calls refused */
    long getRejected();

    /** @return tasks and handlers that threw */
    long getTaskFailures();

    /** @return periodic timers stopped by their interval function */
    long getIntervalFailures();

    /** @return callbacks the executor refused */
    long getExecutorRejections();

    /** @return commands waiting for the timer thread */
    long getCommandQueueDepth();

    /** @return commands applied */
    long getCommandsDrained();

    /** @return registered connections */
    long getActiveConnections();

    /** @return passes of the timer thread */
    long getPasses();

    /** @return times the timer thread parked */
    long getParks();

    /** @return times a producer woke the timer thread */
    long getWakeups();

    /** @return cascades per wheel level */
    long[] getCascadesPerLevel();

    /** @return median firing lateness in nanoseconds */
    long getLatenessP50Ns();

    /** @return 99th percentile firing lateness in nanoseconds */
    long getLatenessP99Ns();

    /** @return 99.9th percentile firing lateness in nanoseconds */
    long getLatenessP999Ns();

    /** @return largest firing lateness in nanoseconds */
    long getLatenessMaxNs();

    /** @return the tick in nanoseconds */
    long getTickNs();

    /** @return a readable picture of the wheel and the statistics */
    String dump();
}
