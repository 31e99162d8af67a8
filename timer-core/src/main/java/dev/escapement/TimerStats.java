package dev.escapement;

import java.util.Arrays;

/**
 * An immutable snapshot of a {@link GlobalTimer}'s counters, from {@link GlobalTimer#stats()}.
 *
 * <p>Thread-safety: immutable. Counters the timer thread keeps are published at the end of each
 * of its passes, so a snapshot is consistent as of the last pass; commands still in the queue
 * are not counted yet. When the timer is quiet,
 * {@code scheduled == fired + cancelled + returnedByStop + pending}.
 *
 * @param pending            timers in the wheel now
 * @param scheduled          timers accepted by a schedule call and seen by the timer thread
 * @param fired              timers that fired for good: a one-shot timer, or a periodic timer's
 *                           last run (task started or handed to the executor)
 * @param runs               task runs, counting every run of a periodic timer
 * @param cancelled          timers whose cancellation the timer thread has applied
 * @param returnedByStop     timers returned (or, on the id path, dropped) by {@link GlobalTimer#stop()}
 * @param rejected           schedule calls refused by a bound or because the timer was stopped
 * @param taskFailures       tasks and expiry handlers that threw (expired by exception)
 * @param intervalFailures   periodic timers stopped because their interval function failed
 * @param executorRejections callbacks the callback executor refused
 * @param overruns           periodic deadlines that found the previous run still running
 * @param commandQueueDepth  commands waiting in the queue at the time of the snapshot
 * @param commandsDrained    commands the timer thread has applied
 * @param activeConnections  live {@link dev.escapement.connection.TimerManager}s on this timer (one per connection id)
 * @param passes             passes of the timer thread's duty cycle
 * @param parks              times the timer thread parked
 * @param wakeups            times a producer unparked the timer thread
 * @param cascadesPerLevel   per wheel level, slots that cascaded into lower levels
 * @param latenessSamples    expiries whose lateness was recorded
 * @param latenessP50Ns      median firing lateness (time the pass that fired it began, minus the
 *                           deadline), in nanoseconds, to two significant digits
 * @param latenessP99Ns      99th percentile of firing lateness
 * @param latenessP999Ns     99.9th percentile of firing lateness
 * @param latenessMaxNs      the largest firing lateness (capped at one hour)
 */
public record TimerStats(
        long pending,
        long scheduled,
        long fired,
        long runs,
        long cancelled,
        long returnedByStop,
        long rejected,
        long taskFailures,
        long intervalFailures,
        long executorRejections,
        long overruns,
        long commandQueueDepth,
        long commandsDrained,
        long activeConnections,
        long passes,
        long parks,
        long wakeups,
        long[] cascadesPerLevel,
        long latenessSamples,
        long latenessP50Ns,
        long latenessP99Ns,
        long latenessP999Ns,
        long latenessMaxNs) {

    /** Copies the array, so the snapshot stays immutable. */
    public TimerStats {
        cascadesPerLevel = cascadesPerLevel.clone();
    }

    /** @return a copy of the per-level cascade counts */
    @Override
    public long[] cascadesPerLevel() {
        return cascadesPerLevel.clone();
    }

    /** @return the total number of cascades over all levels */
    public long cascades() {
        return Arrays.stream(cascadesPerLevel).sum();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TimerStats that
                && pending == that.pending && scheduled == that.scheduled && fired == that.fired
                && runs == that.runs && cancelled == that.cancelled && returnedByStop == that.returnedByStop
                && rejected == that.rejected && taskFailures == that.taskFailures
                && intervalFailures == that.intervalFailures && executorRejections == that.executorRejections
                && overruns == that.overruns && commandQueueDepth == that.commandQueueDepth
                && commandsDrained == that.commandsDrained && activeConnections == that.activeConnections
                && passes == that.passes && parks == that.parks && wakeups == that.wakeups
                && Arrays.equals(cascadesPerLevel, that.cascadesPerLevel)
                && latenessSamples == that.latenessSamples && latenessP50Ns == that.latenessP50Ns
                && latenessP99Ns == that.latenessP99Ns && latenessP999Ns == that.latenessP999Ns
                && latenessMaxNs == that.latenessMaxNs;
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(scheduled + fired + cancelled + pending) + Arrays.hashCode(cascadesPerLevel);
    }

    @Override
    public String toString() {
        return "TimerStats[pending=" + pending + ", scheduled=" + scheduled + ", fired=" + fired
                + ", runs=" + runs + ", cancelled=" + cancelled + ", returnedByStop=" + returnedByStop
                + ", rejected=" + rejected + ", taskFailures=" + taskFailures
                + ", intervalFailures=" + intervalFailures + ", executorRejections=" + executorRejections
                + ", overruns=" + overruns + ", commandQueueDepth=" + commandQueueDepth
                + ", commandsDrained=" + commandsDrained + ", activeConnections=" + activeConnections
                + ", passes=" + passes + ", parks=" + parks + ", wakeups=" + wakeups
                + ", cascadesPerLevel=" + Arrays.toString(cascadesPerLevel)
                + ", lateness[n=" + latenessSamples + ", p50=" + latenessP50Ns + " ns, p99=" + latenessP99Ns
                + " ns, p99.9=" + latenessP999Ns + " ns, max=" + latenessMaxNs + " ns]]";
    }
}
