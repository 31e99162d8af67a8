package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Escapement's idle timeout as a protocol stack writes it: one {@link TimerManager} per
 * connection, woken on the connection's event loop. A packet is a
 * {@link TimerManager#reset reset} of the idle timeout, which reads the timer's cached clock
 * (refreshed once per read burst) and writes one field; the connection keeps one wheel entry
 * however often it is reset. When the entry fires, the manager's drain on the event loop finds
 * the idle timeout due (or re-arms the entry for the remainder) and the contender re-registers it.
 *
 * <p>Thread-safety: as {@link IdleTimeouts}; a manager is touched only on its connection's event
 * loop, except for its expiry signal, which the timer thread raises.
 */
final class EscapementManagerIdleTimeouts extends CountingIdleTimeouts {

    private final GlobalTimer timer = GlobalTimer.builder().threadName("tmr-escapement").build();
    private final AtomicLong connectionIds = new AtomicLong();

    final class Conn implements Connection {
        private final TimerManager<TimeoutEvent> timeouts;
        private final long idleTimeoutNs;

        Conn(EventLoop loop, long idleTimeoutNs) {
            this.idleTimeoutNs = idleTimeoutNs;
            this.timeouts = TimerManager.builder(timer, connectionIds.incrementAndGet())
                    .wakeUp(loop, this::onTimeouts)
                    .build();
            timeouts.register(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onRead() {
            timeouts.reset(TimeoutEvent.IDLE, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        /** Event loop: the idle timeout is due; raise it and start the next idle period. */
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
        return new Conn(loop, idleTimeoutNs);
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
