package dev.escapement.endpoint;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.CachedClock;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimeoutListener;
import dev.escapement.connection.TimerManager;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The timing of one connection (SPEC U4, E2): the connection-level timeouts and the reliability
 * layer, kept by one {@link TimerManager} in one entry of the global wheel.
 *
 * <p>Not thread-safe: confined to the connection's event loop, which is also the manager's
 * wake-up executor, so every timeout is handled there.
 *
 * <pre>
 *   TimerManager (one wheel entry, armed at the earliest deadline below)
 *    └─ UnifiedTimeoutScheduler
 *        ├─ typed timeouts   CONNECTION  handshake not done in time       → close
 *        │                   IDLE        no packet from the peer in time  → close
 *        │                   PATH_VALIDATION  challenge not answered      → back to the old path
 *        └─ ReliabilityLayer RETRANSMISSION  oldest frame's last send + RTO → send frames again
 * </pre>
 *
 * The connection-level timeouts are the manager's own typed timeouts, not a second layer: their
 * deadlines already live in an array indexed by type, and resetting the idle timeout on every
 * packet is already a field write there. This class is their policy: which timeout is armed when,
 * for how long. The path-validation timeout is three times the larger of the current PTO and the
 * initial one, as RFC 9000 (8.2.4) suggests; the PTO here is the RTO before back-off.
 */
final class TimingManager implements AutoCloseable {

    private final TimerManager<TimeoutEvent> timers;
    private final CachedClock clock;
    private final ReliabilityLayer reliability;
    private final long connectionTimeoutNs;
    private final long idleTimeoutNs;
    private final long initialPtoNs;

    private TimingManager(TimerManager<TimeoutEvent> timers, CachedClock clock, ReliabilityLayer reliability,
                          long connectionTimeoutNs, long idleTimeoutNs, long initialPtoNs) {
        this.timers = timers;
        this.clock = clock;
        this.reliability = reliability;
        this.connectionTimeoutNs = connectionTimeoutNs;
        this.idleTimeoutNs = idleTimeoutNs;
        this.initialPtoNs = initialPtoNs;
    }

    /**
     * Opens the timing of a connection: builds its {@link TimerManager} with the reliability layer
     * and registers the connection id with the timer.
     *
     * @param timer               the global timer
     * @param connectionId        the connection's id, unique among the timer's live connections
     * @param eventLoop           the connection's event loop: the manager's wake-up executor
     * @param listener            hears the due timeouts, on the event loop
     * @param reliability         the connection's reliability layer
     * @param connectionTimeoutNs how long the handshake may take
     * @param idleTimeoutNs       how long the peer may stay silent
     * @param initialPtoNs        the PTO before any RTT sample (the initial RTO)
     * @return the timing
     * @throws IllegalStateException if the timer already has a live connection with this id
     */
    static TimingManager open(GlobalTimer timer, long connectionId, Executor eventLoop,
                              TimeoutListener<TimeoutEvent> listener, ReliabilityLayer reliability,
                              long connectionTimeoutNs, long idleTimeoutNs, long initialPtoNs) {
        TimerManager<TimeoutEvent> timers = TimerManager.builder(timer, connectionId)
                .wakeUp(eventLoop, listener)
                .layer(reliability)
                .recordStats()
                .build();
        return new TimingManager(timers, timer.cachedClock(), reliability, connectionTimeoutNs, idleTimeoutNs,
                initialPtoNs);
    }

    // ------------------------------------------------------------------ time

    /**
     * Refreshes the timer's cached clock: once at the start of each piece of work on the event
     * loop (a read burst, an application call), so that what follows reads a fresh time cheaply.
     *
     * @return the current time
     */
    long refreshClock() {
        return timers.refreshClock();
    }

    /** @return the cached time, as of the last refresh */
    long nowNs() {
        return clock.nanoTime();
    }

    // ------------------------------------------------------------------ connection-level timeouts

    /** The handshake began: it must complete within the connection timeout. */
    void handshakeStarted() {
        timers.register(TimeoutEvent.CONNECTION, connectionTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /** The handshake completed: the connection timeout ends and the idle timeout begins. */
    void established() {
        timers.cancel(TimeoutEvent.CONNECTION);
        timers.register(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * A packet arrived from the peer: the idle timeout starts again. A field write: the wheel is
     * not touched, since the deadline only moves later.
     */
    void peerActivity() {
        timers.reset(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /** A path challenge was sent: it must be answered within {@link #pathValidationTimeoutNs()}. */
    void pathValidationStarted() {
        timers.register(TimeoutEvent.PATH_VALIDATION, pathValidationTimeoutNs(), TimeUnit.NANOSECONDS);
    }

    /** The path validation ended (answered, or abandoned for another path). */
    void pathValidationEnded() {
        timers.cancel(TimeoutEvent.PATH_VALIDATION);
    }

    /** @return three times the larger of the current PTO and the initial PTO */
    long pathValidationTimeoutNs() {
        return pathValidationTimeoutNs(reliability.manager().estimator().baseRtoNs(), initialPtoNs);
    }

    /**
     * @param ptoNs        the current PTO
     * @param initialPtoNs the PTO before any sample
     * @return three times the larger, saturated at {@link Long#MAX_VALUE}
     */
    static long pathValidationTimeoutNs(long ptoNs, long initialPtoNs) {
        long largerNs = Math.max(ptoNs, initialPtoNs);
        return largerNs > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : 3 * largerNs;
    }

    // ------------------------------------------------------------------ parts and lifecycle

    TimerManager<TimeoutEvent> timers() {
        return timers;
    }

    ReliabilityLayer reliability() {
        return reliability;
    }

    /** Closes the manager: its wheel entry is cancelled and its connection id unregistered. */
    @Override
    public void close() {
        timers.close();
    }

    @Override
    public String toString() {
        return "TimingManager[" + timers + "]";
    }
}
