package dev.escapement.engine;

import dev.escapement.TimerStats;
import dev.escapement.wheel.TimingWheel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The counters of one engine, and their publication to readers on other threads.
 *
 * <p>Thread-safety: the plain fields are written by the timer thread only, and published once
 * per pass with volatile writes ({@link #publish}); any thread reads the published values. The
 * adders are counted by whichever thread meets the event (a producer refused, an executor thread
 * whose task threw). Firing lateness goes into an HdrHistogram {@link SingleWriterRecorder}:
 * wait-free for the timer thread; a reader swaps its interval histogram out and adds it to a
 * cumulative one under the reader's own lock, so a snapshot never stops the timer thread.
 */
final class TimerCounters {

    /** Lateness above this is recorded as this: one hour. */
    static final long MAX_RECORDED_LATENESS_NS = TimeUnit.HOURS.toNanos(1);

    // Timer thread only.
    long scheduled;
    long fired;
    long runs;
    long cancelled;
    long returnedByStop;
    long passes;
    long parks;
    long commandsApplied;
    long overruns;

    // Counted by any thread.
    final LongAdder rejected = new LongAdder();
    final LongAdder taskFailures = new LongAdder();
    final LongAdder intervalFailures = new LongAdder();
    final LongAdder executorRejections = new LongAdder();
    /** Cancel-and-rearm cycles of a reusable entry that the timer thread saw as one: one arming and one cancel each. */
    final LongAdder mergedArmings = new LongAdder();

    // Published at the end of each pass.
    private volatile long publishedPending;
    private volatile long publishedScheduled;
    private volatile long publishedFired;
    private volatile long publishedRuns;
    private volatile long publishedCancelled;
    private volatile long publishedReturnedByStop;
    private volatile long publishedPasses;
    private volatile long publishedParks;
    private volatile long publishedCommandsApplied;
    private volatile long publishedOverruns;
    private final AtomicLongArray publishedCascades;
    private final long[] lastCascades;

    private final SingleWriterRecorder lateness = new SingleWriterRecorder(MAX_RECORDED_LATENESS_NS, 2);
    private final Object latenessLock = new Object();
    private final Histogram cumulativeLateness = new Histogram(MAX_RECORDED_LATENESS_NS, 2);
    private Histogram recycledInterval;

    TimerCounters(int levels) {
        this.publishedCascades = new AtomicLongArray(levels);
        this.lastCascades = new long[levels];
    }

    /** Timer thread: records how late a timer fired; never negative (a timer is never early). */
    void recordLateness(long latenessNs) {
        lateness.recordValue(Math.min(Math.max(latenessNs, 0), MAX_RECORDED_LATENESS_NS));
    }

    /** Timer thread: publishes everything, at the end of a pass. */
    void publish(TimingWheel wheel) {
        publishedPending = wheel.size();
        publishedScheduled = scheduled;
        publishedFired = fired;
        publishedRuns = runs;
        publishedCancelled = cancelled;
        publishedReturnedByStop = returnedByStop;
        publishedPasses = passes;
        publishedParks = parks;
        publishedCommandsApplied = commandsApplied;
        publishedOverruns = overruns;
        for (int level = 0; level < lastCascades.length; level++) {
            long cascades = wheel.cascades(level);
            if (cascades != lastCascades[level]) {
                lastCascades[level] = cascades;
                publishedCascades.lazySet(level, cascades);
            }
        }
    }

    /** Timer thread: publishes the park count as it parks (no pass ends while it sleeps). */
    void publishParks() {
        publishedParks = parks;
    }

    long pending() {
        return publishedPending;
    }

    /**
     * Any thread: a snapshot of the published counters with the figures only the caller knows;
     * {@code recalled} id-path timers were taken back by their cancellers unseen.
     */
    TimerStats snapshot(long commandQueueDepth, long activeConnections, long wakeups, long recalled) {
        long[] cascades = new long[publishedCascades.length()];
        for (int level = 0; level < cascades.length; level++) {
            cascades[level] = publishedCascades.get(level);
        }
        long p50;
        long p99;
        long p999;
        long max;
        long count;
        synchronized (latenessLock) {
            Histogram interval = lateness.getIntervalHistogram(recycledInterval);
            cumulativeLateness.add(interval);
            recycledInterval = interval;
            count = cumulativeLateness.getTotalCount();
            p50 = count == 0 ? 0 : cumulativeLateness.getValueAtPercentile(50);
            p99 = count == 0 ? 0 : cumulativeLateness.getValueAtPercentile(99);
            p999 = count == 0 ? 0 : cumulativeLateness.getValueAtPercentile(99.9);
            max = count == 0 ? 0 : cumulativeLateness.getMaxValue();
        }
        // Armings the timer thread never counted: each is one scheduled and one cancelled.
        long merged = mergedArmings.sum() + recalled;
        return new TimerStats(
                publishedPending, publishedScheduled + merged, publishedFired, publishedRuns, publishedCancelled + merged,
                publishedReturnedByStop, rejected.sum(), taskFailures.sum(), intervalFailures.sum(),
                executorRejections.sum(), publishedOverruns, commandQueueDepth, publishedCommandsApplied,
                activeConnections, publishedPasses, publishedParks, wakeups, cascades,
                count, p50, p99, p999, max);
    }
}
