package dev.escapement;

import dev.escapement.clock.CachedClock;
import dev.escapement.clock.NanoClock;
import dev.escapement.engine.EngineSettings;
import dev.escapement.engine.Engines;
import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.management.ObjectName;

/**
 * The global timer of a protocol stack: one timer thread that owns a hierarchical timing wheel,
 * fed by a lock-free multi-producer command queue. A facade: each method delegates to the engine
 * ({@code dev.escapement.engine}).
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>Every method is safe from any thread, including a timer's own task, unless it says
 *       otherwise. Producers never take a lock: a schedule is a clock read and one queue offer,
 *       and a system call only when the timer thread sleeps past the new deadline.</li>
 *   <li>A timer never fires before its deadline. The thread sleeps until the exact deadline that
 *       is due next, so a timer fires as late as the thread's wake-up, not a tick late. After a
 *       stall every due timer fires, in deadline order; timers with the same deadline fire in
 *       the order they were scheduled.</li>
 *   <li>A cancel racing an expiry has exactly one winner. A refused call (a bound reached, the
 *       queue full, the timer stopped) leaves its timer exactly as it was.</li>
 *   <li>Tasks run on the timer thread unless a {@link GlobalTimerBuilder#callbackExecutor callback
 *       executor} is set; a task that throws is logged and counted. When nothing is due the
 *       thread sleeps: no ticking while idle.</li>
 * </ul>
 *
 * <h2>Two ways to schedule</h2>
 * {@link #schedule(TimerTask, long, TimeUnit)} returns a {@link TimerHandle}, itself the timer's
 * wheel entry: one object per timer. {@link #scheduleTimer} is the primitive path: a {@code long}
 * id, nothing allocated per timer once its pool has grown.
 * <pre>{@code
 * GlobalTimer timer = GlobalTimer.builder().tick(1, TimeUnit.MILLISECONDS).build();
 * TimerHandle handle = timer.schedule(h -> System.out.println("fired " + h.id()), 50, TimeUnit.MILLISECONDS);
 * handle.cancel();
 * timer.stop();
 * }</pre>
 */
public final class GlobalTimer {

    /** The default tick: 1 ms. */
    public static final long DEFAULT_TICK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The shortest tick: 1 µs. */
    public static final long MIN_TICK_NS = TimeUnit.MICROSECONDS.toNanos(1);
    /** The longest tick: 1 s. */
    public static final long MAX_TICK_NS = TimeUnit.SECONDS.toNanos(1);
    /** The default bound on pending timers: 2^26 (about 67 million). */
    public static final int DEFAULT_MAX_PENDING_TIMERS = 1 << 26;
    /** The largest bound on pending timers: 2^30. */
    public static final int MAX_PENDING_TIMERS = 1 << 30;
    /** The default command-queue capacity: 2^20 commands. */
    public static final int DEFAULT_COMMAND_QUEUE_CAPACITY = 1 << 20;
    /** The smallest command-queue capacity. */
    public static final int MIN_COMMAND_QUEUE_CAPACITY = 16;
    /** The largest command-queue capacity. */
    public static final int MAX_COMMAND_QUEUE_CAPACITY = 1 << 30;
    /** The default name of the timer thread. */
    public static final String DEFAULT_THREAD_NAME = "escapement-timer";

    private static final int DUMP_SLOTS_PER_LEVEL = 16;
    private static final long DUMP_WAIT_NS = TimeUnit.SECONDS.toNanos(5);

    static {
        Engines.install(timer -> timer.engine);
    }

    private final TimerEngine engine;
    private final boolean shared;
    private final ObjectName mbeanName;

    GlobalTimer(EngineSettings settings, String jmxName, boolean shared) {
        this.engine = new TimerEngine(settings);
        this.shared = shared;
        this.mbeanName = jmxName == null ? null : GlobalTimerMBeans.register(this, jmxName);
    }

    /** @return a new builder with the default settings */
    public static GlobalTimerBuilder builder() {
        return new GlobalTimerBuilder();
    }

