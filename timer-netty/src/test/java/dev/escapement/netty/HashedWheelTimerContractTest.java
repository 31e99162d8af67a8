package dev.escapement.netty;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timer;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The contract suite on the reference implementation, so every expectation is checked there too. */
class HashedWheelTimerContractTest extends TimerContractTest {

    @Override
    protected Timer newTimer(long maxPendingTimeouts) {
        return new HashedWheelTimer(Executors.defaultThreadFactory(), 1, TimeUnit.MILLISECONDS, 512, true, maxPendingTimeouts);
    }

    /**
     * {@code HashedWheelTimer.newTimeout} checks the worker's state, then adds the timeout to its
     * queue; if {@code stop()} drains the queue in between, the timeout is neither run nor
     * returned. {@link EscapementTimer} re-checks after scheduling and keeps every one.
     */
    @Override
    protected boolean keepsTimeoutsAcceptedDuringStop() {
        return false;
    }
}
