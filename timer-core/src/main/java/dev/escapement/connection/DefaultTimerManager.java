package dev.escapement.connection;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.CachedClock;
import dev.escapement.engine.Engines;
import dev.escapement.engine.TimerEngine;
import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@link TimerManager}: typed timeouts as the first layer of a {@link UnifiedTimeoutScheduler},
 * and one wheel entry, which is this object itself, armed at the earliest deadline.
 *
 * <p>Confined to the connection's thread, except the inbox: {@link #expired} runs on the timer
 * thread and touches only the flag, the executor and its own counters.
 *
 * <h2>Covering every deadline with one entry</h2>
 * Invariant: for every deadline {@code d} in any layer, either the entry is pending at or before
 * {@code d}, or it has fired and a drain is owed. The manager observes the scheduler (or, until a
 * protocol asks for the scheduler, the typed timeouts directly), so it hears each deadline that
 * is set: one earlier than the entry moves the entry (a postpone; one that loses to the expiry
 * only adds a spurious drain), any other leaves it. Removed deadlines are ignored: the entry fires
 * early and the drain re-arms. Moving rather than cancelling and scheduling again means a
 * refused move leaves the entry armed where it was, so nothing it covered is lost.
 *
 * <h2>What a reset touches</h2>
 * With many connections a reset is bound by cache misses, not instructions, so its path is kept
 * short: one object, the manager, which holds its typed timeouts and its wheel entry by extending
 * them. The scheduler exists only once {@link #scheduler()} is called, and the counters live in a
 * separate object.
 */
final class DefaultTimerManager<E extends Enum<E>> extends TypedTimeouts<E> implements TimerManager<E>, DeadlineObserver {

    private static final System.Logger LOG = System.getLogger(TimerManager.class.getName());

    private static final VarHandle SIGNALLED;

    static {
        try {
            SIGNALLED = MethodHandles.lookup().findVarHandle(DefaultTimerManager.class, "signalled", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The fields a reset reads sit here, in one small object; counters live in Counters.
    private final CachedClock clock;
    private final TimerEngine engine;
    private final GlobalTimer timer;
    private final ConnectionRegistry registry;
    private final long connectionId;
    private final Executor wakeUpExecutor;
    private final TimeoutListener<E> listener;
    private final Runnable wakeUpTask = this::wakeUp;
    private final Counters counters = new Counters();
    /** Created by the first {@link #scheduler()} call; until then the typed timeouts are the only layer. */
    private UnifiedTimeoutScheduler scheduler;

    // The inbox, shared with the timer thread: 1 from an expiry until the next drain.
    private volatile int signalled;

    // Volatile for isClosed() from any thread; written on the connection thread.
    private volatile boolean closed;

    // Connection thread only.
    private boolean draining;

    /**
     * Counters, apart from the fields a reset reads so that they do not share its cache lines.
     * Confined to the connection's thread, except the three the timer thread writes (alone, so
     * ++ loses nothing; volatile so that stats() sees them).
     */
    private static final class Counters {
        volatile long expiries;
        volatile long wakeUps;
        volatile long wakeUpFailures;
        long registrations;
        long cancellations;
        long drains;
        long emptyDrains;
        long eventsDelivered;
        long wheelSchedules;
        long wheelMoves;
        long wheelCancels;
        long armFailures;
    }

    DefaultTimerManager(GlobalTimer timer, ConnectionRegistry registry, long connectionId, E[] types, long[] maxSpreadNs,
                        SplittableRandom spreadRandom, Executor wakeUpExecutor, TimeoutListener<E> listener) {
        super(types, maxSpreadNs, spreadRandom);
        this.timer = timer;
        this.engine = Engines.of(timer);
        this.registry = registry;
        this.clock = timer.cachedClock();
        this.connectionId = connectionId;
        this.wakeUpExecutor = wakeUpExecutor;
        this.listener = listener;
        attachTimeouts(this);
    }

    @Override
    public long connectionId() {
        return connectionId;
    }

    // ------------------------------------------------------------------ typed timeouts

    @Override
    public void register(E type, long delay, TimeUnit unit) {
        long delayNs = checkDelay(type, delay, unit);
        ensureOpen();
        counters.registrations++;
        setTimeout(type, clock.refresh(), delayNs);
    }

    @Override
    public boolean reset(E type, long delay, TimeUnit unit) {
        long delayNs = checkDelay(type, delay, unit);
        ensureOpen();
        return moveTimeout(type, clock.nanoTime(), delayNs);
    }

    @Override
    public boolean cancel(E type) {
        Objects.requireNonNull(type, "type");
        if (closed || !removeTimeout(type)) {
            return false;
        }
        counters.cancellations++;
        return true;
    }

    @Override
    public int cancelAll() {
        if (closed) {
            return 0;
        }
        int cancelled = removeAllTimeouts();
        counters.cancellations += cancelled;
        if (earliestDeadline() == NO_DEADLINE) {
            // Nothing left to wait for: free the entry now rather than take a spurious wake-up.
            disarm();
        }
        return cancelled;
    }

    @Override
    public boolean isActive(E type) {
        Objects.requireNonNull(type, "type");
        return !closed && hasTimeout(type);
    }

    @Override
    public long deadline(E type) {
        Objects.requireNonNull(type, "type");
        return closed ? NO_DEADLINE : timeoutDeadline(type);
    }

    @Override
    public long nextDeadline() {
        return closed ? NO_DEADLINE : earliestDeadline();
    }

    private static long checkDelay(Object type, long delay, TimeUnit unit) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        if (delay < 0) {
            throw new IllegalArgumentException("delay must not be negative: " + delay + " " + unit);
        }
        return unit.toNanos(delay);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the TimerManager of connection " + connectionId + " is closed");
        }
    }

    // ------------------------------------------------------------------ the wheel entry

    /** A layer set or removed a deadline (the scheduler forwards every change here). */
    @Override
    public void deadlineChanged(TimeoutLayer layer, long deadlineNs) {
        if (closed || draining || deadlineNs == NO_DEADLINE) {
            // Removals are lazy, and a drain re-arms once at its end.
            return;
        }
        cover(isPendingEntry() ? deadlineNs : TimeoutLayer.earlier(deadlineNs, earliestDeadline()));
    }

    /**
     * Makes the entry cover {@code deadlineNs} (a reading of the timer's clock): arms it there if
     * it is not pending, moves it there if it is pending later, and otherwise leaves it.
     */
    private void cover(long deadlineNs) {
        if (isPendingEntry() && deadlineNs - engine.absoluteNs(requestedDeadlineNs()) >= 0) {
            return;
        }
        long nowNs = engine.nowNs();
        // Through "now": a deadline is within 2^62 ns of it (TimeoutLayer.MAX_DELAY_NS), however
        // long the timer has run.
        long entryNs = TimerEngine.deadlineAfter(nowNs, deadlineNs - engine.absoluteNs(nowNs));
        int done;
        try {
            done = engine.cover(this, entryNs, nowNs);
        } catch (RejectedExecutionException stopped) {
            counters.armFailures++;
            throw stopped;
        }
        switch (done) {
            case TimerEngine.ARMED -> counters.wheelSchedules++;
            case TimerEngine.MOVED -> counters.wheelMoves++;
            default -> {
                // Pending no later already, or it fired meanwhile and a drain is owed.
            }
        }
    }

    private void disarm() {
        if (engine.cancel(this)) {
            counters.wheelCancels++;
        }
    }

    /**
     * The entry fired: on the timer thread. Raises the flag and, on its rise, hands one wake-up to
     * the executor. Reads no typed state and allocates nothing.
     */
    @Override
    protected void expired(TimerEngine firedBy, long nowNs) {
        counters.expiries++;
        if (SIGNALLED.compareAndSet(this, 0, 1) && wakeUpExecutor != null) {
            try {
                wakeUpExecutor.execute(wakeUpTask);
                counters.wakeUps++;
            } catch (Throwable refused) {
                counters.wakeUpFailures++;
                // Lower the flag, so that a later expiry tries again; the timeouts wait meanwhile.
                signalled = 0;
                LOG.log(Level.WARNING, "wake-up executor refused the timer wake-up of connection " + connectionId, refused);
            }
        }
    }

    // ------------------------------------------------------------------ draining

    @Override
    public TimeoutCheckResult checkTimerEvents() {
        ensureOpen();
        // Lower the flag before reading anything: an expiry after this point raises it again.
        signalled = 0;
        long nowNs = clock.refresh();
        TimeoutCheckResult due;
        draining = true;
        try {
            due = scheduler == null ? consumeDueTimeouts(nowNs) : scheduler.checkAll(nowNs);
        } finally {
            draining = false;
        }
        counters.drains++;
        counters.eventsDelivered += due.eventCount();
        if (due.isEmpty()) {
            counters.emptyDrains++;
        }
        rearm();
        return due;
    }

    private void rearm() {
        long nextNs = earliestDeadline();
        if (nextNs == NO_DEADLINE) {
            return;
        }
        try {
            cover(nextNs);
        } catch (RejectedExecutionException refused) {
            // Counted in cover(); the due events are already consumed and must reach the caller.
            LOG.log(Level.WARNING, "could not re-arm the timers of connection " + connectionId, refused);
        }
    }

    private void wakeUp() {
        if (closed) {
            return;
        }
        TimeoutCheckResult due = checkTimerEvents();
        if (!due.isEmpty()) {
            listener.onTimeouts(this, due);
        }
    }

    @Override
    public boolean isExpirySignalled() {
        return signalled != 0;
    }

    @Override
    public long refreshClock() {
        return clock.refresh();
    }

    // ------------------------------------------------------------------ lifecycle and inspection

    @Override
    public UnifiedTimeoutScheduler scheduler() {
        if (scheduler == null) {
            // The typed timeouts reported to this manager directly; from now on through the
            // scheduler, which forwards every change here. The armed entry already covers them.
            UnifiedTimeoutScheduler created = UnifiedTimeoutScheduler.create(timer.clock());
            detachTimeouts();
            created.addLayer(layer());
            created.observe(this);
            scheduler = created;
        }
        return scheduler;
    }

    /** The earliest deadline over every layer: the typed timeouts' alone until a scheduler exists. */
    private long earliestDeadline() {
        return scheduler == null ? earliestTimeoutDeadline() : scheduler.nextDeadline();
    }

    @Override
    public TimerManagerStats stats() {
        Counters c = counters;
        return new TimerManagerStats(connectionId, closed ? 0 : activeTimeoutCount(), c.registrations, timeoutResets(),
                c.cancellations, c.expiries, c.wakeUps, c.wakeUpFailures, c.drains, c.emptyDrains, c.eventsDelivered,
                c.wheelSchedules, c.wheelMoves, c.wheelCancels, c.armFailures);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        counters.cancellations += removeAllTimeouts();
        disarm();
        registry.unregister(connectionId);
    }

    /** Whether {@link #scheduler()} has created the scheduler: a test seam. */
    boolean hasScheduler() {
        return scheduler != null;
    }

    /** Whether the wheel entry is pending: a test seam. */
    boolean isArmed() {
        return isPendingEntry();
    }

    /** The deadline the wheel entry is armed at, as a reading of the timer's clock: a test seam. */
    long armedDeadlineNs() {
        return engine.absoluteNs(requestedDeadlineNs());
    }

    @Override
    public String toString() {
        return "TimerManager[connection " + connectionId + (closed ? ", closed" : ", " + describeTimeouts())
                + (isPendingEntry() ? ", armed at " + armedDeadlineNs() + " ns" : ", unarmed") + "]";
    }
}
