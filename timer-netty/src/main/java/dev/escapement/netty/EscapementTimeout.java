package dev.escapement.netty;

import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.lang.System.Logger.Level;

/**
 * The {@link Timeout} of an {@link EscapementTimer}, which is also its entry in the global
 * timer's wheel: a pending Netty timeout is this one object (48 bytes with compressed
 * references), as a {@code HashedWheelTimeout} is Netty's.
 *
 * <p>Thread-safety: any thread. The entry's state word decides a cancel racing the expiry.
 */
final class EscapementTimeout extends TimerEntry implements Timeout, Runnable {

    private static final System.Logger LOG = System.getLogger(EscapementTimer.class.getName());

    private final EscapementTimer timer;
    private final TimerTask task;

    EscapementTimeout(EscapementTimer timer, TimerTask task) {
        this.timer = timer;
        this.task = task;
    }

    @Override
    protected boolean isReusable() {
        return false;
    }

    /** Fired for good: run the task on the timer thread, or on the global timer's callback executor. */
    @Override
    protected void expired(TimerEngine engine, long nowNs) {
        engine.dispatch(this, this);
    }

    @Override
    public void run() {
        timer.released();
        try {
            task.run(this);
        } catch (Throwable failure) {
            timer.engine().taskFailed(this, failure);
        }
    }

    @Override
    protected void refused(Throwable failure) {
        timer.released();
    }

    @Override
    protected void cancelledByTimer() {
        timer.released();
    }

    @Override
    public Timer timer() {
        return timer;
    }

    /** @return the timer that created this timeout */
    EscapementTimer owner() {
        return timer;
    }

    @Override
    public TimerTask task() {
        return task;
    }

    @Override
    public boolean isExpired() {
        return isExpiredEntry();
    }

    @Override
    public boolean isCancelled() {
        return isCancelledEntry();
    }

    @Override
    public boolean cancel() {
        if (!timer.engine().cancel(this)) {
            return false;
        }
        timer.released();
        try {
            task.cancelled(this);
        } catch (Throwable failure) {
            LOG.log(Level.WARNING, "TimerTask.cancelled threw for " + this, failure);
        }
        return true;
    }

    @Override
    public String toString() {
        TimerEngine engine = timer.engine();
        long remainingNs = requestedDeadlineNs() - engine.nowNs();
        return "EscapementTimeout(deadline: " + (remainingNs >= 0 ? remainingNs + " ns later" : -remainingNs + " ns ago")
                + (isCancelled() ? ", cancelled" : "") + ", task: " + task + ")";
    }
}
