package dev.escapement.netty;

import io.netty.util.Timer;

/** The contract suite on {@link EscapementTimer} over the shared global timer. */
class EscapementTimerContractTest extends TimerContractTest {

    @Override
    protected Timer newTimer(long maxPendingTimeouts) {
        return EscapementTimer.builder().maxPendingTimeouts(maxPendingTimeouts).build();
    }
}
