package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.netty.EscapementTimer;
import io.netty.util.Timeout;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Escapement through its Netty adapter: timer-netty's {@link EscapementTimer}, an
 * {@link io.netty.util.Timer}, over a {@link GlobalTimer} of its own with the default settings
 * (1 ms tick). This is what a Netty user gets by replacing a {@code HashedWheelTimer} without
 * touching the code that calls {@code newTimeout}, so it is driven exactly as
 * {@link NettyWheelContender} is: {@code newTimeout} returns a {@link Timeout}, kept per slot, and
 * {@code Timeout.cancel()} cancels. Each timeout costs the handle path plus the {@code Timeout}
 * that wraps the handle.
 *
 * <p>The global timer is its own rather than the shared one, so that stopping the contender stops
 * its thread and each scenario starts from an empty wheel. A full command queue is met as
 * {@link EscapementContender} meets it ({@link EscapementContender#awaitRoom}).
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class EscapementNettyTimerContender implements EscapementBacked {

    private final LongAdder backpressureRetries = new LongAdder();
    private GlobalTimer globalTimer;
    private EscapementTimer timer;
    private Timeout[] timeouts;

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        globalTimer = GlobalTimer.builder().threadName("tmr-escapement").build();
        globalTimer.start();
        // Stopping the Netty timer stops the global timer too: nobody else uses it.
        timer = EscapementTimer.builder().globalTimer(globalTimer).ownGlobalTimer().build();
        timeouts = new Timeout[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        while (true) {
            try {
                timeouts[slot] = timer.newTimeout(action, delayNs, TimeUnit.NANOSECONDS);
                return;
            } catch (RejectedExecutionException full) {
                EscapementContender.awaitRoom(globalTimer, full);
                backpressureRetries.increment();
            }
        }
    }

    @Override
    public void cancel(int slot) {
        NettyWheelContender.cancelSlot(timeouts, slot);
    }

    @Override
    public long backpressureRetries() {
        return backpressureRetries.sum();
    }

    @Override
    public GlobalTimer globalTimer() {
        return globalTimer;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.stop();
        }
        timer = null;
        globalTimer = null;
        timeouts = null;
    }
}
