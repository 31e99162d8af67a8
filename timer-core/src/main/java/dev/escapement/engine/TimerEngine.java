package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.IDLE;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.MOVING;
import static dev.escapement.engine.TimerEntry.PENDING;
import static dev.escapement.engine.TimerEntry.SEEN;
import static dev.escapement.engine.TimerEntry.isPendingStatus;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.plusOffer;
import static dev.escapement.engine.TimerEntry.status;

import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerStats;
import dev.escapement.clock.CachedClock;
import dev.escapement.clock.NanoClock;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine behind a {@code GlobalTimer}: its time base, its command queue, and the
 * producer-side protocols, written once for every kind of timer.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>Every method here may be called from any thread unless it says otherwise; none takes a
 *       lock. Only the {@link GlobalTimerTask} (on the timer thread) touches the wheel.</li>
 *   <li>Time inside the engine is nanoseconds since its origin (the clock's reading when it was
 *       built), never negative for "now", saturating at {@link Long#MAX_VALUE} for deadlines, so
 *       deadlines compare with {@code <} and a clock that starts anywhere or wraps changes
 *       nothing. {@link #absoluteNs} turns them back into clock readings.</li>
 *   <li>A call that is refused (a bound reached, the queue full, the timer stopped) leaves its
 *       timer exactly as it was and throws {@link RejectedExecutionException} naming why.</li>
 * </ul>
 *
 * <h2>The protocols</h2>
 * <ul>
 *   <li><b>schedule</b>: write the deadline, mark the entry {@code PENDING}, offer it. If
 *       {@code stop()} finished meanwhile, take it back with a compare-and-set; if that fails,
 *       stop returned it.</li>
 *   <li><b>cancel</b>: {@code PENDING | MOVING | RUNNING -> CANCELLED}. Only if the word it
 *       replaced says the timer thread holds the entry is an unlink offered; if the queue is full
 *       the entry is dropped when its deadline comes up instead.</li>
 *   <li><b>postpone</b>: claim ({@code PENDING -> MOVING}), write the deadline, offer, release
 *       ({@code MOVING -> PENDING}). A refused offer restores the old deadline before releasing.
 *       While a claim is held nothing fires or moves the entry; a cancel still wins.</li>
 *   <li><b>batch</b>: the same steps, one offer for all; a refused offer undoes its schedules and
 *       postpones in reverse order.</li>
 * </ul>
 */
public final class TimerEngine {

    static final int NEW = 0;
    static final int STARTED = 1;
    static final int STOPPING = 2;
    static final int TERMINATED = 3;

    /** Deadlines closer than this to "now" are not held back in the queue. */
    static final long NEAR_NS = CommandQueue.HOLD_NS + CommandQueue.CADENCE_NS;

    final NanoClock clock;
    final CachedClock cachedClock;
    final long originNs;
    final long tickNs;
    final int slotsPerLevel;
    final int maxPendingTimers;
    final Executor callbackExecutor;
    /** No timer thread: the caller drives every pass, and commands are never held back. */
    final boolean drivenByCaller;
    final CommandQueue queue;
    final TimerCounters counters;
    final IdPath ids = new IdPath(this);
    final LongAdder connections = new LongAdder();
    final GlobalTimerTask task;
    private final TimerRunner runner;

    // Written by the timer thread once per pass, read by producers.
    private volatile long publishedPending;
    /** Schedules queued in batches beyond the one queue slot each batch takes: for the bound. */
    final java.util.concurrent.atomic.AtomicLong batchedSchedules = new java.util.concurrent.atomic.AtomicLong();
    private volatile long publishedTick;

    /**
     * Creates an engine; its thread (if it has one) starts on first use.
     *
     * @param settings the validated settings
     */
    public TimerEngine(EngineSettings settings) {
        this.clock = settings.clock();
        this.cachedClock = new CachedClock(clock);
        this.originNs = clock.nanoTime();
        this.tickNs = settings.tickNs();
        this.slotsPerLevel = settings.slotsPerLevel();
        this.maxPendingTimers = settings.maxPendingTimers();
        this.callbackExecutor = settings.callbackExecutor();
        this.drivenByCaller = settings.threadFactory() == null;
        this.queue = new CommandQueue(settings.commandQueueCapacity());
        this.counters = new TimerCounters(dev.escapement.wheel.TimingWheel.levelCount(slotsPerLevel));
        this.task = new GlobalTimerTask(this);
        this.runner = new TimerRunner(this, settings);
    }

    // ------------------------------------------------------------------ time

    /** @return now, in the engine's nanoseconds, from the clock */
    public long nowNs() {
        return elapsedNs(clock.nanoTime());
    }

    /** @return now, in the engine's nanoseconds, from the cached clock (one volatile load) */
    public long cachedNowNs() {
        return elapsedNs(cachedClock.nanoTime());
    }

    /** A clock reading as the engine's nanoseconds; a reading before the origin is the origin. */
    public long elapsedNs(long readingNs) {
        long elapsedNs = readingNs - originNs;
        return elapsedNs < 0 ? 0 : elapsedNs;
    }

    /** An engine time as a reading of the clock. */
    public long absoluteNs(long engineNs) {
        return originNs + engineNs;
    }

    /**
     * The deadline {@code delayNs} after {@code nowNs}: saturated at {@link Long#MAX_VALUE}; a
     * zero or negative delay gives a deadline at or before now, due at once.
     *
     * @param nowNs   now, in the engine's nanoseconds (never negative)
     * @param delayNs the delay; any value
     * @return the deadline
     */
    public static long deadlineAfter(long nowNs, long delayNs) {
        return delayNs > 0 && nowNs > Long.MAX_VALUE - delayNs ? Long.MAX_VALUE : nowNs + delayNs;
    }

    /** @return the engine's tick in nanoseconds */
    public long tickNs() {
        return tickNs;
    }

    /** @return the cached clock the timer thread refreshes every pass */
    public CachedClock cachedClock() {
        return cachedClock;
    }

    /**
     * The deadline a window timer gets: the start of the coarsest wheel slot inside
     * {@code [earliestNs, latestNs]}, against the wheel's current tick as last published, so that
     * the timer never cascades (see {@link dev.escapement.wheel.TimingWheel#windowTick}).
     */
    public long windowDeadlineNs(long earliestNs, long latestNs) {
        long firstTick = earliestNs <= 0 ? 0 : (earliestNs - 1) / tickNs + 1;
        long lastTick = Math.floorDiv(latestNs, tickNs);
        if (latestNs < 0 || firstTick > lastTick) {
            // No tick starts inside the window (or it lies before the origin): its earliest moment.
            return earliestNs;
        }
        long tick = dev.escapement.wheel.TimingWheel.windowTick(publishedTick, firstTick, lastTick, slotsPerLevel);
        return Math.max(earliestNs, tick * tickNs);
    }

    // ------------------------------------------------------------------ schedule

    /**
     * Schedules an entry that is not pending (a new one, or a reusable one that fired or was
     * cancelled) at {@code deadlineNs}.
     *
     * @throws RejectedExecutionException if a bound is reached or the timer is stopped; the
     *                                    entry is then as it was
     */
    public void schedule(TimerEntry entry, long deadlineNs, long nowNs) {
        ensureRunning();
        checkPendingBound();
        if (!entry.isReusable()) {
            scheduleNew(entry, deadlineNs, nowNs);
            return;
        }
        arm(entry, deadlineNs, nowNs, false);
    }

    /**
     * Arms, or moves earlier, a reusable entry that its owner keeps for good (a connection's
     * manager, which is its own wheel entry). Outside the pending bound, since arming it takes no
     * memory; and never refused for a full queue: the offer then goes to the queue's overflow,
     * which the timer thread takes whole every pass. So a connection never loses the entry that
     * covers its timeouts.
     *
     * @param deadlineNs the deadline; a pending entry moves only if this is earlier than its own
     * @return {@link #ARMED}, {@link #MOVED} or {@link #LEFT} (pending no later already, or it
     *         fired meanwhile: its expiry then owes its owner a drain)
     * @throws RejectedExecutionException if the timer is stopped; the entry is then as it was
     */
    public int cover(TimerEntry entry, long deadlineNs, long nowNs) {
        ensureRunning();
        if (!entry.isPendingEntry()) {
            arm(entry, deadlineNs, nowNs, true);
            return ARMED;
        }
        if (deadlineNs < entry.requestedNs && move(entry, deadlineNs, nowNs, null, true)) {
            return MOVED;
        }
        return LEFT;
    }

    /** What {@link #cover} did. */
    public static final int LEFT = 0;
    /** @see #cover */
    public static final int ARMED = 1;
    /** @see #cover */
    public static final int MOVED = 2;

    private void arm(TimerEntry entry, long deadlineNs, long nowNs, boolean keep) {
        int previous;
        int armed;
        do {
            previous = entry.state();
            if (isPendingStatus(status(previous))) {
                throw new IllegalStateException("already pending: " + entry);
            }
            // Not pending, so the timer thread does not read the deadline until the word says so.
            entry.requestedNs = deadlineNs;
            // A new arming: the timer thread has not counted it yet, and may still hold the entry
            // from its last one (a cancelled entry waiting for its unlink).
            armed = plusOffer(next(previous, PENDING, previous & LINKED) & ~TimerEntry.MOVED);
        } while (!entry.compareAndSetState(previous, armed));
        if ((previous & (LINKED | SEEN)) == LINKED) {
            // Held, not seen: the arming this one replaces was itself armed after a cancel the
            // timer thread has not seen. It will count one cancel and one arming for the two.
            counters.mergedArmings.increment();
        }
        if (!queue.offer(entry, deadlineNs, nowNs, deadlineNs - nowNs < NEAR_NS, keep)) {
            StateTransitions.restore(entry, previous);
            throw reject("command queue full: commandQueueCapacity=" + queue.capacity());
        }
        takeBackIfStopped(entry);
    }

    /**
     * After an offer: if stop() finished between our check and our offer it will never see the
     * entry; take it back (a cancel from whatever word it has) and refuse.
     */
    private void takeBackIfStopped(TimerEntry entry) {
        if (runner.isTerminated() && StateTransitions.tryCancel(entry) != StateTransitions.NOT_PENDING) {
            throw reject("timer is stopped");
        }
    }

    /** A one-shot entry no other thread knows yet: plain stores, published by the offer. */
    private void scheduleNew(TimerEntry entry, long deadlineNs, long nowNs) {
        entry.requestedNs = deadlineNs;
        entry.initState(PENDING | TimerEntry.OFFER);
        if (!queue.offer(entry, deadlineNs, nowNs, deadlineNs - nowNs < NEAR_NS, false)) {
            entry.initState(IDLE);
            throw reject("command queue full: commandQueueCapacity=" + queue.capacity());
        }
        takeBackIfStopped(entry);
    }

    private void checkPendingBound() {
        // The backlog is at most the queue's capacity plus what one pass takes: only near the
        // bound is it worth reading (a line the timer thread writes as it drains).
        long pending = publishedPending + batchedSchedules.get();
        if (pending + queue.capacity() + GlobalTimerTask.COMMANDS_PER_PASS >= maxPendingTimers
                && queue.backlog() + publishedPending + batchedSchedules.get() >= maxPendingTimers) {
            throw reject("pending timers bound reached: maxPendingTimers=" + maxPendingTimers);
        }
    }

    RejectedExecutionException reject(String reason) {
        counters.rejected.increment();
        return new RejectedExecutionException(reason);
    }

    /** Schedules a one-shot handle: the handle path. */
    public dev.escapement.TimerHandle scheduleHandle(dev.escapement.TimerTask task, long deadlineNs, long nowNs) {
        HandleEntry handle = new HandleEntry(this, task);
        schedule(handle, deadlineNs, nowNs);
        return handle;
    }

    /**
     * Schedules a periodic handle. A first deadline in the past fires on the next pass and starts
     * the grid there.
     *
     * @param intervalNs       the fixed interval, or 0 with a function
     * @param intervalFunction {@code lastFireNs -> nextIntervalNs}, or null
     */
    public dev.escapement.TimerHandle schedulePeriodic(dev.escapement.TimerTask task, long firstDeadlineNs, long nowNs,
                                                      long intervalNs, java.util.function.LongUnaryOperator intervalFunction,
                                                      long loops, long jitterNs, boolean catchUp) {
        long firstNs = Math.max(firstDeadlineNs, nowNs);
        PeriodicHandle handle = new PeriodicHandle(this, task, firstNs, intervalNs, intervalFunction, loops, jitterNs, catchUp);
        schedule(handle, firstNs, nowNs);
        return handle;
    }

    /** @return true if {@code entry} is a handle of this engine */
    public boolean owns(TimerEntry entry) {
        return entry instanceof HandleEntry handle && handle.engine() == this;
    }

    /** A new one-shot handle, not scheduled: for a batch. */
    public TimerEntry newHandle(dev.escapement.TimerTask task) {
        return new HandleEntry(this, task);
    }

    // ------------------------------------------------------------------ cancel

    /**
     * Cancels a pending entry.
     *
     * @return true if this call cancelled it
     */
    public boolean cancel(TimerEntry entry) {
        int previous = StateTransitions.tryCancel(entry);
        if (previous == StateTransitions.NOT_PENDING) {
            return false;
        }
        if ((previous & LINKED) != 0 && !queue.offer(entry, Long.MAX_VALUE, cachedNowNs(), false, false)) {
            // The queue is full: the entry is dropped when its deadline comes up instead.
            StateTransitions.takeBackOffer(entry);
        }
        return true;
    }

    // ------------------------------------------------------------------ postpone

    /**
     * Moves a pending entry to {@code deadlineNs} (and, for a handle, replaces its task if
     * {@code newTask} is not null).
     *
     * @return true if the entry was pending and now has the new deadline
     * @throws RejectedExecutionException if the command queue is full; the entry is as it was
     */
    public boolean postpone(TimerEntry entry, long deadlineNs, long nowNs, Object newTask) {
        return move(entry, deadlineNs, nowNs, newTask, false);
    }

    private boolean move(TimerEntry entry, long deadlineNs, long nowNs, Object newTask, boolean keep) {
        int before = StateTransitions.claim(entry);
        if (before == StateTransitions.NOT_PENDING) {
            return false;
        }
        long previousNs = entry.requestedNs;
        Object previousTask = replaceTask(entry, newTask);
        entry.requestedNs = deadlineNs;
        if (!queue.offer(entry, deadlineNs, nowNs, true, keep)) {
            entry.requestedNs = previousNs;
            replaceTask(entry, previousTask);
            StateTransitions.abandon(entry);
            throw new RejectedExecutionException("command queue full: commandQueueCapacity=" + queue.capacity());
        }
        StateTransitions.release(entry);
        return true;
    }

    private static Object replaceTask(TimerEntry entry, Object newTask) {
        if (newTask == null || !(entry instanceof HandleEntry handle)) {
            return null;
        }
        Object previous = handle.task;
        handle.task = (dev.escapement.TimerTask) newTask;
        return previous;
    }

    /** Applies a batch: see {@link BatchOps#submit}. */
    public boolean[] submit(BatchOps ops, long nowNs) {
        return ops.submit(this, nowNs);
    }

    /** Whether {@code more} schedules fit under the pending bound, with those queued. */
    boolean hasRoomFor(int more) {
        long backlog = queue.backlog();
        return publishedPending + batchedSchedules.get() + backlog + more < maxPendingTimers;
    }

    // ------------------------------------------------------------------ lifecycle and inspection

    /** Starts the timer thread if it has not started; scheduling does this too. */
    public void start() {
        runner.start();
    }

    void ensureRunning() {
        if (!runner.ensureRunning()) {
            throw reject("timer is stopped");
        }
    }

    /**
     * Stops the engine: applies every queued command, cancels every pending timer, ends the
     * thread. Idempotent: a second call returns an empty list.
     *
     * @return the entries that were pending and that stop cancelled
     */
    public java.util.List<TimerEntry> stop() {
        return runner.stop();
    }

    /** @return the id path */
    public IdPath ids() {
        return ids;
    }

    boolean isTerminated() {
        return runner.isTerminated();
    }

    /** Test seam: at most {@code limit} timers taken from the wheel per pass. */
    public void expiriesPerPass(int limit) {
        task.expiriesPerPass(limit);
    }

    /** Test seam: a caller-driven engine holds commands back as a threaded one does. */
    public void holdCommands(boolean hold) {
        task.holdCommands(hold);
    }

    public boolean isStopped() {
        return runner.isStopRequested();
    }

    public boolean isTimerThread() {
        return runner.isTimerThread();
    }

    /** One pass, for an engine driven by its caller. */
    public int doWork() {
        return runner.doWork();
    }

    /**
     * Runs work on the timer thread and waits for its answer (inline when the caller drives the
     * engine, or is the timer thread). The queue is flushed first, so the work sees every timer
     * scheduled before this call.
     */
    <T> T onTimerThread(java.util.function.Function<GlobalTimerTask, T> work, long waitNs) {
        return runner.onTimerThread(work, waitNs);
    }

    /**
     * Cancels every pending entry in the wheel that {@code filter} accepts, on the timer thread,
     * after applying every command queued before this call.
     *
     * @return the entries it cancelled
     * @throws IllegalStateException if the engine is stopped
     */
    public java.util.List<TimerEntry> cancelMatching(java.util.function.Predicate<? super TimerEntry> filter) {
        return onTimerThread(task -> task.cancelMatching(filter), Long.MAX_VALUE);
    }

    /**
     * A picture of the wheel, taken on the timer thread.
     *
     * @throws IllegalStateException if the engine is stopped or the timer thread did not answer in time
     */
    public String picture(int maxSlotsPerLevel, long waitNs) {
        return onTimerThread(task -> task.dump(maxSlotsPerLevel), waitNs);
    }

    /** A slot for the connection package's registry of this engine's connections. */
    private final java.util.concurrent.atomic.AtomicReference<Object> connectionRegistry =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The connection registry of this engine, created by {@code create} on first use.
     *
     * @param create makes the registry
     * @param <T>    its type
     * @return the registry
     */
    @SuppressWarnings("unchecked")
    public <T> T connectionRegistry(java.util.function.Supplier<T> create) {
        Object current = connectionRegistry.get();
        if (current == null) {
            connectionRegistry.compareAndSet(null, create.get());
            current = connectionRegistry.get();
        }
        return (T) current;
    }

    /** Timer thread: publishes what producers read each pass. */
    void publish(long pending, long tick) {
        publishedPending = pending;
        publishedTick = tick;
    }

    public TimerStats stats() {
        return counters.snapshot(queue.size(), connections.sum(), queue.wakeups(), ids.pool.recalled());
    }

    public boolean isApplyingBackpressure() {
        return queue.isApplyingBackpressure();
    }

    public long pendingCount() {
        return counters.pending();
    }

    /** The connection registry's count, for {@link TimerStats#activeConnections()}. */
    public void connectionOpened() {
        connections.increment();
    }

    public void connectionClosed() {
        connections.decrement();
    }

    /**
     * Runs a timer's work inline on the timer thread, or hands it to the callback executor; a
     * refusal is counted, logged and reported to the entry. Timer thread.
     *
     * @param work  the work
     * @param entry the timer it belongs to
     */
    public void dispatch(Runnable work, TimerEntry entry) {
        if (callbackExecutor == null) {
            TimerEvents.runInline(work);
            return;
        }
        try {
            callbackExecutor.execute(work);
        } catch (Throwable refused) {
            counters.executorRejections.increment();
            GlobalTimerTask.LOG.log(System.Logger.Level.WARNING, "callback executor refused timer " + entry, refused);
            entry.refused(refused);
        }
    }

    /**
     * Counts and logs a task that threw; the timer carries on.
     *
     * @param what    the timer, for the log
     * @param failure what it threw
     */
    public void taskFailed(Object what, Throwable failure) {
        counters.taskFailures.increment();
        GlobalTimerTask.LOG.log(System.Logger.Level.WARNING, "timer task failed: " + what, failure);
    }

    @Override
    public String toString() {
        return "TimerEngine[tick=" + tickNs + " ns, pending=" + counters.pending() + "]";
    }
}
