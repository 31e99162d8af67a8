package dev.escapement.perf.compare;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@link HashedWheelTimer} as its documentation recommends it: one instance, the default
 * 512 ticks per wheel, no bound on pending timeouts; only the tick varies (1, 10 or 100 ms; 100 ms
 * is Netty's default).
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class NettyWheelContender implements TimerContender {

    private final long tickMs;
    private HashedWheelTimer timer;
    private Timeout[] timeouts;

    NettyWheelContender(long tickMs) {
        this.tickMs = tickMs;
    }

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        timer = new HashedWheelTimer(NamedThreads.factory("tmr-netty-wheel"), tickMs, TimeUnit.MILLISECONDS);
        timer.start();
        timeouts = new Timeout[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        timeouts[slot] = timer.newTimeout(action, delayNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void cancel(int slot) {
        cancelSlot(timeouts, slot);
    }

    /** Cancels the {@link Timeout} in {@code slot}, if any, and empties the slot. */
    static void cancelSlot(Timeout[] timeouts, int slot) {
        Timeout timeout = timeouts[slot];
        if (timeout != null) {
            timeout.cancel();
            timeouts[slot] = null;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.stop();
        }
        timer = null;
        timeouts = null;
    }
}
