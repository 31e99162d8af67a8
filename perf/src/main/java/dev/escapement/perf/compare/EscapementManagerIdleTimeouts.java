package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.AbstractTimerManager;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Escapement's idle timeout as a protocol stack writes it: a {@link TimerManager} per connection,
 * woken on the connection's event loop. Either the connection class extends
 * {@link AbstractTimerManager} and is its own timers ({@code extending}), or it holds a manager the
 * builder made. A packet is a {@link TimerManager#reset reset} of the idle timeout, which reads the
 * timer's cached clock (refreshed once per read burst) and writes one field; the connection keeps
 * one wheel entry however often it is reset. When the entry fires, the drain on the event loop
 * finds the idle timeout due (or re-arms the entry for the remainder) and the connection registers
 * it again.
 *
 * <p>Thread-safety: as {@link IdleTimeouts}; a manager is touched only on its connection's event
 * loop, except for its expiry signal, which the timer thread raises.
 */
final class EscapementManagerIdleTimeouts extends CountingIdleTimeouts {

    private final GlobalTimer timer = GlobalTimer.builder().threadName("tmr-escapement").build();
    private final AtomicLong connectionIds = new AtomicLong();
    private final boolean extending;

    /**
     * @param extending true for connections that extend the manager, false for connections that
     *                  hold one
     */
    EscapementManagerIdleTimeouts(boolean extending) {
        this.extending = extending;
    }

    /**
     * The contender whose connections are open: a connection that is its own timers keeps no field
     * of its own (a protocol's idle timeout is a constant of the protocol), so that the footprint
     * scenario weighs the timers alone. A contender JVM runs one contender at a time.
     */
    private static volatile EscapementManagerIdleTimeouts current;
    private volatile long idleTimeoutNs;

    /** A connection that is its own timers: nothing but the manager. */
    static final class OwnConn extends AbstractTimerManager<TimeoutEvent> implements Connection {

        OwnConn(GlobalTimer timer, long id, EventLoop loop) {
            super(TimerManager.builder(timer, id).wakeUp(loop));
        }

        @Override
        public void onRead() {
            reset(TimeoutEvent.IDLE, current.idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        /** Event loop: the idle timeout is due; raise it and start the next idle period. */
        @Override
        protected void onTimeouts(TimeoutCheckResult due) {
            for (int i = 0; i < due.eventCount(); i++) {
                if (due.event(i) == TimeoutEvent.IDLE) {
                    current.idleEvent();
                    register(TimeoutEvent.IDLE, current.idleTimeoutNs, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /** A connection that holds the manager the builder made. */
    final class HeldConn implements Connection {
        private final TimerManager<TimeoutEvent> timeouts;
        private final long idleTimeoutNs;

        HeldConn(EventLoop loop, long idleTimeoutNs) {
            this.idleTimeoutNs = idleTimeoutNs;
            this.timeouts = TimerManager.builder(timer, connectionIds.incrementAndGet())
                    .wakeUp(loop, this::onTimeouts)
                    .build();
        }

        @Override
        public void onRead() {
            timeouts.reset(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        private void onTimeouts(TimerManager<TimeoutEvent> manager, TimeoutCheckResult due) {
            for (int i = 0; i < due.eventCount(); i++) {
                if (due.event(i) == TimeoutEvent.IDLE) {
                    idleEvent();
                    manager.register(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    @Override
    public Connection open(EventLoop loop, long idleTimeoutNs) {
        TimerManager<TimeoutEvent> timeouts;
        Connection connection;
        if (extending) {
            this.idleTimeoutNs = idleTimeoutNs;
            current = this;
            OwnConn own = new OwnConn(timer, connectionIds.incrementAndGet(), loop);
            timeouts = own;
            connection = own;
        } else {
            HeldConn held = new HeldConn(loop, idleTimeoutNs);
            timeouts = held.timeouts;
            connection = held;
        }
        timeouts.register(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
        return connection;
    }

    @Override
    public Connection openWithThreeTimeouts(EventLoop loop, long idleNs, long retransmissionNs, long pathValidationNs) {
        Connection connection = open(loop, idleNs);
        TimerManager<TimeoutEvent> timeouts = connection instanceof HeldConn held ? held.timeouts : (OwnConn) connection;
        timeouts.register(TimeoutEvent.RETRANSMISSION, retransmissionNs, TimeUnit.NANOSECONDS);
        timeouts.register(TimeoutEvent.PATH_VALIDATION, pathValidationNs, TimeUnit.NANOSECONDS);
        return connection;
    }

    @Override
    public void beginBurst() {
        timer.cachedClock().refresh();
    }

    @Override
    public void awaitCaughtUp(long timeoutMs) {
        Probes.awaitZeroDelayTimer(done -> timer.schedule(handle -> done.run(), 0, TimeUnit.NANOSECONDS),
                timeoutMs, "the Escapement sentinel timer");
    }

    @Override
    public void close() {
        timer.stop();
    }
}
