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
}
