package dev.escapement.connection;

import dev.escapement.engine.TimerEngine;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TimerManager} that a connection class can extend, so that the connection object is its
 * own timers: a reset then reads the object the packet handler already holds, with no hop to a
 * separate manager. {@link TimerManager.Builder#build()} makes one for everyone else.
 *
 * <pre>{@code
 * final class Connection extends AbstractTimerManager<TimeoutEvent> {
 *     Connection(GlobalTimer timer, long id, EventLoop loop) {
 *         super(TimerManager.builder(timer, id).wakeUp(loop));
 *     }
 *
 *     void onPacket() {
 *         reset(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
 *     }
 *
 *     @Override
 *     protected void onTimeouts(TimeoutCheckResult due) {
 *         // on the event loop: close on IDLE, retransmit on RETRANSMISSION, ...
 *     }
 * }
 * }</pre>
 *
 * <p>Threads: as {@link TimerManager}, confined to the connection's thread, except
 * {@link #connectionId()}, {@link #isClosed()}, {@link #isExpirySignalled()} and the wake-up, which
 * the timer thread hands to the executor. The methods this class inherits from the engine's
 * {@code TimerEntry} are the engine's: a subclass must not rely on them.
 *
 * <h2>Layout</h2>
 * One object per connection of about 88 bytes with a {@link TimeoutEvent} manager: the wheel entry
 * (its links, deadline and status word), the connection id, four deadlines, a reference to what
 * all managers configured alike share (the timer, the enum's constants, the spreads, the wake-up
 * executor) and one more reference that is null, the listener, or a side object for what few
 * managers use (a scheduler, counters, deadlines of a wider enum). The inbox flag, "closed" and
 * "draining" are bits of the entry's status word. So 10 million connections' timeouts take about
 * 1 GB. See {@code docs/design-decisions.md}, C13.
 *
 * <h2>Covering every deadline with one entry</h2>
 * Invariant: for every deadline {@code d} in any layer, either the entry is pending at or before
 * {@code d}, or it has fired and a drain is owed. The manager hears each deadline that is set: one
 * earlier than the entry moves the entry (a postpone; one that loses to the expiry only adds a
 * spurious drain), any other leaves it. Removed deadlines are ignored: the entry fires early and
 * the drain re-arms. Moving rather than cancelling and scheduling again means a refused move leaves
 * the entry armed where it was, so nothing it covered is lost.
 *
 * @param <E> the event type: {@link TimeoutEvent} or a protocol's own enum of at most 64 constants
 */
public abstract class AbstractTimerManager<E extends Enum<E>> extends TypedTimeouts<E>
        implements TimerManager<E>, Runnable {

    private static final System.Logger LOG = System.getLogger(TimerManager.class.getName());

    /** The inbox: up from an expiry until the next drain. */
    private static final int SIGNALLED = OWNER_FLAG_A;
    private static final int CLOSED = OWNER_FLAG_B;
    /** A drain is running: deadline changes wait for its re-arm. */
    private static final int DRAINING = OWNER_FLAG_C;
    /**
     * The companion is {@link Extras}: read from the status word, which a reset reads anyway, so
     * that a reset never loads the companion (a listener object elsewhere in the heap) to learn it.
     */
    private static final int EXTRAS = OWNER_FLAG_D;
    /**
     * Built with {@link TimerManager.Builder#registerLazily()} and not yet in the registry: joins
     * it on the first timeout.
     */
    private static final int UNREGISTERED = OWNER_FLAG_E;

    private final ManagerShape<E> shape;
    private final long connectionId;
    /**
     * Null, the listener, the deadlines of an enum wider than the inline fields (when there is no
     * listener and nothing else: a subclass's usual case), or {@link Extras}. Written on the
     * connection's thread; the timer thread reads it only for the counters, which are final in
     * {@link Extras}.
     */
    private Object companion;

    /**
     * What few managers need, apart so that the rest do not pay for it: counters (asked for with
     * {@link TimerManager.Builder#recordStats()}), the scheduler once asked for, and the deadlines
     * of an enum wider than the inline fields.
     */
    private static final class Extras<E extends Enum<E>> {
        final TimeoutListener<E> listener;
        final Counters counters;
        final long[] moreDeadlinesNs;
        UnifiedTimeoutScheduler scheduler;
        TypedTimeouts<E>.Layer layer;

        Extras(TimeoutListener<E> listener, Counters counters, long[] moreDeadlinesNs) {
            this.listener = listener;
            this.counters = counters;
            this.moreDeadlinesNs = moreDeadlinesNs;
        }
    }

    /**
     * Counters, confined to the connection's thread except the three the timer thread writes (alone,
     * so ++ loses nothing; volatile so that stats() sees them).
     */
    private static final class Counters {
        volatile long expiries;
        volatile long wakeUps;
        volatile long wakeUpFailures;
        long registrations;
        long resets;
        long cancellations;
        long drains;
        long emptyDrains;
        long eventsDelivered;
        long wheelSchedules;
        long wheelMoves;
        long wheelCancels;
        long armFailures;
    }

    /**
     * Creates the manager the builder describes and registers its connection id with the timer
     * (or, with {@link TimerManager.Builder#registerLazily()}, at its first timeout). The
     * builder's listener, if it has one, is what {@link #onTimeouts} calls by default.
     *
     * @param settings the timer, the connection id, the event type, spreads, the wake-up
     * @throws IllegalStateException if a live manager of the timer has the same connection id
     */
    protected AbstractTimerManager(TimerManager.Builder<E> settings) {
        Objects.requireNonNull(settings, "settings");
        this.connectionId = settings.connectionId();
        ConnectionRegistry registry = ConnectionRegistry.of(settings.timer());
        this.shape = settings.shape(registry);
        Counters counters = settings.recordsStats() ? new Counters() : null;
        long[] moreDeadlinesNs = newMoreDeadlines(shape.types);
        TimeoutListener<E> listener = settings.listener();
        if (counters == null && moreDeadlinesNs == null) {
            this.companion = listener;
        } else if (counters == null && listener == null) {
            this.companion = moreDeadlinesNs;
        } else {
            this.companion = new Extras<>(listener, counters, moreDeadlinesNs);
            raiseOwnerFlag(EXTRAS);
        }
        if (settings.registersLazily()) {
            raiseOwnerFlag(UNREGISTERED);
        } else {
            joinRegistry(registry);
        }
    }

    private void joinRegistry(ConnectionRegistry registry) {
        if (!registry.register(this)) {
            throw new IllegalStateException("connection " + connectionId
                    + " already has a live TimerManager on this timer; close it first");
        }
    }

    @Override
    public final long connectionId() {
        return connectionId;
    }

    // ------------------------------------------------------------------ typed timeouts

    @Override
    public final void register(E type, long delay, TimeUnit unit) {
        long delayNs = checkDelay(type, delay, unit);
        ensureOpenAndRegistered();
        Counters counters = counters();
        if (counters != null) {
            counters.registrations++;
        }
        setTimeout(type, shape.clock.refresh(), delayNs);
    }

    @Override
    public final boolean reset(E type, long delay, TimeUnit unit) {
        long delayNs = checkDelay(type, delay, unit);
        ensureOpenAndRegistered();
        return moveTimeout(type, shape.clock.nanoTime(), delayNs);
    }

    @Override
    public final boolean cancel(E type) {
        Objects.requireNonNull(type, "type");
        if (isClosed() || !removeTimeout(type)) {
            return false;
        }
        countCancellations(1);
        return true;
    }

    @Override
    public final int cancelAll() {
        if (isClosed()) {
            return 0;
        }
        int cancelled = removeAllTimeouts();
        countCancellations(cancelled);
        if (earliestDeadline() == NO_DEADLINE) {
            // Nothing left to wait for: free the entry now rather than take a spurious wake-up.
            disarm();
        }
        return cancelled;
    }

    @Override
    public final boolean isActive(E type) {
        Objects.requireNonNull(type, "type");
        return !isClosed() && hasTimeout(type);
    }

    @Override
    public final long deadline(E type) {
        Objects.requireNonNull(type, "type");
        return isClosed() ? NO_DEADLINE : timeoutDeadline(type);
    }

    @Override
    public final long nextDeadline() {
        return isClosed() ? NO_DEADLINE : earliestDeadline();
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
        if (isClosed()) {
            throw new IllegalStateException("the TimerManager of connection " + connectionId + " is closed");
        }
    }

    /** As {@link #ensureOpen}, and joins the registry if this is the first timeout: one read of the status word. */
    private void ensureOpenAndRegistered() {
        if (hasOwnerFlag(CLOSED | UNREGISTERED)) {
            ensureOpen();
            joinRegistry(shape.registry);
            lowerOwnerFlag(UNREGISTERED);
        }
    }

    // ------------------------------------------------------------------ what TypedTimeouts asks

    @Override
    final E[] timeoutTypes() {
        return shape.types;
    }

    @Override
    final long[] moreDeadlinesNs() {
        Extras<E> extras = extrasOrNull();
        return extras != null ? extras.moreDeadlinesNs : (long[]) companion;
    }

    @Override
    final long spreadOffsetNs(int ordinal) {
        return shape.spreadOffsetNs(connectionId, ordinal);
    }

    @Override
    final void timeoutsChanged(long deadlineNs) {
        Extras<E> extras = extrasOrNull();
        if (extras != null && extras.layer != null) {
            // Through the scheduler, which forwards the change to deadlineChanged.
            extras.layer.changed(deadlineNs);
        } else {
            deadlineChanged(deadlineNs);
        }
    }

    @Override
    final void timeoutReset() {
        Counters counters = counters();
        if (counters != null) {
            counters.resets++;
        }
    }

    // ------------------------------------------------------------------ the wheel entry

    /** A layer set or removed a deadline. */
    private void deadlineChanged(long deadlineNs) {
        if (deadlineNs == NO_DEADLINE || hasOwnerFlag(CLOSED | DRAINING)) {
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
        TimerEngine engine = shape.engine;
        if (isPendingEntry() && deadlineNs - engine.absoluteNs(requestedDeadlineNs()) >= 0) {
            return;
        }
        long nowNs = engine.nowNs();
        // Through "now": a deadline is within 2^62 ns of it (TimeoutLayer.MAX_DELAY_NS), however
        // long the timer has run.
        long entryNs = TimerEngine.deadlineAfter(nowNs, deadlineNs - engine.absoluteNs(nowNs));
        Counters counters = counters();
        int done;
        try {
            done = engine.cover(this, entryNs, nowNs);
        } catch (RejectedExecutionException stopped) {
            if (counters != null) {
                counters.armFailures++;
            }
            throw stopped;
        }
        if (counters != null) {
            if (done == TimerEngine.ARMED) {
                counters.wheelSchedules++;
            } else if (done == TimerEngine.MOVED) {
                counters.wheelMoves++;
            }
        }
    }

    private void disarm() {
        if (shape.engine.cancel(this)) {
            Counters counters = counters();
            if (counters != null) {
                counters.wheelCancels++;
            }
        }
    }

    /**
     * The entry fired: on the timer thread. Raises the inbox flag and, on its rise, hands the
     * manager itself, as the wake-up, to the executor. Reads no typed state and allocates nothing.
     */
    @Override
    protected final void expired(TimerEngine firedBy, long nowNs) {
        Counters counters = counters();
        if (counters != null) {
            counters.expiries++;
        }
        Executor executor = shape.wakeUpExecutor;
        if (raiseOwnerFlag(SIGNALLED) && executor != null) {
            try {
                executor.execute(this);
                if (counters != null) {
                    counters.wakeUps++;
                }
            } catch (Throwable refused) {
                if (counters != null) {
                    counters.wakeUpFailures++;
                }
                // Lower the flag, so that a later expiry tries again; the timeouts wait meanwhile.
                lowerOwnerFlag(SIGNALLED);
                LOG.log(Level.WARNING, "wake-up executor refused the timer wake-up of connection " + connectionId, refused);
            }
        }
    }

    /** The manager is reused for every arming of its connection. */
    @Override
    protected final boolean isReusable() {
        return true;
    }

    /** Nothing to do: the manager's close is what cancels it, apart from the timer stopping. */
    @Override
    protected final void cancelledByTimer() {
    }

    /** A manager's expiry runs inline on the timer thread; no executor refuses it. */
    @Override
    protected final void refused(Throwable failure) {
    }

    // ------------------------------------------------------------------ draining

    @Override
    public final TimeoutCheckResult checkTimerEvents() {
        ensureOpen();
        // Lower the flag before reading anything: an expiry after this point raises it again.
        lowerOwnerFlag(SIGNALLED);
        long nowNs = shape.clock.refresh();
        UnifiedTimeoutScheduler scheduler = schedulerOrNull();
        TimeoutCheckResult due;
        raiseOwnerFlag(DRAINING);
        try {
            due = scheduler == null ? consumeDueTimeouts(nowNs) : scheduler.checkAll(nowNs);
        } finally {
            lowerOwnerFlag(DRAINING);
        }
        Counters counters = counters();
        if (counters != null) {
            counters.drains++;
            counters.eventsDelivered += due.eventCount();
            if (due.isEmpty()) {
                counters.emptyDrains++;
            }
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

    /**
     * The wake-up: drains the manager and, when something is due, passes it to
     * {@link #onTimeouts}. The wake-up executor runs it; a closed manager does nothing.
     */
    @Override
    public final void run() {
        if (isClosed()) {
            return;
        }
        TimeoutCheckResult due = checkTimerEvents();
        if (!due.isEmpty()) {
            onTimeouts(due);
        }
    }

    /**
     * Timeouts are due: called by the wake-up on the connection's thread, only when at least one
     * is due. By default passes them to the builder's listener, if it has one. An exception
     * propagates to the executor; the manager has re-armed by then.
     *
     * @param due the due events in deadline order and frames to retransmit from other layers;
     *            valid until the next drain on this thread
     */
    @SuppressWarnings("unchecked")
    protected void onTimeouts(TimeoutCheckResult due) {
        Extras<E> extras = extrasOrNull();
        TimeoutListener<E> listener = extras != null ? extras.listener
                : companion instanceof TimeoutListener<?> own ? (TimeoutListener<E>) own : null;
        if (listener != null) {
            listener.onTimeouts(this, due);
        }
    }

    @Override
    public final boolean isExpirySignalled() {
        return hasOwnerFlag(SIGNALLED);
    }

    @Override
    public final long refreshClock() {
        return shape.clock.refresh();
    }

    // ------------------------------------------------------------------ lifecycle and inspection

    @Override
    public final UnifiedTimeoutScheduler scheduler() {
        Extras<E> extras = extras();
        if (extras.scheduler == null) {
            if (!isClosed()) {
                // Its layers may arm the entry: the connection is in use from here on.
                ensureOpenAndRegistered();
            }
            // The typed timeouts reported to this manager directly; from now on through the
            // scheduler, which forwards every change here. The armed entry already covers them.
            UnifiedTimeoutScheduler created = UnifiedTimeoutScheduler.create(shape.timer.clock());
            TypedTimeouts<E>.Layer layer = new Layer();
            created.addLayer(layer);
            created.observe((changedBy, deadlineNs) -> deadlineChanged(deadlineNs));
            extras.layer = layer;
            extras.scheduler = created;
        }
        return extras.scheduler;
    }

    /** The side object, made on first need with what the companion held. */
    @SuppressWarnings("unchecked")
    private Extras<E> extras() {
        Extras<E> extras = extrasOrNull();
        if (extras != null) {
            return extras;
        }
        Object held = companion;
        Extras<E> created = held instanceof long[] moreDeadlinesNs
                ? new Extras<>(null, null, moreDeadlinesNs) : new Extras<>((TimeoutListener<E>) held, null, null);
        companion = created;
        raiseOwnerFlag(EXTRAS);
        return created;
    }

    /** @return the side object, or null: one read of the status word when there is none */
    @SuppressWarnings("unchecked")
    private Extras<E> extrasOrNull() {
        return hasOwnerFlag(EXTRAS) ? (Extras<E>) companion : null;
    }

    private UnifiedTimeoutScheduler schedulerOrNull() {
        Extras<E> extras = extrasOrNull();
        return extras == null ? null : extras.scheduler;
    }

    private Counters counters() {
        Extras<E> extras = extrasOrNull();
        return extras == null ? null : extras.counters;
    }

    private void countCancellations(int cancelled) {
        Counters counters = counters();
        if (counters != null) {
            counters.cancellations += cancelled;
        }
    }

    /** The earliest deadline over every layer: the typed timeouts' alone until a scheduler exists. */
    private long earliestDeadline() {
        UnifiedTimeoutScheduler scheduler = schedulerOrNull();
        return scheduler == null ? earliestTimeoutDeadline() : scheduler.nextDeadline();
    }

    @Override
    public final TimerManagerStats stats() {
        int active = isClosed() ? 0 : activeTimeoutCount();
        Counters c = counters();
        if (c == null) {
            return new TimerManagerStats(connectionId, active, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        return new TimerManagerStats(connectionId, active, c.registrations, c.resets, c.cancellations, c.expiries,
                c.wakeUps, c.wakeUpFailures, c.drains, c.emptyDrains, c.eventsDelivered, c.wheelSchedules, c.wheelMoves,
                c.wheelCancels, c.armFailures);
    }

    @Override
    public final boolean isClosed() {
        return hasOwnerFlag(CLOSED);
    }

    @Override
    public final void close() {
        if (!raiseOwnerFlag(CLOSED)) {
            return;
        }
        countCancellations(removeAllTimeouts());
        disarm();
        if (!hasOwnerFlag(UNREGISTERED)) {
            shape.registry.unregister(this);
        }
    }

    /** Whether {@link #scheduler()} has created the scheduler: a test seam. */
    final boolean hasScheduler() {
        return schedulerOrNull() != null;
    }

    /** Whether the wheel entry is pending: a test seam. */
    final boolean isArmed() {
        return isPendingEntry();
    }

    /** The deadline the wheel entry is armed at, as a reading of the timer's clock: a test seam. */
    final long armedDeadlineNs() {
        return shape.engine.absoluteNs(requestedDeadlineNs());
    }

    @Override
    public String toString() {
        return "TimerManager[connection " + connectionId + (isClosed() ? ", closed" : ", " + describeTimeouts())
                + (isPendingEntry() ? ", armed at " + armedDeadlineNs() + " ns" : ", unarmed") + "]";
    }
}
