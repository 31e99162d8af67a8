package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.clock.CachedClock;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Escapement's idle timeout, written against the design {@code TimerManager} implements: a packet
 * stores the connection's last activity, read from the timer's {@link CachedClock} (refreshed once
 * per read burst), and nothing else; each connection has one wheel entry on the id path. When the
 * entry fires, the timer thread hands the connection to its event loop, which looks at the last
 * activity and either raises the idle event or re-arms the entry for the remainder.
 *
 * <p>This stands in for {@code TimerManager} until that class exists: switching over means
 * replacing {@link Conn#onRead()} with the manager's idle reset, {@link #open} with creating a
 * manager (with the event loop as its wake-up executor) and registering the idle timeout, and
 * {@link Conn#run()} with draining the manager's inbox.
 *
 * <p>Thread-safety: as {@link IdleTimeouts}; a connection's fields are touched on its event loop,
 * except that the timer thread hands the connection over with {@code execute}.
 */
final class EscapementLazyIdleTimeouts extends CountingIdleTimeouts {

    private final GlobalTimer timer = GlobalTimer.builder().threadName("tmr-escapement").build();
    private final CachedClock clock = timer.cachedClock();

    final class Conn implements Connection, TimerExpiryHandler, Runnable {
        private final EventLoop loop;
        private final long idleTimeoutNs;
        private long lastActivityNs;

        Conn(EventLoop loop, long idleTimeoutNs) {
            this.loop = loop;
            this.idleTimeoutNs = idleTimeoutNs;
            this.lastActivityNs = clock.refresh();
        }

        @Override
        public void onRead() {
            lastActivityNs = clock.nanoTime();
        }

        /** Timer thread: the entry fired; the decision belongs to the connection's event loop. */
        @Override
        public void onTimerExpiry(long timerId, long nowNs) {
            loop.execute(this);
        }

        /** Event loop: fire the idle event or re-arm for the remainder. */
        @Override
        public void run() {
            long idleNs = timer.nanoTime() - lastActivityNs;
            if (idleNs >= idleTimeoutNs) {
                idleEvent();
                arm(idleTimeoutNs);
            } else {
                arm(idleTimeoutNs - idleNs);
            }
        }

        void arm(long delayNs) {
            timer.scheduleTimer(this, delayNs, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public Connection open(EventLoop loop, long idleTimeoutNs) {
        Conn conn = new Conn(loop, idleTimeoutNs);
        conn.arm(idleTimeoutNs);
        return conn;
    }

    @Override
    public void beginBurst() {
        clock.refresh();
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
