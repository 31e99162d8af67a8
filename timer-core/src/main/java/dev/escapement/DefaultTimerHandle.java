package dev.escapement;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link TimerHandle} of a one-shot timer. It is also the command that carries the timer to
 * the timer thread (offered to link it, again to move it after a postpone, and again to reclaim it
 * after a cancel: the timer thread reconciles the wheel with the handle's state each time), and
 * the {@link Runnable} handed to a callback executor, so a timer costs one object besides its
 * wheel entry.
 *
 * <p>Thread-safety: any thread. The outcome moves once from {@code PENDING}; the wheel entry's
 * status, changed by compare-and-set, decides the winner of a cancel racing an expiry, and the
 * winner then records the outcome here. Fields marked "timer thread" are confined to it.
 */
sealed class DefaultTimerHandle implements TimerHandle, Runnable permits PeriodicTimerHandle, WindowTimerHandle {

    static final int PENDING = 0;
    static final int FIRED = 1;
    static final int COMPLETED = 2;
    static final int FAILED = 3;
    static final int CANCELLED = 4;

    private static final VarHandle FUTURE;
    private static final VarHandle MOVE_SEQUENCE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FUTURE = lookup.findVarHandle(DefaultTimerHandle.class, "future", CompletionFuture.class);
            MOVE_SEQUENCE = lookup.findVarHandle(DefaultTimerHandle.class, "moveSequence", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final GlobalTimer timer;
    private volatile TimerTask task;
    private volatile long deadlineNs;
    /** Written once, before the handle is offered to the timer thread or returned. */
    private long id;
    private volatile int outcome;
    private volatile CompletionFuture future;
    /** The tick a postpone asked for; read by the timer thread after the move sequence. */
    private volatile long moveTick;
    /** Incremented by each postpone after it wrote {@link #moveTick}. */
    private volatile int moveSequence;
    /** Timer thread: the move sequence last applied. */
    private int appliedMoveSequence;
    /** Timer thread: whether this handle's link command was applied. */
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
    public boolean postpone(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return timer.postponeHandle(this, unit.toNanos(delay), null);
    }

    @Override
    public boolean postpone(long delay, TimeUnit unit, TimerTask newTask) {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(newTask, "newTask");
        return timer.postponeHandle(this, unit.toNanos(delay), newTask);
    }

    /**
     * Publishes the tick a postpone is about to claim, before its compare-and-set: a pass that
     * finds the entry moving can then place it at its new tick at once, keeping same-tick order
     * consistent with the moment the postpone took effect. Read only while the entry is moving.
     */
    void proposeMoveTick(long newTick) {
        moveTick = newTick;
    }

    /** The tick proposed by the latest postpone; meaningful while the entry is moving. */
    long proposedMoveTick() {
        return moveTick;
    }

    /**
     * Records a postpone whose move this caller claimed: the new deadline (and task), then
     * publishes it by bumping the move sequence.
     */
    void requestMove(long newDeadlineNs, long newTick, TimerTask newTask) {
        deadlineNs = newDeadlineNs;
        moveTick = newTick;
        if (newTask != null) {
            task = newTask;
        }
        MOVE_SEQUENCE.getAndAdd(this, 1);
    }

    /** Restores deadline and task after a move that could not be handed to the timer thread. */
    void restore(long previousDeadlineNs, TimerTask previousTask) {
        deadlineNs = previousDeadlineNs;
        task = previousTask;
    }

    /** Timer thread: the move sequence to apply, or -1 if every move is applied. */
    int unappliedMoveSequence() {
        int sequence = moveSequence;
        return sequence != appliedMoveSequence ? sequence : -1;
    }

    /** Timer thread: marks the moves up to {@code sequence} applied and returns their tick. */
    long applyMove(int sequence) {
        appliedMoveSequence = sequence;
        return moveTick;
    }

    /** True if no postpone has arrived since {@code sequence}. */
    boolean isLatestMove(int sequence) {
        return moveSequence == sequence;
    }

    /** Timer thread: a new nominal deadline for a periodic run. */
    void deadlineNs(long deadlineNs) {
        this.deadlineNs = deadlineNs;
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
        Throwable failure = runTask();
        if (failure != null) {
            fail(failure);
        } else {
            complete();
        }
    }

    /** Runs the task once; returns what it threw, already logged and counted, or null. */
    final Throwable runTask() {
        TimerTask current = task;
        if (current == null) {
            return null;
        }
        try {
            current.run(this);
            return null;
        } catch (Throwable failure) {
            timer.taskFailed(this, failure);
            return failure;
        }
    }

    /** The timer is done for good and its last run succeeded. */
    void complete() {
        outcome = COMPLETED;
        CompletionFuture f = future;
        if (f != null) {
            f.succeed();
        }
    }

    /** The timer is done for good with a failure: its task threw, or was refused. */
    void fail(Throwable failure) {
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
        return getClass() == DefaultTimerHandle.class
                ? "TimerHandle[id=" + id + ", deadlineNs=" + deadlineNs + ", " + state + "]"
                : "PeriodicTimerHandle[id=" + id + ", next deadlineNs=" + deadlineNs + ", " + state + "]";
    }
}