    /**
     * The process-wide timer, started on first use, so a JVM needs one timer thread rather than
     * one per library: 1 ms tick, default bounds, tasks on the timer thread, a daemon thread
     * named {@code escapement-shared-timer}. It cannot be stopped.
     *
     * @return the shared timer
     */
    public static GlobalTimer shared() {
        return SharedHolder.INSTANCE;
    }

    private static final class SharedHolder {
        static final GlobalTimer INSTANCE = new GlobalTimer(
                builder().threadName("escapement-shared-timer").settings(), null, true);
    }

    /**
     * Schedules a one-shot task.
     *
     * @param task  the task; receives its own handle when it runs
     * @param delay the delay; zero or negative fires on the next pass, and any positive value up
     *              to {@link Long#MAX_VALUE} ns is accepted
     * @param unit  the unit of {@code delay}
     * @return the timer's handle
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped; the
     *                                    message names which
     */
    public TimerHandle schedule(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        return scheduleHandle(task, Objects.requireNonNull(unit, "unit").toNanos(delay));
    }

    /** As {@link #schedule(TimerTask, long, TimeUnit)}, with a {@link Duration}. */
    public TimerHandle schedule(TimerTask task, Duration delay) {
        Objects.requireNonNull(task, "task");
        return scheduleHandle(task, saturatedNanos(Objects.requireNonNull(delay, "delay")));
    }

    /** Schedules a one-shot task at a deadline of {@link #nanoTime()}'s clock; a past one fires on the next pass. */
    public TimerHandle scheduleAt(TimerTask task, long deadlineNs) {
        Objects.requireNonNull(task, "task");
        long nowNs = engine.nowNs();
        return engine.scheduleHandle(task, TimerEngine.deadlineAfter(nowNs, deadlineNs - engine.absoluteNs(nowNs)), nowNs);
    }

    /** Schedules a notify-only timer: no task; its {@link TimerHandle#completion() completion} completes when it fires. */
    public TimerHandle scheduleNotify(long delay, TimeUnit unit) {
        TimerHandle handle = scheduleHandle(null, Objects.requireNonNull(unit, "unit").toNanos(delay));
        handle.completion();
        return handle;
    }

    private TimerHandle scheduleHandle(TimerTask task, long delayNs) {
        long nowNs = engine.nowNs();
        return engine.scheduleHandle(task, TimerEngine.deadlineAfter(nowNs, delayNs), nowNs);
    }

    /**
     * Schedules a periodic task (see {@link PeriodicSchedule}).
     *
     * @return the handle: its id stays the same across runs, {@link TimerHandle#cancel()} stops
     *         all future runs, and its future completes after the last run
     * @throws IllegalArgumentException   if a dynamic schedule's first interval is not positive
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle schedulePeriodic(TimerTask task, PeriodicSchedule schedule) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(schedule, "schedule");
        long nowNs = engine.nowNs();
        long initialDelayNs = schedule.initialDelayNs(engine.absoluteNs(nowNs));
        if (schedule.isDynamic() && initialDelayNs <= 0 && !schedule.hasInitialDelay()) {
            throw new IllegalArgumentException("interval function returned " + initialDelayNs
                    + " ns for the first run; set initialDelay or return a positive interval");
        }
        return engine.schedulePeriodic(task, TimerEngine.deadlineAfter(nowNs, initialDelayNs), nowNs,
                schedule.fixedIntervalNs(), schedule.intervalFunction(), schedule.loops(), schedule.jitterNs(),
                schedule.catchesUpMissedRuns());
    }

    /** A fixed-rate task, forever: first after {@code initialDelay}, then every {@code period}. */
    public TimerHandle scheduleAtFixedRate(TimerTask task, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return schedulePeriodic(task, PeriodicSchedule.fixedRate(period, unit).initialDelay(initialDelay, unit).build());
    }

