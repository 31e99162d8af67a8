package dev.escapement.engine;

import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder events of the engine, for finding out why a timeout fired late: the timer
 * thread started a pass later than it meant to (it did not get the CPU, or the JVM paused), an
 * inline task held the timer thread, or producers met a full command queue.
 *
 * <p>They cost nothing while no recording runs: every site first asks
 * {@link FlightRecorder#isInitialized()} (a static read; it does not start the recorder), and only
 * then makes an event and asks whether it is enabled. Shown with
 * {@code jfr print --events dev.escapement.LatePass,dev.escapement.SlowTask,dev.escapement.Backpressure rec.jfr}.
 *
 * <p>Thread-safety: the events are made and committed on the thread that sees the condition (the
 * timer thread, or a producer for backpressure).
 */
final class TimerEvents {

    /** A pass that starts at least this much after the wheel's next deadline is late. */
    static final long LATE_PASS_NS = 1_000_000;
    /** At most one backpressure event per this interval; it counts the refusals since the last. */
    private static final long BACKPRESSURE_INTERVAL_NS = 10_000_000;

    private static final AtomicLong REFUSALS = new AtomicLong();
    private static volatile long lastBackpressureNs = System.nanoTime() - BACKPRESSURE_INTERVAL_NS;

    private TimerEvents() {
    }

    @Name("dev.escapement.LatePass")
    @Label("Late timer pass")
    @Category({"Escapement", "Timer thread"})
    @Description("The timer thread started a pass after the wheel's next deadline: it did not get a CPU, the JVM"
            + " paused it, or the pass before ran long. Timers due meanwhile fire that much late.")
    @StackTrace(false)
    static final class LatePassEvent extends Event {
        @Label("Lateness")
        @Timespan
        long lateness;

        @Label("Pending timers")
        long pending;
    }

    @Name("dev.escapement.SlowTask")
    @Label("Slow inline timer task")
    @Category({"Escapement", "Timer thread"})
    @Description("A timer task ran on the timer thread (no callback executor) for long; every timer due meanwhile"
            + " waited for it.")
    @StackTrace(false)
    @Threshold("1 ms")
    static final class SlowTaskEvent extends Event {
        @Label("Task")
        String task;
    }

    @Name("dev.escapement.Backpressure")
    @Label("Command queue full")
    @Category({"Escapement", "Producers"})
    @Description("Producers met a full command queue: their calls were refused, or a connection's entry went to"
            + " the overflow. One event per burst, counting the refusals since the previous event.")
    static final class BackpressureEvent extends Event {
        @Label("Refusals")
        long refusals;

        @Label("Queue capacity")
        int capacity;
    }

    /**
     * @return true once a Flight Recorder exists in this JVM: only then is it worth gathering what
     *         an event would carry (a static read; it does not start the recorder)
     */
    static boolean recorderExists() {
        return FlightRecorder.isInitialized();
    }

    /** The timer thread starts a pass {@code latenessNs} after the wheel's next deadline. */
    static void latePass(long latenessNs, long pending) {
        if (!recorderExists()) {
            return;
        }
        LatePassEvent event = new LatePassEvent();
        if (event.isEnabled()) {
            event.lateness = latenessNs;
            event.pending = pending;
            event.commit();
        }
    }

    /** Runs an inline task, as a timed event when a recording wants it. Timer thread. */
    static void runInline(Runnable work) {
        if (!recorderExists()) {
            work.run();
            return;
        }
        SlowTaskEvent event = new SlowTaskEvent();
        if (!event.isEnabled()) {
            work.run();
            return;
        }
        event.begin();
        try {
            work.run();
        } finally {
            event.end();
            if (event.shouldCommit()) {
                event.task = work instanceof HandleEntry handle && handle.task != null
                        ? handle.task + " in " + handle : String.valueOf(work);
                event.commit();
            }
        }
    }

    /** A producer met a full queue. */
    static void backpressure(int capacity) {
        if (!recorderExists()) {
            return;
        }
        long refusals = REFUSALS.incrementAndGet();
        long nowNs = System.nanoTime();
        if (nowNs - lastBackpressureNs < BACKPRESSURE_INTERVAL_NS) {
            return;
        }
        lastBackpressureNs = nowNs;
        BackpressureEvent event = new BackpressureEvent();
        if (event.isEnabled()) {
            event.refusals = refusals;
            event.capacity = capacity;
            REFUSALS.addAndGet(-refusals);
            event.commit();
        }
    }
}
