package dev.escapement.perf.compare;

import io.netty.channel.EventLoop;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * The naive way: every packet cancels the connection's {@link HashedWheelTimer} timeout and
 * schedules a new one. The wheel has a 1 ms tick: at Netty's default 100 ms tick the worker moves at
 * most 100 000 new timeouts per tick into the wheel (1 M/s) and falls ever further behind at the
 * rates measured here.
 *
 * <p>Thread-safety: as {@link IdleTimeouts}; a connection's field is touched on its event loop, its
 * expiry runs on the wheel's worker thread.
 */
final class NaiveWheelIdleTimeouts extends CountingIdleTimeouts {

    private final HashedWheelTimer timer = new HashedWheelTimer(NamedThreads.factory("tmr-netty-wheel"), 1, TimeUnit.MILLISECONDS);

    final class Conn implements Connection, TimerTask {
        private final long idleTimeoutNs;
        private Timeout timeout;

        Conn(long idleTimeoutNs) {
            this.idleTimeoutNs = idleTimeoutNs;
            this.timeout = timer.newTimeout(this, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onRead() {
            timeout.cancel();
            timeout = timer.newTimeout(this, idleTimeoutNs, TimeUnit.NANOSECONDS);
        }

        @Override
        public void run(Timeout expired) {
            idleEvent();
        }
    }

    @Override
    public Connection open(EventLoop loop, long idleTimeoutNs) {
        return new Conn(idleTimeoutNs);
    }

    /** A connection with three timeouts, each a {@link Timeout} of the wheel; a packet resets the idle one. */
    final class ThreeConn implements Connection, TimerTask {
        private final Conn idle;
        private final Timeout retransmission;
        private final Timeout pathValidation;

        ThreeConn(long idleNs, long retransmissionNs, long pathValidationNs) {
            this.idle = new Conn(idleNs);
            this.retransmission = timer.newTimeout(this, retransmissionNs, TimeUnit.NANOSECONDS);
            this.pathValidation = timer.newTimeout(this, pathValidationNs, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onRead() {
            idle.onRead();
        }

        @Override
        public void run(Timeout expired) {
        }
    }

    @Override
    public Connection openWithThreeTimeouts(EventLoop loop, long idleNs, long retransmissionNs, long pathValidationNs) {
        return new ThreeConn(idleNs, retransmissionNs, pathValidationNs);
    }

    @Override
    public void beginBurst() {
    }

    @Override
    public void awaitCaughtUp(long timeoutMs) {
        Probes.awaitZeroDelayTimer(done -> timer.newTimeout(t -> done.run(), 0, TimeUnit.NANOSECONDS),
                timeoutMs, "the HashedWheelTimer sentinel timeout");
    }

    @Override
    public void close() {
        timer.stop();
    }
}