    /**
     * Schedules a one-shot task that may fire anywhere in a window, for timeouts whose exact
     * moment does not matter (idle, keep-alive). The deadline is the start of the coarsest wheel
     * slot inside the window, so the timer never cascades and timers with similar windows share
     * a slot; {@link TimerHandle#deadlineNs()} says which.
     *
     * @throws IllegalArgumentException if {@code latest < earliest}
     */
    public TimerHandle scheduleWithin(TimerTask task, long earliest, long latest, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        long earliestNs = unit.toNanos(earliest);
        long latestNs = unit.toNanos(latest);
        if (latest < earliest) {
            throw new IllegalArgumentException("latest must not be before earliest: " + latest + " < " + earliest + " " + unit);
        }
        long nowNs = engine.nowNs();
        long deadlineNs = engine.windowDeadlineNs(TimerEngine.deadlineAfter(nowNs, earliestNs),
                TimerEngine.deadlineAfter(nowNs, latestNs));
        return engine.scheduleHandle(task, deadlineNs, nowNs);
    }

    /** @return an empty batch of schedules, cancels and postpones: one hand-off, one wake-up at most */
    public TimerBatch newBatch() {
        return new TimerBatch(engine);
    }

    /**
     * Schedules a timer on the primitive path: no handle, nothing allocated per timer once the
     * pool has grown. The handler runs on the timer thread.
     *
     * @return the timer's id, positive
     */
    public long scheduleTimer(TimerExpiryHandler handler, long delay, TimeUnit unit) {
        Objects.requireNonNull(handler, "handler");
        long delayNs = Objects.requireNonNull(unit, "unit").toNanos(delay);
        long nowNs = engine.nowNs();
        return engine.ids().scheduleId(handler, TimerEngine.deadlineAfter(nowNs, delayNs), nowNs);
    }

    /** As {@link #scheduleTimer}, at a deadline of this timer's clock. */
    public long scheduleTimerAt(TimerExpiryHandler handler, long deadlineNs) {
        Objects.requireNonNull(handler, "handler");
        long nowNs = engine.nowNs();
        return engine.ids().scheduleId(handler, TimerEngine.deadlineAfter(nowNs, deadlineNs - engine.absoluteNs(nowNs)), nowNs);
    }

    /**
     * Cancels a timer of the primitive path. O(1), never blocks.
     *
     * @param timerId the id; stale, unknown and 0 ids are harmless
     * @return true if this call cancelled the timer
     * @throws IllegalArgumentException if the id is a {@link TimerHandle}'s (cancel it through the handle)
     */
    public boolean cancelTimer(long timerId) {
        return engine.ids().cancelId(timerId);
    }

    /**
     * Moves a pending timer of the primitive path to {@code delay} from now, keeping its id; it
     * linearizes against expiry (if this returns true, it does not fire at its old deadline).
     *
     * @return true if the timer was pending and is now due at the new deadline
     * @throws IllegalArgumentException   if the id is a {@link TimerHandle}'s (postpone the handle)
     * @throws RejectedExecutionException if the command queue is full; the timer is as it was
     */
    public boolean postponeTimer(long timerId, long delay, TimeUnit unit) {
        long delayNs = Objects.requireNonNull(unit, "unit").toNanos(delay);
        long nowNs = engine.nowNs();
        return engine.ids().postponeId(timerId, TimerEngine.deadlineAfter(nowNs, delayNs), nowNs);
    }

    /**
     * @return true if the primitive-path timer has neither fired nor been cancelled
     * @throws IllegalArgumentException if the id is a {@link TimerHandle}'s
     */
    public boolean isPending(long timerId) {
        return engine.ids().isPendingId(timerId);
    }

    /**
     * Cancels every pending handle that {@code filter} accepts and returns them (their futures are
     * cancelled). Every timer scheduled before this call is seen. O(pending), on the timer thread,
     * which this call waits for: for rare clean-ups, not hot paths. The filter runs on the timer
     * thread; if it throws, that timer is left alone.
     *
     * @throws IllegalStateException if the timer is stopped
     */
    public List<TimerHandle> cancelMatching(Predicate<? super TimerHandle> filter) {
        Objects.requireNonNull(filter, "filter");
        return handles(engine.cancelMatching(entry -> entry instanceof TimerHandle handle && filter.test(handle)));
    }

