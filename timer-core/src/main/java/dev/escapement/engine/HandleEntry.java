package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.DONE;
import static dev.escapement.engine.TimerEntry.FAILED;
import static dev.escapement.engine.TimerEntry.FIRED;

import dev.escapement.TimerHandle;
import dev.escapement.TimerTask;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link TimerHandle} of a one-shot timer, which is also its wheel entry: a pending timer on
 * the handle path is this one object (48 bytes with compressed references).
 *
 * <p>Thread-safety: any thread, through the state word (see {@link TimerEntry}). {@link #task} is
 * written before the handle is offered, or by a postpone under its claim. {@link #extras} starts
 * as the engine and becomes an {@link Extras} the first time someone asks for the id or the
 * completion future, by compare-and-set; that keeps both out of the common timer's footprint.
 */
sealed class HandleEntry extends TimerEntry implements TimerHandle, Runnable permits PeriodicHandle {

    /** Handle ids count down from -1, so they never collide with the id path's positive ids. */
    private static final AtomicLong LAST_HANDLE_ID = new AtomicLong();

    private static final VarHandle EXTRAS;

    static {
        try {
            EXTRAS = MethodHandles.lookup().findVarHandle(HandleEntry.class, "extras", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    TimerTask task;
    /** The engine, or an {@link Extras} holding it. */
    private volatile Object extras;

    HandleEntry(TimerEngine engine, TimerTask task) {
        // A plain store: the handle reaches the timer thread through the queue, which orders it,
        // and a volatile store here would cost every schedule a fence.
        EXTRAS.set(this, engine);
        this.task = task;
    }

    @Override
    protected final boolean isReusable() {
        return false;
    }

    /** The id and future of a handle that was asked for them. */
    private static final class Extras {
        final TimerEngine engine;
        final long id = LAST_HANDLE_ID.decrementAndGet();
        volatile CompletionFuture future;

        Extras(TimerEngine engine) {
            this.engine = engine;
        }
    }

    final TimerEngine engine() {
        Object current = extras;
        return current instanceof Extras more ? more.engine : (TimerEngine) current;
    }

    private Extras extras() {
        Object current = extras;
        if (current instanceof Extras more) {
            return more;
        }
        Extras created = new Extras((TimerEngine) current);
        Object witness = EXTRAS.compareAndExchange(this, current, created);
        return witness == current ? created : (Extras) witness;
    }

    // ------------------------------------------------------------------ TimerHandle

    @Override
    public final long id() {
        return extras().id;
    }

    @Override
    public final long deadlineNs() {
        state();
        return engine().absoluteNs(requestedNs);
    }

    @Override
    public final TimerTask task() {
        state();
        return task;
    }

    @Override
    public final boolean cancel() {
        if (!engine().cancel(this)) {
            return false;
        }
        cancelled();
        return true;
    }

    @Override
    public final boolean postpone(long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return postponeBy(unit.toNanos(delay), null);
    }

    @Override
    public final boolean postpone(long delay, TimeUnit unit, TimerTask newTask) {
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(newTask, "newTask");
        return postponeBy(unit.toNanos(delay), newTask);
    }

    private boolean postponeBy(long delayNs, TimerTask newTask) {
        TimerEngine engine = engine();
        long nowNs = engine.nowNs();
        return engine.postpone(this, TimerEngine.deadlineAfter(nowNs, delayNs), nowNs, newTask);
    }

    @Override
    public final boolean isCancelled() {
        return isCancelledEntry();
    }

    @Override
    public final boolean isExpired() {
        return isExpiredEntry();
    }

    @Override
    public final boolean isPending() {
        return isPendingEntry();
    }

    @Override
    public final CompletableFuture<Void> completion() {
        return future(true);
    }

    private CompletionFuture future(boolean create) {
        Extras more = create ? extras() : (extras instanceof Extras e ? e : null);
        if (more == null) {
            return null;
        }
        CompletionFuture f = more.future;
        if (f == null && create) {
            synchronized (more) {
                f = more.future;
                if (f == null) {
                    f = new CompletionFuture(this);
                    more.future = f;
                }
            }
            // The outcome may have been decided before the future existed: complete it here too.
            // Completing twice is harmless, and one of the two sides always sees the other.
            switch (status(state())) {
                case DONE -> f.succeed();
                case CANCELLED -> f.cancelled();
                default -> { }
            }
        }
        return f;
    }

    // ------------------------------------------------------------------ expiry and completion

    @Override
    protected void expired(TimerEngine engine, long nowNs) {
        engine.dispatch(this, this);
    }

    /** Runs the task (nothing, for a notify-only timer) and completes the future. */
    @Override
    public void run() {
        Throwable failure = runTask();
        if (failure != null) {
            fail(failure);
        } else {
            succeed();
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
            engine().taskFailed(this, failure);
            return failure;
        }
    }

    /** Fired for good and its last run succeeded. */
    final void succeed() {
        int current = state();
        if (status(current) == FIRED) {
            compareAndSetState(current, next(current, DONE));
        }
        CompletionFuture f = future(false);
        if (f != null) {
            f.succeed();
        }
    }

    /** Fired for good with a failure: its task threw, or was refused by the executor. */
    final void fail(Throwable failure) {
        int current = state();
        if (status(current) == FIRED) {
            compareAndSetState(current, next(current, FAILED));
        }
        future(true).fail(failure);
    }

    /** The callback executor refused this timer's run. */
    @Override
    protected void refused(Throwable failure) {
        fail(failure);
    }

    /** The cancellation reaches the future. */
    final void cancelled() {
        CompletionFuture f = future(false);
        if (f != null) {
            f.cancelled();
        }
    }

    @Override
    protected void cancelledByTimer() {
        cancelled();
    }

    @Override
    public String toString() {
        Object current = extras;
        String id = current instanceof Extras more ? Long.toString(more.id) : "-";
        return "TimerHandle[id=" + id + ", deadlineNs=" + deadlineNs() + ", " + statusName(state()) + "]";
    }
}
