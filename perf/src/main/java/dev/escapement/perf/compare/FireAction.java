package dev.escapement.perf.compare;

import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerHandle;
import io.netty.util.Timeout;

/**
 * What a timer does when it fires, in a shape every contender accepts without an adapter object:
 * a {@link Runnable} for the JDK and Netty executors, a Netty {@link io.netty.util.TimerTask}, an
 * Escapement {@link dev.escapement.TimerTask} and {@link TimerExpiryHandler}. So one shared action
 * costs nothing per timer, and a per-timer action (a lateness probe) costs the same object for every
 * contender.
 *
 * <p>Thread-safety: {@link #fire()} runs on whichever thread the contender fires timers on.
 */
abstract class FireAction implements Runnable, io.netty.util.TimerTask, dev.escapement.TimerTask, TimerExpiryHandler {

    /** An action that does nothing: for timers that are cancelled or never due in a run. */
    static final FireAction NOTHING = new FireAction() {
        @Override
        void fire() {
        }
    };

    /** The timer fired. */
    abstract void fire();

    @Override
    public final void run() {
        fire();
    }

    @Override
    public final void run(Timeout timeout) {
        fire();
    }

    @Override
    public final void run(TimerHandle handle) {
        fire();
    }

    @Override
    public final void onTimerExpiry(long timerId, long nowNs) {
        fire();
    }
}
