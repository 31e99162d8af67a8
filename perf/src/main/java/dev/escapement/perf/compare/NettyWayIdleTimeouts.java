package dev.escapement.perf.compare;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * The Netty way, as {@code IdleStateHandler} does it: a packet stores the time of the last read
 * ({@code System.nanoTime()}, what the handler's ticker reads once per read completion), and one
 * task per connection on the event loop's own scheduler is re-armed lazily: when it runs it raises
 * the idle event or schedules itself again for the remainder.
 *
 * <p>Thread-safety: as {@link IdleTimeouts}; a connection is touched only on its event loop.
 */
final class NettyWayIdleTimeouts extends CountingIdleTimeouts {


    final class Conn implements Connection, Runnable {
        private final EventLoop loop;
        private final long idleTimeoutNs;
        private long lastReadNs;

        Conn(EventLoop loop, long idleTimeoutNs) {
            this.loop = loop;
            this.idleTimeoutNs = idleTimeoutNs;
            this.lastReadNs = System.nanoTime();
        }

        @Override
        public void onRead() {
            lastReadNs = System.nanoTime();
        }

        @Override
        public void run() {
            long nextDelayNs = idleTimeoutNs - (System.nanoTime() - lastReadNs);
            if (nextDelayNs <= 0) {
                idleEvent();
                loop.schedule(this, idleTimeoutNs, TimeUnit.NANOSECONDS);
            } else {
                loop.schedule(this, nextDelayNs, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public Connection open(EventLoop loop, long idleTimeoutNs) {
        Conn conn = new Conn(loop, idleTimeoutNs);
        loop.schedule(conn, idleTimeoutNs, TimeUnit.NANOSECONDS);
        return conn;
    }

    @Override
    public void beginBurst() {
    }

    @Override
    public void awaitCaughtUp(long timeoutMs) {
        // Everything happens on the event loops, which the scenario has already drained.
    }

    @Override
    public void close() {
    }
}
