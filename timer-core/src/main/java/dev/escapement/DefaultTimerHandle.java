package dev.escapement;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@link TimerHandle} of a one-shot timer, and the home of its state. It is also the command
 * that carries the timer to the timer thread (offered to link it, again to move it after a
 * postpone, and again to unlink it after a cancel: the timer thread reconciles the wheel with the
 * handle each time), and the {@link Runnable} handed to a callback executor. A timer therefore
 * costs one object besides its wheel entry, and a producer writes nothing but this object.
 *
 * <p>Thread-safety: any thread. {@link #state} changes only by compare-and-set: a cancel racing an
 * expiry has exactly one winner. Fields marked "timer thread" are confined to it. Postpones of one
 * handle, and the timer thread's application of a move, hold the handle's monitor.
 *
 * <h2>State</h2>
 * The low three bits are the status; bit {@link #LINKED} is set by the timer thread when it puts
 * the timer in the wheel (unless a cancel came first). A cancel learns from the same
 * compare-and-set whether the timer was linked: only then does it ask the timer thread to unlink
 * it. A timer cancelled before it reached the wheel costs the timer thread one look at this word.
 * <pre>
 *   PENDING -> FIRED -> COMPLETED | FAILED        one-shot
 *   PENDING -> RUNNING -> PENDING ... -> FIRED     periodic (the last run goes straight to FIRED)
 *   PENDING -> MOVING -> PENDING                   postpone
 *   PENDING | RUNNING | MOVING -> CANCELLED        cancel, or stop()
 * </pre>
 */
sealed class DefaultTimerHandle implements TimerHandle, Runnable permits PeriodicTimerHandle, WindowTimerHandle {

    static final int PENDING = 0;
    static final int MOVING = 1;
    static final int RUNNING = 2;
    static final int FIRED = 3;
    static final int COMPLETED = 4;
    static final int FAILED = 5;
    static final int CANCELLED = 6;
    static final int STATUS_MASK = 0b111;
    static final int LINKED = 0b1000;

    /** Timer thread's view: not seen yet, in the wheel, or gone from it for good. */
    static final byte NEW = 0;
    static final byte IN_WHEEL = 1;
    static final byte GONE = 2;

    private static final VarHandle STATE;
    private static final VarHandle FUTURE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(DefaultTimerHandle.class, "state", int.class);
            FUTURE = lookup.findVarHandle(DefaultTimerHandle.class, "future", CompletionFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final GlobalTimer timer;
    private volatile TimerTask task;
    private volatile long deadlineNs;
    /** Written once, before the handle is offered to the timer thread or returned. */
    private long id;
    private volatile int state;
    private volatile CompletionFuture future;
    /** Timer thread. */
    private byte phase;

    DefaultTimerHandle(GlobalTimer timer, TimerTask task, long deadlineNs) {
        this.timer = timer;
        this.task = task;
        this.deadlineNs = deadlineNs;
    }

    void id(long id) {
        this.id = id;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long deadlineNs() {
        return deadlineNs;
    }

    /** Timer thread, or a postpone holding the monitor: the new deadline. */
    void deadlineNs(long deadlineNs) {
        this.deadlineNs = deadlineNs;
    }

    @Override
    public TimerTask task() {
        return task;
    }

    /** A postpone holding the monitor: the task to run instead. */
    void task(TimerTask task) {
        this.task = task;
    }

    byte phase() {
        return phase;
    }

    void phase(byte phase) {
        this.phase = phase;
    }

    // ------------------------------------------------------------------ public operations

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

    @Override
    public boolean isCancelled() {
        return status() == CANCELLED;
    }

    @Override
    public boolean isExpired() {
        int status = status();
        return status == FIRED || status == COMPLETED || status == FAILED;
    }

    @Override
    public boolean isPending() {
        int status = status();
        return status == PENDING || status == MOVING || status == RUNNING;
    }

    int status() {
        return state & STATUS_MASK;
    }

    // ------------------------------------------------------------------ transitions

    /**
     * Cancels if pending, moving or in a periodic run.
     *
     * @return the state it replaced (its {@link #LINKED} bit says whether the timer thread must
     *         unlink it), or -1 if it was not cancellable
     */
    int tryCancel() {
        while (true) {
            int current = state;
            int status = current & STATUS_MASK;
            if (status != PENDING && status != MOVING && status != RUNNING) {
                return -1;
            }
            if (STATE.compareAndSet(this, current, CANCELLED | (current & LINKED))) {
                return current;
            }
        }
    }

    /** Timer thread: marks the handle linked, unless it was cancelled first. */
    boolean tryMarkLinked() {
        while (true) {
            int current = state;
            int status = current & STATUS_MASK;
            if (status != PENDING && status != MOVING) {
                return false;
            }
            if (STATE.compareAndSet(this, current, current | LINKED)) {
                return true;
            }
        }
    }

    /** Pending to fired: the one-shot's (or a periodic timer's last) expiry wins over a cancel. */
    boolean tryFire() {
        return transition(PENDING, FIRED);
    }

    /** Periodic: pending to running for one run. */
    boolean tryBeginRun() {
        return transition(PENDING, RUNNING);
    }

    /** Periodic: running back to pending; false if cancelled during the run. */
    boolean tryEndRun() {
        return transition(RUNNING, PENDING);
    }

    /** Periodic: the run in progress becomes the last one; false if cancelled during it. */
    boolean tryMarkLastRun() {
        return transition(RUNNING, FIRED);
    }

    /** Pending (or moving) to moving: a postpone claims the timer. */
    boolean tryBeginMove() {
        return transition(PENDING, MOVING) || transition(MOVING, MOVING);
    }

    /** Moving back to pending: the move is applied, or could not be handed over. */
    boolean endMove() {
        return transition(MOVING, PENDING);
    }

    private boolean transition(int from, int to) {
        while (true) {
            int current = state;
            if ((current & STATUS_MASK) != from) {
                return false;
            }
            if (STATE.compareAndSet(this, current, to | (current & LINKED))) {
                return true;
            }
        }
    }

    // ------------------------------------------------------------------ running and completion

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

    /** The timer is done for good and its last run succeeded: fired to completed. */
    void complete() {
        transition(FIRED, COMPLETED);
        CompletionFuture f = future;
        if (f != null) {
            f.succeed();
        }
    }

    /** The timer is done for good with a failure: its task threw, or was refused. */
    void fail(Throwable failure) {
        transition(FIRED, FAILED);
        completionFuture().fail(failure);
    }

    /** The cancellation (by any thread, or by stop) reaches the future. */
    void completeCancelled() {
        CompletionFuture f = future;
        if (f != null) {
            f.cancelled();
        }
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
        switch (status()) {
            case COMPLETED -> f.succeed();
            case CANCELLED -> f.cancelled();
            default -> { }
        }
        return f;
    }

    @Override
    public String toString() {
        String status = switch (status()) {
            case PENDING -> "PENDING";
            case MOVING -> "MOVING";
            case RUNNING -> "RUNNING";
            case FIRED -> "FIRED";
            case COMPLETED -> "COMPLETED";
            case FAILED -> "FAILED";
            default -> "CANCELLED";
        };
        return this instanceof PeriodicTimerHandle
                ? "PeriodicTimerHandle[id=" + id + ", next deadlineNs=" + deadlineNs + ", " + status + "]"
                : "TimerHandle[id=" + id + ", deadlineNs=" + deadlineNs + ", " + status + "]";
    }
}
