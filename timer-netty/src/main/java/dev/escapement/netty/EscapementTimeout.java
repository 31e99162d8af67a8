package dev.escapement.netty;

import dev.escapement.TimerHandle;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.lang.System.Logger.Level;

/**
 * The {@link Timeout} of an {@link EscapementTimer}: Netty's view of an Escapement
 * {@link TimerHandle}, and the Escapement task that runs Netty's {@link TimerTask}.
 *
 * <p>Thread-safety: any thread. State lives in the handle, whose compare-and-set decides a cancel
 * racing the expiry.
 */
final class EscapementTimeout implements Timeout, dev.escapement.TimerTask {

    private static final System.Logger LOG = System.getLogger(EscapementTimer.class.getName());

    private final EscapementTimer timer;
    private final TimerTask task;
    /** Set right after scheduling, or by the run itself if it comes first. */
    private volatile TimerHandle handle;

    EscapementTimeout(EscapementTimer timer, TimerTask task) {
        this.timer = timer;
        this.task = task;
    }

    void handle(TimerHandle handle) {
        this.handle = handle;
    }

    @Override
    public void run(TimerHandle firing) throws Exception {
        handle = firing;
        timer.released();
        task.run(this);
    }

    @Override
    public Timer timer() {
        return timer;
    }

    @Override
    public TimerTask task() {
        return task;
    }

    @Override
    public boolean isExpired() {
        return handle.isExpired();
    }

    @Override
    public boolean isCancelled() {
        return handle.isCancelled();
    }

    @Override
    public boolean cancel() {
        if (!handle.cancel()) {
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
        TimerHandle current = handle;
        long remainingNs = current.deadlineNs() - timer.globalTimer().nanoTime();
        return "EscapementTimeout(deadline: " + (remainingNs >= 0 ? remainingNs + " ns later" : -remainingNs + " ns ago")
                + (current.isCancelled() ? ", cancelled" : "") + ", task: " + task + ")";
    }
}