    /**
     * Starts the timer thread if it has not started; scheduling starts it too.
     * @throws IllegalStateException if the timer was stopped
     */
    public void start() {
        engine.start();
    }

    /**
     * Stops the timer: applies the commands already queued, cancels every timer that has not fired,
     * returns their handles (their futures cancelled) and ends the thread. Later schedules are
     * rejected. Idempotent: a second call returns an empty list. Id-path timers are dropped and
     * counted in {@link TimerStats#returnedByStop()}.
     *
     * @throws UnsupportedOperationException on the {@link #shared()} timer
     * @throws IllegalStateException         if called from the timer thread
     */
    public List<TimerHandle> stop() {
        if (shared) {
            throw new UnsupportedOperationException(
                    "the shared timer lives as long as the JVM; build your own GlobalTimer to stop it");
        }
        if (mbeanName != null && !engine.isStopped()) {
            GlobalTimerMBeans.unregister(mbeanName);
        }
        return handles(engine.stop());
    }

    private static List<TimerHandle> handles(List<TimerEntry> entries) {
        List<TimerHandle> handles = new ArrayList<>(entries.size());
        entries.forEach(entry -> {
            if (entry instanceof TimerHandle handle) {
                handles.add(handle);
            }
        });
        return handles;
    }

    /** @return true once {@link #stop()} has been called */
    public boolean isStopped() {
        return engine.isStopped();
    }

    /**
     * One pass of the duty cycle on the calling thread, for a timer built with
     * {@link GlobalTimerBuilder#drivenByCaller()}: applies queued commands, fires due timers.
     *
     * @return the work done; 0 when idle
     * @throws IllegalStateException if the timer runs its own thread, or was stopped
     */
    public int doWork() {
        return engine.doWork();
    }

    /** @return the current reading of this timer's clock, in nanoseconds */
    public long nanoTime() {
        return engine.absoluteNs(engine.nowNs());
    }

    /** @return this timer's clock */
    public NanoClock clock() {
        return engine.cachedClock().source();
    }

    /** A reading of this timer's clock refreshed every pass and by {@link CachedClock#refresh()}: one volatile load. */
    public CachedClock cachedClock() {
        return engine.cachedClock();
    }

    /** @return the tick, in nanoseconds */
    public long tickNs() {
        return engine.tickNs();
    }

    /** @return true on this timer's thread (in a task run inline); false when driven by a caller */
    public boolean isTimerThread() {
        return engine.isTimerThread();
    }

    /** @return true for the {@link #shared()} timer */
    public boolean isShared() {
        return shared;
    }

    /** @return a snapshot of the counters; never blocks the timer thread */
    public TimerStats stats() {
        return engine.stats();
    }

    /** A readable, bounded picture of the wheel and the statistics, taken on the timer thread (waits up to 5 s). */
    public String dump() {
        String picture;
        try {
            picture = engine.picture(DUMP_SLOTS_PER_LEVEL, DUMP_WAIT_NS);
        } catch (IllegalStateException notPictured) {
            picture = "(wheel not pictured: " + notPictured.getMessage() + ")\n";
        }
        return "GlobalTimer tick=" + engine.tickNs() + " ns" + (shared ? " (shared)" : "") + (isStopped() ? " (stopped)" : "")
                + " now=" + engine.nowNs() / engine.tickNs() + " ticks since start\n" + picture + stats() + "\n";
    }

    /** @return true when the command queue is at least three quarters full (schedules are refused once it is full) */
    public boolean isApplyingBackpressure() {
        return engine.isApplyingBackpressure();
    }

    @Override
    public String toString() {
        return "GlobalTimer[tick=" + engine.tickNs() + " ns, pending=" + engine.pendingCount()
                + (shared ? ", shared" : "") + (isStopped() ? ", stopped" : "") + "]";
    }

    /** Test seams: at most {@code limit} timers fired per pass; hold commands back when driven by a caller. */
    void expiriesPerPass(int limit) {
        engine.expiriesPerPass(limit);
    }

    void holdCommands(boolean hold) {
        engine.holdCommands(hold);
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
