package dev.escapement;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link TimerHandle} of a one-shot timer. It is also the command that carries the timer to
 * the timer thread (offered once to link it, and again to reclaim it after a cancel), and the
 * {@link Runnable} handed to a callback executor, so a timer costs one object besides its wheel
 * entry.
 *
 * <p>Thread-safety: any thread. The outcome moves once from {@code PENDING}; the wheel entry's
 * status, changed by compare-and-set, decides the winner of a cancel racing an expiry, and the
 * winner then records the outcome here.
 */
final class DefaultTimerHandle implements TimerHandle, Runnable {

    static final int PENDING = 0;
    static final int FIRED = 1;
    static final int COMPLETED = 2;
    static final int FAILED = 3;
    static final int CANCELLED = 4;

    private static final VarHandle FUTURE;

    static {
        try {
            FUTURE = MethodHandles.lookup().findVarHandle(DefaultTimerHandle.class, "future", CompletionFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GlobalTimer timer;
    private final TimerTask task;
    private final long deadlineNs;
    /** Written once, before the handle is offered to the timer thread or returned. */
    private long id;
    private volatile int outcome;
    private volatile CompletionFuture future;
    /** Timer thread only: whether this handle's link command was applied. */
    private boolean linkRequested;

    DefaultTimerHandle(GlobalTimer timer, TimerTask task, long deadlineNs) {
        this.timer = timer;
        this.task = task;
        this.deadlineNs = deadlineNs;
    }

    void id(long id) {
        this.id = id;
    }

    GlobalTimer timer() {
        return timer;
    }

    boolean linkRequested() {
        return linkRequested;
    }

    void linkRequested(boolean requested) {
        this.linkRequested = requested;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long deadlineNs() {
        return deadlineNs;
    }

    @Override
    public TimerTask task() {
        return task;
    }

    @Override
    public boolean cancel() {
        return timer.cancelHandle(this);
    }

    @Override
    public boolean isCancelled() {
        return outcome() == CANCELLED;
    }

    @Override
    public boolean isExpired() {
        int outcome = outcome();
        return outcome == FIRED || outcome == COMPLETED || outcome == FAILED;
    }

    @Override
    public boolean isPending() {
        return outcome() == PENDING;
    }

    /**
     * The outcome, consulting the wheel entry for the short window between the compare-and-set
     * that decided it and the write of {@link #outcome}.
     */
    int outcome() {
        int current = outcome;
        if (current != PENDING) {
            return current;
        }
        int decided = timer.decidedOutcome(id);
        return decided != PENDING ? decided : outcome;
    }

    /** Records a cancellation won by compare-and-set; any thread. */
    void markCancelled() {
        outcome = CANCELLED;
        CompletionFuture f = future;
        if (f != null) {
            f.cancelled();
        }
    }

    /** Records an expiry won by compare-and-set; timer thread, before the task runs. */
    void markFired() {
        outcome = FIRED;
    }

    /** Runs the task (or nothing, for a notify-only timer) and completes the future. */
    @Override
    public void run() {
        if (task != null) {
            try {
                task.run(this);
            } catch (Throwable failure) {
                outcome = FAILED;
                timer.taskFailed(this, failure);
                completionFuture().fail(failure);
                return;
            }
        }
        outcome = COMPLETED;
        CompletionFuture f = future;
        if (f != null) {
            f.succeed();
        }
    }

    /** Fails the future when the callback executor refused the task. */
    void rejected(Throwable failure) {
        outcome = FAILED;
        completionFuture().fail(failure);
    }

    @Override
    public CompletableFuture<Void> completion() {
        return completionFuture();
    }

    private CompletionFuture completionFuture() {
        CompletionFuture f = future;
        if (f == null) {
            CompletionFuture created = new CompletionFuture(this);
            f = (CompletionFuture) FUTURE.compareAndExchange(this, null, created);
            if (f == null) {
                f = created;
            }
        }
        // The outcome may have been decided before the future existed: complete it here too.
        // Completing twice is harmless, and one of the two sides always sees the other.
        switch (outcome()) {
            case COMPLETED -> f.succeed();
            case CANCELLED -> f.cancelled();
            default -> { }
        }
        return f;
    }

    @Override
    public String toString() {
        String state = switch (outcome()) {
            case PENDING -> "PENDING";
            case FIRED -> "FIRED";
            case COMPLETED -> "COMPLETED";
            case FAILED -> "FAILED";
            default -> "CANCELLED";
        };
        return "TimerHandle[id=" + id + ", deadlineNs=" + deadlineNs + ", " + state + "]";
    }
}
