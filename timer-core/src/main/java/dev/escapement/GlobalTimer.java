package dev.escapement;

import dev.escapement.clock.CachedClock;
import dev.escapement.clock.NanoClock;
import dev.escapement.wheel.TimingWheel;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ObjectName;

/**
 * The global timer of a protocol stack: one timer thread that owns a hierarchical
 * {@link TimingWheel}, fed by a lock-free multi-producer command queue.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>Every public method is safe from any thread, including from inside a timer's own task.
 *       Producers never take a lock: a schedule is a clock read, an id from a lock-free
 *       allocator and one queue offer; it makes a system call only when the timer thread is
 *       parked past the new deadline and must be woken.</li>
 *   <li>Only the timer thread touches the wheel. Ids are assigned by the producer, so
 *       {@code schedule} returns the handle and its id at once.</li>
 *   <li>A timer never fires before its deadline, and fires at most one tick after it plus
 *       scheduling jitter. After a stall (GC, suspended VM) every due timer fires, in deadline
 *       order; timers with the same deadline tick fire in scheduling order.</li>
 *   <li>A cancel racing an expiry has exactly one winner: either {@code cancel} returns true and
 *       the task never runs, or the task runs and {@code cancel} returns false.</li>
 *   <li>A task runs on the timer thread unless a {@link Builder#callbackExecutor callback
 *       executor} is set; a task that throws is logged and counted, and the timer carries on.
 *       Inline tasks should be short: a slow one delays the timers after it by its run time.</li>
 *   <li>When nothing is due the thread sleeps until the next deadline: no ticking while idle.</li>
 * </ul>
 *
 * <h2>Two ways to schedule</h2>
 * {@link #schedule(TimerTask, long, TimeUnit)} returns a {@link TimerHandle} (one small object per
 * timer) with a completion future. {@link #scheduleTimer(TimerExpiryHandler, long, TimeUnit)} is
 * the primitive path: it returns a {@code long} id and allocates nothing per timer in steady state.
 *
 * <h2>Example</h2>
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
    /** The default command-queue capacity: 2^20 commands. */
    public static final int DEFAULT_COMMAND_QUEUE_CAPACITY = 1 << 20;
    /** The smallest command-queue capacity. */
    public static final int MIN_COMMAND_QUEUE_CAPACITY = 16;
    /** The largest command-queue capacity. */
    public static final int MAX_COMMAND_QUEUE_CAPACITY = 1 << 30;
    /** The default name of the timer thread. */
    public static final String DEFAULT_THREAD_NAME = "escapement-timer";

    private static final System.Logger LOG = System.getLogger(GlobalTimer.class.getName());

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;

    private final NanoClock clock;
    private final CachedClock cachedClock;
    private final long originNs;
    private final long tickNs;
    private final int maxPendingTimers;
    private final long reclaimDelayTicks;
    private final TimingWheel wheel;
    private final CommandProxy proxy;
    private final GlobalTimerTask task;
    private final Thread thread;
    private final boolean drivenByCaller;
    private final boolean shared;

    private volatile int state;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile List<TimerHandle> unprocessed = List.of();

    private final Set<Long> connections = ConcurrentHashMap.newKeySet();
    private final TimerCounters counters;
    private final LongAdder rejected = new LongAdder();
    private final LongAdder taskFailures = new LongAdder();
    private final LongAdder intervalFailures = new LongAdder();
    private final LongAdder executorRejections = new LongAdder();
    private final ObjectName mbeanName;

    private GlobalTimer(Builder builder, boolean shared) {
        this.clock = builder.clock;
        this.cachedClock = new CachedClock(clock);
        this.originNs = clock.nanoTime();
        this.tickNs = builder.tickNs;
        this.maxPendingTimers = builder.maxPendingTimers;
        this.reclaimDelayTicks = Math.max(1, TimeUnit.MILLISECONDS.toNanos(MAX_RECLAIM_DELAY_MS) / builder.tickNs);
        this.shared = shared;
        this.drivenByCaller = builder.drivenByCaller;
        this.wheel = new TimingWheel(builder.slotsPerLevel, builder.maxPendingTimers, 0);
        this.proxy = new CommandProxy(builder.commandQueueCapacity);
        this.counters = new TimerCounters(wheel.levels());
        this.task = new GlobalTimerTask(this, wheel, proxy, clock, cachedClock, originNs, tickNs,
                builder.callbackExecutor, counters);
        if (drivenByCaller) {
            this.thread = null;
            this.state = STARTED;
        } else {
            ThreadFactory factory = builder.threadFactory != null
                    ? builder.threadFactory
                    : runnable -> {
                        Thread t = new Thread(runnable, builder.threadName);
                        t.setDaemon(true);
                        return t;
                    };
            this.thread = Objects.requireNonNull(factory.newThread(task), "threadFactory returned null");
            proxy.timerThread(thread);
        }
        this.mbeanName = builder.jmx ? GlobalTimerMBeans.register(this, builder.threadName) : null;
    }

    /** @return a new builder with the default settings */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The process-wide timer, started on first use, so a JVM needs one timer thread rather than
     * one per library. Settings: 1 ms tick, 64 slots per level, the default bounds, tasks run on
     * the timer thread, a daemon thread named {@code escapement-shared-timer}. It cannot be
     * stopped.
     *
     * @return the shared timer
     */
    public static GlobalTimer shared() {
        return SharedHolder.INSTANCE;
    }

    private static final class SharedHolder {
        static final GlobalTimer INSTANCE = new GlobalTimer(
                new Builder().threadName("escapement-shared-timer"), true);
    }

    // ------------------------------------------------------------------ scheduling: handles

    /**
     * Schedules a one-shot task.
     *
     * @param task  the task; receives its own handle when it runs
     * @param delay the delay; zero or negative fires on the next pass of the timer thread, and any
     *              positive value up to {@link Long#MAX_VALUE} ns is accepted
     * @param unit  the unit of {@code delay}
     * @return the timer's handle, with its id assigned
     * @throws NullPointerException       if {@code task} or {@code unit} is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped; the
     *                                    message names which
     */
    public TimerHandle schedule(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        long nowNs = clock.nanoTime();
        return scheduleHandle(task, nowNs, unit.toNanos(delay));
    }

    /**
     * Schedules a one-shot task.
     *
     * @param task  the task
     * @param delay the delay; zero or negative fires on the next pass
     * @return the timer's handle
     * @throws NullPointerException       if an argument is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle schedule(TimerTask task, Duration delay) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, "delay");
        long nowNs = clock.nanoTime();
        return scheduleHandle(task, nowNs, saturatedNanos(delay));
    }

    /**
     * Schedules a one-shot task at an absolute deadline of this timer's clock.
     *
     * @param task       the task
     * @param deadlineNs the deadline, as read from {@link #nanoTime()}; a deadline at or before
     *                   now fires on the next pass
     * @return the timer's handle
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle scheduleAt(TimerTask task, long deadlineNs) {
        Objects.requireNonNull(task, "task");
        long nowNs = clock.nanoTime();
        return scheduleHandle(task, nowNs, deadlineNs - nowNs);
    }

    /**
     * Schedules a notify-only timer: no task, just a handle whose
     * {@link TimerHandle#completion() completion} completes when the timer fires.
     *
     * @param delay the delay
     * @param unit  the unit of {@code delay}
     * @return the timer's handle
     * @throws NullPointerException       if {@code unit} is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle scheduleNotify(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        long nowNs = clock.nanoTime();
        TimerHandle handle = scheduleHandle(null, nowNs, unit.toNanos(delay));
        handle.completion();
        return handle;
    }

    private TimerHandle scheduleHandle(TimerTask task, long nowNs, long delayNs) {
        ensureRunning();
        long deadlineElapsedNs = deadlineElapsedNs(nowNs, delayNs);
        DefaultTimerHandle handle = new DefaultTimerHandle(this, task, originNs + deadlineElapsedNs);
        return submitHandle(handle, ceilTick(deadlineElapsedNs));
    }

    /**
     * Gives the handle an id, offers it, and takes it back if stop() raced the offer. The producer
     * writes nothing but the handle: the timer thread reads the deadline from it when it links it.
     */
    private <H extends DefaultTimerHandle> H submitHandle(H handle, long deadlineTick) {
        long id = wheel.allocate();
        if (id == TimingWheel.NO_TIMER) {
            throw reject("pending timers bound reached: maxPendingTimers=" + maxPendingTimers);
        }
        handle.id(id);
        if (!proxy.offer(handle, deadlineTick)) {
            wheel.discard(id);
            throw reject("command queue full: commandQueueCapacity=" + proxy.capacity());
        }
        if (state == TERMINATED && handle.tryCancel() >= 0) {
            // stop() finished between our state check and our offer and will never see it.
            handle.completeCancelled();
            throw reject("timer is stopped");
        }
        return handle;
    }

    // ------------------------------------------------------------------ scheduling: periodic and windows

    /**
     * Schedules a periodic task.
     *
     * @param task     the task; receives the same handle at every run
     * @param schedule how it repeats
     * @return the handle: its id stays the same across runs, {@link TimerHandle#cancel()} stops all
     *         future runs, and its future completes after the last run
     * @throws NullPointerException       if an argument is null
     * @throws IllegalArgumentException   if a dynamic schedule's first interval is not positive
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle schedulePeriodic(TimerTask task, PeriodicSchedule schedule) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(schedule, "schedule");
        ensureRunning();
        long nowNs = clock.nanoTime();
        long initialDelayNs = schedule.initialDelayNs(nowNs);
        if (schedule.isDynamic() && initialDelayNs <= 0 && !schedule.hasInitialDelay()) {
            throw new IllegalArgumentException("interval function returned " + initialDelayNs
                    + " ns for the first run; set initialDelay or return a positive interval");
        }
        long deadlineElapsedNs = deadlineElapsedNs(nowNs, initialDelayNs);
        PeriodicTimerHandle handle = new PeriodicTimerHandle(this, task, originNs + deadlineElapsedNs, schedule);
        return submitHandle(handle, ceilTick(deadlineElapsedNs));
    }

    /**
     * Schedules a task at a fixed rate, forever: the first run after {@code initialDelay}, then
     * every {@code period}, without drift; runs missed during a stall are skipped.
     *
     * @param task         the task
     * @param initialDelay the delay of the first run
     * @param period       the interval, {@code > 0}
     * @param unit         the unit of both
     * @return the handle
     * @throws IllegalArgumentException   if {@code period <= 0}
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle scheduleAtFixedRate(TimerTask task, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return schedulePeriodic(task, PeriodicSchedule.fixedRate(period, unit).initialDelay(initialDelay, unit).build());
    }

    /**
     * Schedules a one-shot task that may fire anywhere in a window, for timeouts whose exact
     * moment does not matter (idle, keep-alive). The timer picks the start of the coarsest wheel
     * slot inside the window, so it never cascades and timers with similar windows share a slot.
     * It never fires before {@code earliest}, nor later than {@code latest} plus one tick.
     *
     * @param task     the task
     * @param earliest the earliest delay
     * @param latest   the latest delay, {@code >= earliest}
     * @param unit     the unit of both
     * @return the handle; its {@link TimerHandle#deadlineNs()} is the earliest moment until the
     *         timer thread has chosen one inside the window, then the chosen moment
     * @throws IllegalArgumentException   if {@code latest < earliest}
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public TimerHandle scheduleWithin(TimerTask task, long earliest, long latest, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        long earliestNs = unit.toNanos(earliest);
        long latestNs = unit.toNanos(latest);
        if (latestNs < earliestNs) {
            throw new IllegalArgumentException("latest must not be before earliest: "
                    + latest + " < " + earliest + " " + unit);
        }
        ensureRunning();
        long nowNs = clock.nanoTime();
        long earliestTick = deadlineTick(nowNs, earliestNs);
        long latestTick = Math.max(earliestTick, floorTick(nowNs, latestNs));
        // Provisional: the timer thread picks the tick inside the window when it links the timer.
        long provisionalTick = wheel.windowDeadline(floorTick(nowNs, 0), earliestTick, latestTick);
        WindowTimerHandle handle = new WindowTimerHandle(this, task,
                originNs + deadlineElapsedNs(nowNs, earliestNs), earliestTick, latestTick);
        return submitHandle(handle, provisionalTick);
    }

    /** The absolute deadline of a tick of this timer's wheel. */
    long tickStartNs(long tick) {
        return originNs + tick * tickNs;
    }

    // ------------------------------------------------------------------ scheduling: ids

    /**
     * Schedules a timer on the primitive path: no handle object, nothing allocated per timer in
     * steady state. The handler runs on the timer thread.
     *
     * @param handler receives the expiry; usually one handler serves many timers
     * @param delay   the delay; zero or negative fires on the next pass
     * @param unit    the unit of {@code delay}
     * @return the timer's id, never 0
     * @throws NullPointerException       if {@code handler} or {@code unit} is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public long scheduleTimer(TimerExpiryHandler handler, long delay, TimeUnit unit) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(unit, "unit");
        long nowNs = clock.nanoTime();
        return scheduleId(handler, nowNs, unit.toNanos(delay));
    }

    /**
     * Schedules a timer on the primitive path at an absolute deadline of this timer's clock.
     *
     * @param handler    receives the expiry
     * @param deadlineNs the deadline, as read from {@link #nanoTime()}
     * @return the timer's id, never 0
     * @throws NullPointerException       if {@code handler} is null
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped
     */
    public long scheduleTimerAt(TimerExpiryHandler handler, long deadlineNs) {
        Objects.requireNonNull(handler, "handler");
        long nowNs = clock.nanoTime();
        return scheduleId(handler, nowNs, deadlineNs - nowNs);
    }

    private long scheduleId(TimerExpiryHandler handler, long nowNs, long delayNs) {
        ensureRunning();
        long deadlineTick = deadlineTick(nowNs, delayNs);
        long id = wheel.allocate();
        if (id == TimingWheel.NO_TIMER) {
            throw reject("pending timers bound reached: maxPendingTimers=" + maxPendingTimers);
        }
        wheel.markPending(id);
        TimerCommand command = proxy.borrow().link(id, deadlineTick, handler);
        if (!proxy.offer(command, deadlineTick)) {
            proxy.recycle(command);
            wheel.discard(id);
            throw reject("command queue full: commandQueueCapacity=" + proxy.capacity());
        }
        if (state == TERMINATED && wheel.tryCancel(id)) {
            throw reject("timer is stopped");
        }
        return id;
    }

    /**
     * Cancels a timer of the primitive path by id. O(1), never blocks; the storage is freed on
     * the timer thread's next pass. Handle timers are cancelled through their handle: their ids
     * identify them (in logs, in {@link #dump()}) but this method does not cancel them.
     *
     * @param timerId the id; stale, unknown, handle and 0 ids are harmless
     * @return true if this call cancelled the timer; false if it already fired, was cancelled,
     *         or the id is not a pending primitive-path timer
     */
    public boolean cancelTimer(long timerId) {
        if (!wheel.tryCancel(timerId)) {
            return false;
        }
        // Linking a cancelled entry fails, so only an entry already linked needs an unlink.
        if (wheel.isLinked(timerId)) {
            TimerCommand command = proxy.borrow().set(TimerCommand.RECLAIM, timerId);
            if (!proxy.offer(command, reclaimWakeTick())) {
                // A full queue only delays the release: the entry is freed at its deadline.
                proxy.recycle(command);
            }
        }
        return true;
    }

    /** {@link TimerHandle#cancel()}. */
    boolean cancelHandle(DefaultTimerHandle handle) {
        int previous = handle.tryCancel();
        if (previous < 0) {
            return false;
        }
        handle.completeCancelled();
        if ((previous & DefaultTimerHandle.LINKED) != 0) {
            // If the queue is full the entry is released at its deadline instead; nothing is lost.
            proxy.offer(handle, reclaimWakeTick());
        }
        return true;
    }

    /**
     * Moves a pending timer to {@code delay} from now, keeping its id: a primitive-path timer, or
     * a handle's (see {@link TimerHandle#postpone(long, TimeUnit)}). Linearizes against expiry.
     *
     * @param timerId the id
     * @param delay   the new delay; zero or negative fires on the next pass
     * @param unit    its unit
     * @return true if the timer was pending and is now due at the new deadline
     * @throws RejectedExecutionException if the command queue is full
     */
    public boolean postponeTimer(long timerId, long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        if (!wheel.tryBeginMove(timerId)) {
            return false;
        }
        long deadlineTick = deadlineTick(clock.nanoTime(), unit.toNanos(delay));
        TimerCommand command = proxy.borrow().move(timerId, deadlineTick);
        if (!proxy.offer(command, deadlineTick)) {
            proxy.recycle(command);
            wheel.abortMove(timerId);
            throw reject("command queue full: commandQueueCapacity=" + proxy.capacity());
        }
        return true;
    }

    /**
     * {@link TimerHandle#postpone}: claims the move and records the new deadline (and task) under
     * the handle's monitor, then offers the handle. Postpones of one handle, and the timer
     * thread's application of a move, hold the monitor, so the later postpone writes last and
     * the timer thread never applies a half-written one.
     */
    boolean postponeHandle(DefaultTimerHandle handle, long delayNs, TimerTask newTask) {
        long deadlineTick;
        long previousDeadlineNs;
        TimerTask previousTask;
        synchronized (handle) {
            if (!handle.tryBeginMove()) {
                return false;
            }
            long nowNs = clock.nanoTime();
            long deadlineElapsedNs = deadlineElapsedNs(nowNs, delayNs);
            deadlineTick = ceilTick(deadlineElapsedNs);
            previousDeadlineNs = handle.deadlineNs();
            previousTask = handle.task();
            handle.deadlineNs(originNs + deadlineElapsedNs);
            if (newTask != null) {
                handle.task(newTask);
            }
        }
        if (!proxy.offer(handle, deadlineTick)) {
            synchronized (handle) {
                abortMove(handle, previousDeadlineNs, previousTask);
            }
            throw reject("command queue full: commandQueueCapacity=" + proxy.capacity());
        }
        return true;
    }

    /**
     * Cancels every pending timer (on the handle path) that {@code filter} accepts, and returns
     * the handles it cancelled, whose futures are cancelled. Timers scheduled before this call
     * are all seen; the walk is O(pending) and runs on the timer thread, which this call waits
     * for, so it suits rare clean-ups (a library shutting down its share of a shared timer), not
     * hot paths. The filter runs on the timer thread; if it throws, that timer is left alone.
     *
     * @param filter chooses the timers to cancel
     * @return the handles this call cancelled
     * @throws NullPointerException  if {@code filter} is null
     * @throws IllegalStateException if the timer is stopped
     */
    public List<TimerHandle> cancelMatching(java.util.function.Predicate<? super TimerHandle> filter) {
        Objects.requireNonNull(filter, "filter");
        if (state >= STOPPING) {
            throw new IllegalStateException("timer is stopped");
        }
        if (drivenByCaller || state == NEW || Thread.currentThread() == thread) {
            return task.applyCommandsThenCancelMatching(filter);
        }
        CancelRequest request = new CancelRequest(filter);
        while (!proxy.offer(request, Long.MIN_VALUE)) {
            // The queue is full: the timer thread is draining it; try again shortly.
            Thread.onSpinWait();
            if (state >= STOPPING) {
                throw new IllegalStateException("timer is stopped");
            }
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return request.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("cancelMatching failed on the timer thread", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A request for {@link #cancelMatching}, answered on the timer thread. */
    static final class CancelRequest extends java.util.concurrent.CompletableFuture<List<TimerHandle>> {
        private final java.util.function.Predicate<? super TimerHandle> filter;

        CancelRequest(java.util.function.Predicate<? super TimerHandle> filter) {
            this.filter = filter;
        }

        java.util.function.Predicate<? super TimerHandle> filter() {
            return filter;
        }
    }

    /**
     * Starts a batch of schedules, cancels and postpones that reaches the timer thread in one
     * hand-off with at most one wake-up.
     *
     * @return an empty batch
     */
    public TimerBatch newBatch() {
        return new TimerBatch(this);
    }

    /**
     * Whether a primitive-path timer is still pending.
     *
     * @param timerId an id
     * @return true if the timer has neither fired nor been cancelled
     */
    public boolean isPending(long timerId) {
        return wheel.isPending(timerId);
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts the timer thread if it has not started yet. Scheduling starts it too, so calling
     * this is optional.
     *
     * @throws IllegalStateException if the timer was stopped
     */
    public void start() {
        if (state == NEW) {
            startThread();
        }
        if (state >= STOPPING) {
            throw new IllegalStateException("timer is stopped and cannot be restarted");
        }
    }

    /**
     * Stops the timer: applies commands already queued, cancels every timer that has not fired and
     * returns their handles (their futures are cancelled), and ends the timer thread. Later
     * schedule calls are rejected. Idempotent: a second call returns an empty list. Timers on the
     * primitive path are dropped and counted in {@link TimerStats#returnedByStop()}.
     *
     * @return the handles of the timers that never ran
     * @throws UnsupportedOperationException on the {@link #shared()} timer
     * @throws IllegalStateException         if called from the timer thread (inside a task)
     */
    public List<TimerHandle> stop() {
        if (shared) {
            throw new UnsupportedOperationException(
                    "the shared timer lives as long as the JVM; build your own GlobalTimer to stop it");
        }
        if (thread != null && Thread.currentThread() == thread) {
            throw new IllegalStateException("stop() must not be called from the timer thread");
        }
        synchronized (this) {
            if (state >= STOPPING) {
                awaitTermination();
                return List.of();
            }
            if (mbeanName != null) {
                GlobalTimerMBeans.unregister(mbeanName);
            }
            int previous = state;
            state = STOPPING;
            if (previous == NEW || drivenByCaller) {
                // No thread to do it: shut down here.
                terminated(task.shutdown());
            } else {
                proxy.wakeUp();
            }
        }
        awaitTermination();
        List<TimerHandle> result = unprocessed;
        unprocessed = List.of();
        return result;
    }

    /** @return true once {@link #stop()} has been called */
    public boolean isStopped() {
        return state >= STOPPING;
    }

    private void awaitTermination() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs one pass of the timer's duty cycle on the calling thread: applies queued commands and
     * expires due timers. Only for a timer built with {@link Builder#drivenByCaller()}, whose owner
     * calls this from one thread (an event loop, or a test on a manual clock).
     *
     * @return the work done (commands applied plus timers expired); 0 when idle
     * @throws IllegalStateException if the timer runs its own thread, or was stopped
     */
    public int doWork() {
        if (!drivenByCaller) {
            throw new IllegalStateException("doWork() is only for a timer built with drivenByCaller()");
        }
        if (state >= STOPPING) {
            throw new IllegalStateException("timer is stopped");
        }
        return task.doWork();
    }

    // ------------------------------------------------------------------ time and inspection

    /** @return the current reading of this timer's clock, in nanoseconds */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** @return this timer's clock */
    public NanoClock clock() {
        return clock;
    }

    /**
     * A clock cached from this timer's clock: refreshed by the timer thread at the start of every
     * pass, and by anyone who calls {@link CachedClock#refresh()} (a connection's event loop at
     * the start of a read burst). Reading it costs a volatile load instead of a system clock read.
     *
     * @return the cached clock
     */
    public CachedClock cachedClock() {
        return cachedClock;
    }

    /** @return the tick, in nanoseconds */
    public long tickNs() {
        return tickNs;
    }

    /**
     * @return true if the calling thread is this timer's thread (for example, inside a task run
     *         inline); false for a timer driven by its caller
     */
    public boolean isTimerThread() {
        return thread != null && Thread.currentThread() == thread;
    }

    /** @return true for the {@link #shared()} timer */
    public boolean isShared() {
        return shared;
    }

    /**
     * A snapshot of the counters; never blocks the timer thread.
     *
     * @return the statistics
     */
    public TimerStats stats() {
        return counters.snapshot(rejected.sum(), taskFailures.sum(), intervalFailures.sum(),
                executorRejections.sum(), proxy.depth(), connections.size(), proxy.wakeups());
    }

    /**
     * A readable picture of the wheel for debugging: the current tick, per level the current
     * slot, the occupied slots with their counts (at most 16 per level) and the next deadline,
     * and the busiest slots; then the statistics. Bounded in size. The wheel belongs to the timer
     * thread, so the picture is taken there: this call hands it a request and waits up to five
     * seconds for the answer (a timer built with {@link Builder#drivenByCaller()} is pictured on
     * the calling thread, which must be its driver).
     *
     * @return the picture
     */
    public String dump() {
        String wheelPicture;
        if (drivenByCaller || state != STARTED || Thread.currentThread() == thread) {
            wheelPicture = task.dump(DUMP_SLOTS_PER_LEVEL);
        } else {
            DumpRequest request = new DumpRequest(DUMP_SLOTS_PER_LEVEL);
            if (!proxy.offer(request, Long.MIN_VALUE)) {
                wheelPicture = "(wheel not pictured: command queue full)\n";
            } else {
                try {
                    wheelPicture = request.get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    wheelPicture = "(wheel not pictured: the timer thread did not answer within 5 s)\n";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    wheelPicture = "(wheel not pictured: interrupted)\n";
                } catch (java.util.concurrent.ExecutionException e) {
                    wheelPicture = "(wheel not pictured: " + e.getCause() + ")\n";
                }
            }
        }
        return "GlobalTimer tick=" + tickNs + " ns" + (shared ? " (shared)" : "") + (isStopped() ? " (stopped)" : "")
                + " now=" + (clock.nanoTime() - originNs) / tickNs + " ticks since start\n"
                + wheelPicture + stats() + "\n";
    }

    private static final int DUMP_SLOTS_PER_LEVEL = 16;

    /** A request for {@link #dump()}, answered on the timer thread. */
    static final class DumpRequest extends java.util.concurrent.CompletableFuture<String> {
        private final int maxSlotsPerLevel;

        DumpRequest(int maxSlotsPerLevel) {
            this.maxSlotsPerLevel = maxSlotsPerLevel;
        }

        int maxSlotsPerLevel() {
            return maxSlotsPerLevel;
        }
    }

    /**
     * Whether producers are outrunning the timer thread: the command queue is at least three
     * quarters full. Schedules fail with {@link RejectedExecutionException} once it is full.
     *
     * @return true under backpressure
     */
    public boolean isApplyingBackpressure() {
        return proxy.isApplyingBackpressure();
    }

    @Override
    public String toString() {
        return "GlobalTimer[tick=" + tickNs + " ns, pending=" + counters.pending()
                + (shared ? ", shared" : "") + (isStopped() ? ", stopped" : "") + "]";
    }

    // ------------------------------------------------------------------ connections

    /**
     * Registers a connection id, so that {@link TimerStats#activeConnections()} counts it and a
     * second registration of the same id is refused. Per-connection timer managers
     * ({@code dev.escapement.connection.TimerManager}) call this; user code rarely needs to.
     *
     * @param connectionId the id
     * @return true if the id was not registered yet
     */
    public boolean registerConnection(long connectionId) {
        return connections.add(connectionId);
    }

    /**
     * Removes a connection id registered with {@link #registerConnection(long)}.
     *
     * @param connectionId the id
     * @return true if it was registered
     */
    public boolean unregisterConnection(long connectionId) {
        return connections.remove(connectionId);
    }

    /** @return the number of registered connections */
    public int activeConnections() {
        return connections.size();
    }

    // ------------------------------------------------------------------ package-private plumbing

    /**
     * The tick a timer due {@code delayNs} after {@code nowNs} belongs to. A positive delay rounds
     * up, so the timer never fires early; a zero or negative delay maps to the current tick, so it
     * fires on the next pass. Saturates at the largest tick instead of overflowing.
     */
    /**
     * The deadline {@code delayNs} after {@code nowNs}, in nanoseconds since the timer's origin:
     * saturated at {@link Long#MAX_VALUE} for huge delays; a zero or negative delay gives "now"
     * (or earlier), which is due at once.
     */
    long deadlineElapsedNs(long nowNs, long delayNs) {
        long elapsedNs = nowNs - originNs;
        long deadlineElapsedNs = elapsedNs + delayNs;
        if (delayNs > 0 && elapsedNs > 0 && deadlineElapsedNs < 0) {
            return Long.MAX_VALUE;
        }
        if (delayNs < 0 && elapsedNs < 0 && deadlineElapsedNs > 0) {
            return Long.MIN_VALUE / 2;
        }
        return delayNs <= 0 ? Math.min(deadlineElapsedNs, Math.max(elapsedNs, 0)) : deadlineElapsedNs;
    }

    /** The tick of a deadline since the origin, rounding up (a past deadline gives tick 0). */
    long ceilTick(long deadlineElapsedNs) {
        return deadlineElapsedNs <= 0 ? 0 : (deadlineElapsedNs - 1) / tickNs + 1;
    }

    long deadlineTick(long nowNs, long delayNs) {
        long elapsedNs = nowNs - originNs;
        if (delayNs <= 0) {
            return Math.max(elapsedNs, 0) / tickNs;
        }
        // Clamp the sum, not the reading: a reading just before the origin still gives the
        // deadline it names.
        long deadlineElapsedNs = elapsedNs + delayNs;
        if (elapsedNs > 0 && deadlineElapsedNs < 0) {
            deadlineElapsedNs = Long.MAX_VALUE;
        }
        if (deadlineElapsedNs <= 0) {
            return 0;
        }
        return (deadlineElapsedNs - 1) / tickNs + 1;
    }

    /** Test seam: at most {@code limit} expiries per pass, so a pass expires timers one by one. */
    void expiriesPerPass(int limit) {
        task.expiriesPerPass(limit);
    }

    boolean isStopRequested() {
        return state >= STOPPING;
    }

    void markTerminated() {
        state = TERMINATED;
    }

    void terminated(List<TimerHandle> handles) {
        unprocessed = handles;
        state = TERMINATED;
        terminated.countDown();
    }

    /**
     * The "deadline" an unlink command offers itself with: a cancelled timer's memory should not
     * wait for the next deadline, which may be hours away, so the unlink wakes a parked timer
     * thread, unless the thread is due to wake within {@value #MAX_RECLAIM_DELAY_MS} ms anyway.
     * Read from the cached clock: a cancel makes no clock read and, while the timer is busy, no
     * system call.
     */
    private long reclaimWakeTick() {
        long nowTick = Math.max(cachedClock.nanoTime() - originNs, 0) / tickNs;
        return nowTick + reclaimDelayTicks;
    }

    /** The longest a cancelled timer's unlink waits for a timer thread parked past it. */
    static final long MAX_RECLAIM_DELAY_MS = 10;

    /** The tick of {@code nowNs + delayNs}, rounding down (for the end of a window). */
    long floorTick(long nowNs, long delayNs) {
        long elapsedNs = nowNs - originNs;
        if (elapsedNs < 0) {
            elapsedNs = 0;
        }
        long deadlineElapsedNs = elapsedNs + Math.max(delayNs, 0);
        if (deadlineElapsedNs < 0) {
            deadlineElapsedNs = Long.MAX_VALUE;
        }
        return deadlineElapsedNs / tickNs;
    }

    boolean isTerminated() {
        return state == TERMINATED;
    }

    int maxPendingTimers() {
        return maxPendingTimers;
    }

    int commandQueueCapacity() {
        return proxy.capacity();
    }

    /** Batch support: a new handle with its id; null if the pending bound is reached. */
    DefaultTimerHandle reserveHandle(TimerTask task, long nowNs, long delayNs) {
        DefaultTimerHandle handle = new DefaultTimerHandle(this, task, originNs + deadlineElapsedNs(nowNs, delayNs));
        long id = wheel.allocate();
        if (id == TimingWheel.NO_TIMER) {
            rejected.increment();
            return null;
        }
        handle.id(id);
        return handle;
    }

    /** Batch support: hands back the id of a handle that was never offered. */
    void unreserveHandle(DefaultTimerHandle handle) {
        wheel.discard(handle.id());
        rejected.increment();
    }

    /** Batch support: cancels a primitive-path id; true if the timer thread must unlink it. */
    boolean tryCancelRaw(long timerId) {
        return wheel.tryCancel(timerId);
    }

    boolean isLinkedRaw(long timerId) {
        return wheel.isLinked(timerId);
    }

    /**
     * Batch support: claims a move {@code delayNs} from now and records it on the handle, without
     * offering it; serialized with other postpones of the handle as {@link #postponeHandle} is.
     */
    boolean tryBeginMoveOnly(DefaultTimerHandle handle, long delayNs) {
        synchronized (handle) {
            if (!handle.tryBeginMove()) {
                return false;
            }
            handle.deadlineNs(originNs + deadlineElapsedNs(clock.nanoTime(), delayNs));
            return true;
        }
    }

    /** Undoes a claimed move whose command could not be offered; callers hold the handle's monitor. */
    void abortMove(DefaultTimerHandle handle, long previousDeadlineNs, TimerTask previousTask) {
        handle.deadlineNs(previousDeadlineNs);
        handle.task(previousTask);
        handle.endMove();
    }

    boolean offerBatch(TimerBatch batch, long earliestTick, boolean unlinks) {
        if (proxy.offer(batch, unlinks ? Math.min(earliestTick, reclaimWakeTick()) : earliestTick)) {
            return true;
        }
        rejected.increment();
        return false;
    }

    /** A periodic run ended, on the timer thread or the callback executor. */
    void periodicRunEnded(PeriodicTimerHandle handle) {
        if (handle.isLastRun()) {
            handle.finishLastRun();
        } else {
            handle.moveToFollowingDeadline();
            // Fails if a cancel arrived during the run; the canceller's command unlinks the entry.
            handle.tryEndRun();
        }
    }

    void intervalFailed(PeriodicTimerHandle handle, Throwable failure) {
        intervalFailures.increment();
        LOG.log(Level.WARNING, "periodic timer stopped by its interval function: " + handle, failure);
    }

    void taskFailed(TimerHandle handle, Throwable failure) {
        taskFailures.increment();
        LOG.log(Level.WARNING, "timer task failed: " + handle, failure);
    }

    void handlerFailed(long timerId, Throwable failure) {
        taskFailures.increment();
        LOG.log(Level.WARNING, "timer expiry handler failed for timer " + timerId, failure);
    }

    void executorRejected(DefaultTimerHandle handle, Throwable failure) {
        executorRejections.increment();
        LOG.log(Level.WARNING, "callback executor refused timer " + handle, failure);
        if (!(handle instanceof PeriodicTimerHandle periodic) || periodic.isLastRun()) {
            handle.fail(failure);
        }
    }

    private RejectedExecutionException reject(String reason) {
        rejected.increment();
        return new RejectedExecutionException(reason);
    }

    void ensureRunning() {
        int current = state;
        if (current == STARTED) {
            return;
        }
        if (current == NEW) {
            startThread();
            if (state == STARTED) {
                return;
            }
        }
        throw reject("timer is stopped");
    }

    private synchronized void startThread() {
        if (state != NEW) {
            return;
        }
        state = STARTED;
        thread.start();
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Configures a {@link GlobalTimer}. Every setting has a default; {@link #build()} validates
     * them all and throws {@link IllegalArgumentException} naming the parameter, its value and the
     * allowed range.
     *
     * <p>Not thread-safe: confine a builder to one thread.
     */
    public static final class Builder {

        private long tickNs = DEFAULT_TICK_NS;
        private int slotsPerLevel = TimingWheel.DEFAULT_SLOTS_PER_LEVEL;
        private int maxPendingTimers = DEFAULT_MAX_PENDING_TIMERS;
        private int commandQueueCapacity = DEFAULT_COMMAND_QUEUE_CAPACITY;
        private String threadName = DEFAULT_THREAD_NAME;
        private ThreadFactory threadFactory;
        private NanoClock clock = NanoClock.system();
        private Executor callbackExecutor;
        private boolean drivenByCaller;
        private boolean jmx;

        private Builder() {
        }

        /**
         * The wheel's tick: its resolution. Default 1 ms; from 1 µs to 1 s. A timer fires at most
         * one tick late; a shorter tick costs more wake-ups only while timers are due.
         *
         * @param tick the tick
         * @param unit its unit
         * @return this builder
         */
        public Builder tick(long tick, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            this.tickNs = unit.toNanos(tick);
            return this;
        }

        /**
         * The wheel's tick. Default 1 ms; from 1 µs to 1 s.
         *
         * @param tick the tick
         * @return this builder
         */
        public Builder tick(Duration tick) {
            Objects.requireNonNull(tick, "tick");
            this.tickNs = saturatedNanos(tick);
            return this;
        }

        /**
         * Slots per wheel level: a power of two from 2 to 64; default 64. The number of levels
         * follows, so that every delay up to {@link Long#MAX_VALUE} ns fits.
         *
         * @param slotsPerLevel slots per level
         * @return this builder
         */
        public Builder slotsPerLevel(int slotsPerLevel) {
            this.slotsPerLevel = slotsPerLevel;
            return this;
        }

        /**
         * The most timers pending at once, from 1 to 2^30; default 2^26. Past it, schedule calls
         * throw {@link RejectedExecutionException}. Storage grows in chunks up to this bound.
         *
         * @param maxPendingTimers the bound
         * @return this builder
         */
        public Builder maxPendingTimers(int maxPendingTimers) {
            this.maxPendingTimers = maxPendingTimers;
            return this;
        }

        /**
         * The most commands waiting for the timer thread: a power of two from 16 to 2^30; default
         * 2^20. Past it, schedule calls throw {@link RejectedExecutionException}.
         *
         * @param commandQueueCapacity the bound
         * @return this builder
         */
        public Builder commandQueueCapacity(int commandQueueCapacity) {
            this.commandQueueCapacity = commandQueueCapacity;
            return this;
        }

        /**
         * The timer thread's name; default {@value GlobalTimer#DEFAULT_THREAD_NAME}. Ignored when a
         * thread factory is set.
         *
         * @param threadName the name
         * @return this builder
         */
        public Builder threadName(String threadName) {
            this.threadName = Objects.requireNonNull(threadName, "threadName");
            return this;
        }

        /**
         * Creates the timer thread instead of the default (a daemon thread named
         * {@link #threadName}). The factory decides name, daemon flag and priority.
         *
         * @param threadFactory the factory
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * The clock; default {@link NanoClock#system()}. Tests pass a
         * {@link dev.escapement.clock.ManualClock} together with {@link #drivenByCaller()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Runs handle tasks on this executor instead of the timer thread. A rejection is logged
         * and counted and fails the handle's future. Expiry handlers of the primitive path always
         * run on the timer thread.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * No timer thread: the owner drives the timer by calling {@link GlobalTimer#doWork()}
         * from one thread, for example an event loop, or a test on a manual clock.
         *
         * @return this builder
         */
        public Builder drivenByCaller() {
            this.drivenByCaller = true;
            return this;
        }

        /**
         * Registers a JMX MXBean ({@link GlobalTimerMXBean}) with the platform MBean server under
         * {@code dev.escapement:type=GlobalTimer,name=<thread name>}, unregistered by
         * {@link GlobalTimer#stop()}. Off by default.
         *
         * @return this builder
         */
        public Builder jmx() {
            this.jmx = true;
            return this;
        }

        /**
         * Validates the settings and creates the timer. Its thread starts on first use.
         *
         * @return the timer
         * @throws IllegalArgumentException if a setting is out of range
         */
        public GlobalTimer build() {
            if (tickNs < MIN_TICK_NS || tickNs > MAX_TICK_NS) {
                throw new IllegalArgumentException("tick must be between 1 µs and 1 s: " + tickNs + " ns");
            }
            TimingWheel.checkSlotsPerLevel(slotsPerLevel);
            if (maxPendingTimers < 1 || maxPendingTimers > TimingWheel.MAX_CAPACITY) {
                throw new IllegalArgumentException("maxPendingTimers must be between 1 and "
                        + TimingWheel.MAX_CAPACITY + ": " + maxPendingTimers);
            }
            if (commandQueueCapacity < MIN_COMMAND_QUEUE_CAPACITY
                    || commandQueueCapacity > MAX_COMMAND_QUEUE_CAPACITY
                    || Integer.bitCount(commandQueueCapacity) != 1) {
                throw new IllegalArgumentException("commandQueueCapacity must be a power of two between "
                        + MIN_COMMAND_QUEUE_CAPACITY + " and " + MAX_COMMAND_QUEUE_CAPACITY + ": " + commandQueueCapacity);
            }
            if (threadName.isBlank()) {
                throw new IllegalArgumentException("threadName must not be blank: \"" + threadName + "\"");
            }
            return new GlobalTimer(this, false);
        }
    }
}
