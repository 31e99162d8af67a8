package dev.escapement.perf.compare;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
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

    /**
     * A connection with three timeouts as {@code IdleStateHandler} keeps its reader, writer and
     * all-idle timeouts: per timeout a task object with its time of last activity, scheduled on the
     * event loop, and the future the scheduling returned.
     */
    static final class ThreeConn implements Connection {
        private final LazyTimeout idle;
        private final LazyTimeout retransmission;
        private final LazyTimeout pathValidation;

        ThreeConn(EventLoop loop, long idleNs, long retransmissionNs, long pathValidationNs) {
            this.idle = new LazyTimeout(loop, idleNs);
            this.retransmission = new LazyTimeout(loop, retransmissionNs);
            this.pathValidation = new LazyTimeout(loop, pathValidationNs);
        }

        @Override
        public void onRead() {
            idle.lastActivityNs = System.nanoTime();
        }
    }

    /** One lazily re-armed timeout, as one of {@code IdleStateHandler}'s idle tasks. */
    static final class LazyTimeout implements Runnable {
        private final EventLoop loop;
        private final long timeoutNs;
        long lastActivityNs = System.nanoTime();
        private ScheduledFuture<?> future;

        LazyTimeout(EventLoop loop, long timeoutNs) {
            this.loop = loop;
            this.timeoutNs = timeoutNs;
            this.future = loop.schedule(this, timeoutNs, TimeUnit.NANOSECONDS);
        }

        @Override
        public void run() {
            long nextDelayNs = timeoutNs - (System.nanoTime() - lastActivityNs);
            future = loop.schedule(this, nextDelayNs <= 0 ? timeoutNs : nextDelayNs, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public Connection openWithThreeTimeouts(EventLoop loop, long idleNs, long retransmissionNs, long pathValidationNs) {
        return new ThreeConn(loop, idleNs, retransmissionNs, pathValidationNs);
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
