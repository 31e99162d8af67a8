package dev.escapement.connection;

import dev.escapement.GlobalTimer;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The timers of one connection: typed timeouts (at most one per type) that cost the
 * {@link GlobalTimer}'s wheel a single entry, however many there are and however often they are
 * reset. The design follows msquic's one timer per connection.
 *
 * <p>Used on the connection's thread (its event loop); see the ground rules.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>Every method is called on the connection's thread, except {@link #connectionId()},
 *       {@link #isClosed()} and {@link #isExpirySignalled()}, which any thread may call.</li>
 *   <li>The manager keeps one entry in the wheel, armed at the earliest deadline over its
 *       {@linkplain #scheduler() layers}: its own typed timeouts and any layer the protocol adds.
 *       The entry is the manager itself: no second object per connection. When a deadline becomes
 *       earlier than the entry, the entry is moved (one postpone); when deadlines only move later,
 *       the wheel is not touched: the entry fires early, the drain finds nothing due and
 *       re-arms. So resetting an idle timeout on every
 *       packet is a field write.</li>
 *   <li>When the entry fires, the timer thread raises the manager's inbox flag and nothing else:
 *       it never reads the typed deadlines. On the flag's rise from empty, and only then, it hands
 *       one wake-up to the {@linkplain Builder#wakeUp wake-up executor}. Nothing is allocated per
 *       expiry.</li>
 *   <li>{@link #checkTimerEvents()} (the wake-up runs it) decides on the connection's thread what
 *       is due, against the deadlines as they are then. A timeout cancelled or replaced before the
 *       drain is therefore never reported, even if the wheel entry fired for it.</li>
 *   <li>Time: {@link #register} and {@link #checkTimerEvents()} refresh the timer's
 *       {@link GlobalTimer#cachedClock() cached clock}; {@link #reset} only reads it, so a burst of
 *       resets costs no clock read. A reset's deadline is early by at most the time since the
 *       cached clock was last refreshed: by the timer thread on each pass, by any manager's
 *       register or drain, or by {@link #refreshClock()}, which a connection calls at the start
 *       of each read burst.</li>
 *   <li>A manager registers its connection id with the timer while it is open, so
 *       {@link dev.escapement.TimerStats#activeConnections()} counts it and a second manager for
 *       the same id is refused. {@link #close()} removes its wheel entry and its registration.</li>
 * </ul>
 *
 * <h2>Example</h2>
 * <pre>{@code
 * TimerManager<TimeoutEvent> timeouts = TimerManager.builder(timer, connectionId)
 *         .wakeUp(channel.eventLoop(), (manager, due) -> handle(due))
 *         .build();
 * timeouts.register(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
 * // on every packet:
 * timeouts.reset(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
 * }</pre>
 *
 * @param <E> the event type: {@link TimeoutEvent} or a protocol's own enum of at most 64 constants
 */
public interface TimerManager<E extends Enum<E>> extends AutoCloseable {

    /** "No deadline": what {@link #deadline} and {@link #nextDeadline()} return when there is none. */
    long NO_DEADLINE = TimeoutLayer.NO_DEADLINE;

    /**
     * A builder for a manager of {@link TimeoutEvent}s.
     *
     * @param timer        the global timer whose wheel the manager uses
     * @param connectionId the connection, unique among the live managers of {@code timer}
     * @return the builder
     */
    static Builder<TimeoutEvent> builder(GlobalTimer timer, long connectionId) {
        return builder(timer, connectionId, TimeoutEvent.class);
    }

    /**
     * A builder for a manager of the protocol's own event type.
     *
     * @param timer        the global timer whose wheel the manager uses
     * @param connectionId the connection, unique among the live managers of {@code timer}
     * @param eventType    the enum, with 1 to 64 constants
     * @param <E>          the event type
     * @return the builder
     * @throws IllegalArgumentException if the enum has no constants or more than 64
     */
    static <E extends Enum<E>> Builder<E> builder(GlobalTimer timer, long connectionId, Class<E> eventType) {
        return new Builder<>(timer, connectionId, eventType);
    }

    /** @return the connection's id */
    long connectionId();

    /**
     * Registers a timeout of {@code type}, due {@code delay} from now (plus its spread, if the
     * type has one); a timeout of that type already registered is replaced, and its old deadline
     * is never reported. Refreshes the cached clock.
     *
     * @param type  the type
     * @param delay the delay, 0 or more; 0 is due at the next drain
     * @param unit  the unit of {@code delay}
     * @throws NullPointerException       if {@code type} or {@code unit} is null
     * @throws IllegalArgumentException   if {@code delay} is negative
     * @throws IllegalStateException      if the manager is closed
     * @throws RejectedExecutionException if the global timer is stopped (neither a full command
     *                                    queue nor the pending bound refuses the wheel entry, which
     *                                    is the manager itself); the timeout stays registered, and
     *                                    a later drain reports it
     */
    void register(E type, long delay, TimeUnit unit);

    /**
     * Moves an active timeout of {@code type} to {@code delay} from now (plus the spread its
     * registration drew): the per-packet path. Reads the cached clock without refreshing it. When
     * the deadline moves later, as it does when the same delay is reset as time passes, this is a
     * field write: no queue operation, no wheel operation, no allocation.
     *
     * @param type  the type
     * @param delay the delay, 0 or more
     * @param unit  the unit of {@code delay}
     * @return true if the timeout was active and was moved; false, doing nothing, if no timeout of
     *         that type is active (a reset never revives a cancelled or fired timeout)
     * @throws NullPointerException       if {@code type} or {@code unit} is null
     * @throws IllegalArgumentException   if {@code delay} is negative
     * @throws IllegalStateException      if the manager is closed
     * @throws RejectedExecutionException as {@link #register}, when the deadline moves earlier
     */
    boolean reset(E type, long delay, TimeUnit unit);

    /**
     * Cancels the timeout of {@code type}: a field write. If the wheel entry was armed for it, the
     * entry still fires and the drain finds nothing due (harmless), unless a later registration
     * reuses it. A no-op on a closed manager.
     *
     * @param type the type
     * @return true if a timeout of that type was active
     * @throws NullPointerException if {@code type} is null
     */
    boolean cancel(E type);

    /**
     * Cancels every typed timeout of this connection: O(1). When no other layer has a deadline,
     * the wheel entry is cancelled too. A no-op on a closed manager.
     *
     * @return how many timeouts were active
     */
    int cancelAll();

    /**
     * @param type the type
     * @return true if a timeout of that type is registered and has not been reported or cancelled
     * @throws NullPointerException if {@code type} is null
     */
    boolean isActive(E type);

    /**
     * @param type the type
     * @return the deadline of the active timeout of {@code type}, in nanoseconds of the timer's
     *         clock, or {@link #NO_DEADLINE} if none is active
     * @throws NullPointerException if {@code type} is null
     */
    long deadline(E type);

    /**
     * @return the earliest deadline over all the manager's layers (the unified deadline the wheel
     *         entry is armed for), or {@link #NO_DEADLINE}
     */
    long nextDeadline();

    /**
     * Drains the inbox: refreshes the cached clock, checks every layer that is due now, and
     * re-arms the wheel entry at the next deadline. The wake-up runs this; a connection without
     * a wake-up executor calls it itself (when {@link #isExpirySignalled()}, or on its own
     * schedule). Safe to call at any time: with nothing due it returns an empty result.
     *
     * @return the due events of all layers in deadline order (the typed ones are this manager's
     *         {@code E} constants), and the frames other layers ask to retransmit; a result
     *         reused by the next drain on this thread (of this manager or another), so use it or
     *         copy it before then
     * @throws IllegalStateException if the manager is closed
     */
    TimeoutCheckResult checkTimerEvents();

    /**
     * Whether the wheel entry has fired since the last drain. Any thread.
     *
     * @return true if a drain is owed
     */
    boolean isExpirySignalled();

    /**
     * Refreshes the timer's cached clock, which {@link #reset} reads: call it at the start of a
     * burst of work (a read burst), so that the burst's resets are exact to within the burst.
     *
     * @return the refreshed reading, in nanoseconds
     */
    long refreshClock();

    /**
     * The scheduler over this manager's layers: its typed timeouts first, then the layers the
     * protocol added. A layer added here is covered by the manager's wheel entry from then on.
     *
     * @return the scheduler
     */
    UnifiedTimeoutScheduler scheduler();

    /**
     * A snapshot of the manager's counters. They are kept only when the builder was asked to
     * {@linkplain Builder#recordStats() record stats}; otherwise the snapshot has the connection id
     * and the active timeouts, and 0 for every counter.
     *
     * @return a snapshot of the counters
     */
    TimerManagerStats stats();

    /** @return true once {@link #close()} has been called. Any thread. */
    boolean isClosed();

    /**
     * Closes the manager: cancels its typed timeouts and its wheel entry and unregisters its
     * connection id, which another manager may then use. Idempotent. Afterwards {@code register},
     * {@code reset} and {@code checkTimerEvents} throw {@link IllegalStateException}; cancelling is
     * a no-op, queries answer "nothing active", and a wake-up already on its way does nothing.
     */
    @Override
    void close();

    /**
     * Configures a {@link TimerManager}. {@link #build()} registers the connection id with the
     * timer (or the manager does at its first timeout: {@link #registerLazily()}).
     *
     * <p>Not thread-safe: confine a builder to one thread.
     *
     * @param <E> the event type
     */
    final class Builder<E extends Enum<E>> {

        private final GlobalTimer timer;
        private final long connectionId;
        private final Class<E> eventType;
        private final E[] types;
        private final long[] maxSpreadNs;
        private boolean anySpread;
        private boolean spreadSeeded;
        private long spreadSeed;
        private boolean recordStats;
        private boolean registerLazily;
        private Executor wakeUpExecutor;
        private TimeoutListener<E> listener;
        private final List<TimeoutLayer> layers = new ArrayList<>();

        private Builder(GlobalTimer timer, long connectionId, Class<E> eventType) {
            this.timer = Objects.requireNonNull(timer, "timer");
            this.eventType = Objects.requireNonNull(eventType, "eventType");
            this.connectionId = connectionId;
            this.types = eventType.getEnumConstants();
            if (types == null || types.length == 0 || types.length > TypedTimeouts.MAX_TYPES) {
                throw new IllegalArgumentException("eventType must be an enum with 1 to " + TypedTimeouts.MAX_TYPES
                        + " constants: " + eventType.getName() + " has " + (types == null ? 0 : types.length));
            }
            this.maxSpreadNs = new long[types.length];
        }

        /**
         * Wakes the connection when its wheel entry fires: the timer thread hands
         * {@code executor} one task per rise of the inbox flag, and the task drains the manager
         * on the executor and passes what is due to {@code listener}. The executor should run
         * tasks on the connection's thread (a Netty channel's event loop). A task it refuses is
         * counted and logged; the timeouts wait for the next drain.
         *
         * @param executor the connection's executor
         * @param listener receives the due timeouts
         * @return this builder
         */
        public Builder<E> wakeUp(Executor executor, TimeoutListener<E> listener) {
            this.wakeUpExecutor = Objects.requireNonNull(executor, "executor");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Wakes the connection when its wheel entry fires, as {@link #wakeUp(Executor, TimeoutListener)},
         * for a subclass of {@link AbstractTimerManager}, whose {@code onTimeouts} receives the due
         * timeouts. {@link #build()} refuses a wake-up without a listener.
         *
         * @param executor the connection's executor
         * @return this builder
         */
        public Builder<E> wakeUp(Executor executor) {
            this.wakeUpExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Keeps the counters that {@link TimerManager#stats()} reports (registrations, resets,
         * drains, ...). Without it a manager keeps none, which saves 112 bytes per connection, and
         * its stats report the connection id and active timeouts with every counter 0.
         *
         * @return this builder
         */
        public Builder<E> recordStats() {
            this.recordStats = true;
            return this;
        }

        /**
         * Registers the connection id with the timer at the manager's first timeout (its first
         * {@code register}, {@code reset} or {@code scheduler()}) instead of when it is made. For
         * a manager made before it is known to be used: a Netty handler is constructed in a
         * {@code ChannelInitializer}, and one whose channel never becomes active is never
         * registered, never counted as an active connection and needs no {@code close}. A second
         * live manager for the id is then refused by that first timeout, with the same
         * {@link IllegalStateException}, before it changes anything.
         *
         * @return this builder
         */
        public Builder<E> registerLazily() {
            this.registerLazily = true;
            return this;
        }

        /**
         * Spreads the timeouts of {@code type}: each registration and reset adds an offset uniform
         * in {@code [0, maxSpread)} over connections, a function of the connection id, the type and
         * the {@linkplain #spreadSeed seed}, so it is the same for every registration and reset of
         * that type on that connection. Meant for idle-like timeouts of connections that start
         * together; a timeout is never shorter than its delay.
         *
         * @param type      the type
         * @param maxSpread the largest offset (exclusive), 0 for none
         * @param unit      the unit of {@code maxSpread}
         * @return this builder
         * @throws IllegalArgumentException if {@code maxSpread} is negative
         */
        public Builder<E> spread(E type, long maxSpread, TimeUnit unit) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(unit, "unit");
            if (maxSpread < 0) {
                throw new IllegalArgumentException("spread must not be negative: " + maxSpread + " " + unit);
            }
            maxSpreadNs[type.ordinal()] = unit.toNanos(maxSpread);
            anySpread |= maxSpread > 0;
            return this;
        }

        /**
         * Makes the spread reproducible: offsets are a function of this seed, the connection id and
         * the type, so runs repeat exactly and connections still differ. Without it, the seed is
         * drawn at random once per timer.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder<E> spreadSeed(long seed) {
            this.spreadSeeded = true;
            this.spreadSeed = seed;
            return this;
        }

        /**
         * Adds a layer after the manager's typed timeouts (layers can also be added later through
         * {@link TimerManager#scheduler()}).
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder<E> layer(TimeoutLayer layer) {
            layers.add(Objects.requireNonNull(layer, "layer"));
            return this;
        }

        /**
         * Creates the manager and registers its connection id with the timer (at its first
         * timeout, with {@link #registerLazily()}).
         *
         * @return the manager
         * @throws IllegalStateException      if a live manager of this timer has the same connection
         *                                    id (close it first), or a layer is attached elsewhere
         * @throws RejectedExecutionException if a layer has a deadline and the global timer is
         *                                    stopped
         */
        public TimerManager<E> build() {
            if (wakeUpExecutor != null && listener == null) {
                throw new IllegalStateException("a wake-up without a listener is for subclasses of AbstractTimerManager;"
                        + " give build() one with wakeUp(executor, listener)");
            }
            DefaultTimerManager<E> manager = new DefaultTimerManager<>(this);
            try {
                for (TimeoutLayer layer : layers) {
                    manager.scheduler().addLayer(layer);
                }
            } catch (RuntimeException | Error failure) {
                manager.close();
                throw failure;
            }
            return manager;
        }

        GlobalTimer timer() {
            return timer;
        }

        long connectionId() {
            return connectionId;
        }

        boolean recordsStats() {
            return recordStats;
        }

        boolean registersLazily() {
            return registerLazily;
        }

        TimeoutListener<E> listener() {
            return listener;
        }

        /** The shape of managers built so, shared through {@code registry}. */
        ManagerShape<E> shape(ConnectionRegistry registry) {
            return registry.shape(timer, eventType, types, anySpread ? maxSpreadNs.clone() : null, spreadSeeded, spreadSeed,
                    wakeUpExecutor);
        }

        @Override
        public String toString() {
            return "TimerManager.Builder[connection " + connectionId + ", " + eventType.getSimpleName() + "]";
        }
    }
}
