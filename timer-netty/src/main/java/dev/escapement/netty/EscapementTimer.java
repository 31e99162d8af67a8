package dev.escapement.netty;

import dev.escapement.GlobalTimer;
import dev.escapement.engine.Engines;
import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A drop-in {@link Timer} for Netty, backed by an Escapement {@link GlobalTimer}: use it wherever
 * a {@code HashedWheelTimer} is used today. It behaves as {@code HashedWheelTimer} does for
 * every caller that knows only the {@link Timer} interface, but a timeout fires at most one tick
 * of the global timer late (1 ms by default, instead of a 100 ms wheel tick), cancel frees the
 * timeout on the next timer pass, and an idle timer does not tick.
 *
 * <p>Thread-safety: every method may be called from any thread.
 *
 * <h2>Semantics, as {@code HashedWheelTimer}</h2>
 * <ul>
 *   <li>{@link #newTimeout} returns a {@link Timeout} whose {@code isExpired}, {@code isCancelled},
 *       {@code cancel}, {@code task} and {@code timer} behave the same; the task runs once, on the
 *       global timer's thread (or its callback executor); a task that throws is logged and
 *       counted and does not stop other timeouts.</li>
 *   <li>A successful {@link Timeout#cancel()} calls {@link TimerTask#cancelled(Timeout)}, on the
 *       cancelling thread.</li>
 *   <li>{@link #stop()} cancels and returns the timeouts of this timer that have not run;
 *       afterwards {@link #newTimeout} throws {@link IllegalStateException}. Calling it from a task
 *       of the same global timer throws {@link IllegalStateException}.</li>
 *   <li>With a {@code maxPendingTimeouts} bound, {@link #newTimeout} past it throws
 *       {@link RejectedExecutionException}.</li>
 * </ul>
 * Stopping a timer over the {@link GlobalTimer#shared() shared} global timer cancels only this
 * timer's timeouts; the shared timer keeps serving everyone else. A timer over a global timer it
 * was given does the same; only {@link Builder#ownGlobalTimer()} makes {@code stop()} stop the
 * global timer too.
 */
public final class EscapementTimer implements Timer {

    private final GlobalTimer globalTimer;
    private final TimerEngine engine;
    private final boolean ownsGlobalTimer;
    private final long maxPendingTimeouts;
    /** Pending timeouts under a bound: checked against it by every newTimeout. */
    private final AtomicLong pendingTimeouts = new AtomicLong();
    /** Pending timeouts without a bound: a striped count, so that producers share no line for it. */
    private final LongAdder unboundedPending = new LongAdder();
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EscapementTimer(GlobalTimer globalTimer, boolean ownsGlobalTimer, long maxPendingTimeouts) {
        this.globalTimer = globalTimer;
        this.engine = Engines.of(globalTimer);
        this.ownsGlobalTimer = ownsGlobalTimer;
        this.maxPendingTimeouts = maxPendingTimeouts;
    }

    /** @return a timer over the {@link GlobalTimer#shared() shared} global timer, unbounded */
    public static EscapementTimer create() {
        return builder().build();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Timeout newTimeout(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        if (stopped.get()) {
            throw new IllegalStateException("cannot be started once stopped");
        }
        if (maxPendingTimeouts > 0) {
            long pending = pendingTimeouts.incrementAndGet();
            if (pending > maxPendingTimeouts) {
                pendingTimeouts.decrementAndGet();
                throw new RejectedExecutionException("Number of pending timeouts (" + pending
                        + ") is greater than or equal to maximum allowed pending timeouts ("
                        + maxPendingTimeouts + ")");
            }
        } else {
            unboundedPending.increment();
        }
        EscapementTimeout timeout = new EscapementTimeout(this, task);
        try {
            long nowNs = engine.nowNs();
            engine.schedule(timeout, TimerEngine.deadlineAfter(nowNs, unit.toNanos(delay)), nowNs);
        } catch (RejectedExecutionException refused) {
            released();
            if (globalTimer.isStopped()) {
                throw new IllegalStateException("cannot be started once stopped", refused);
            }
            throw refused;
        }
        if (stopped.get() && engine.cancel(timeout)) {
            // stop() ran between our check and our schedule, and may not have seen this timeout.
            released();
            throw new IllegalStateException("cannot be started once stopped");
        }
        return timeout;
    }

    @Override
    public Set<Timeout> stop() {
        if (globalTimer.isTimerThread()) {
            throw new IllegalStateException(
                    "EscapementTimer.stop() cannot be called from " + TimerTask.class.getSimpleName());
        }
        if (!stopped.compareAndSet(false, true)) {
            return Collections.emptySet();
        }
        List<TimerEntry> cancelled = ownsGlobalTimer
                ? engine.stop()
                : globalTimer.isStopped() ? List.of() : engine.cancelMatching(this::owns);
        Set<Timeout> unprocessed = new HashSet<>();
        for (TimerEntry entry : cancelled) {
            if (owns(entry)) {
                unprocessed.add((Timeout) entry);
            }
        }
        return unprocessed;
    }

    private boolean owns(TimerEntry entry) {
        return entry instanceof EscapementTimeout timeout && timeout.owner() == this;
    }

    /** A timeout left the pending state (ran or was cancelled). */
    void released() {
        if (maxPendingTimeouts > 0) {
            pendingTimeouts.decrementAndGet();
        } else {
            unboundedPending.decrement();
        }
    }

    /**
     * The timeouts of this timer that have neither started to run nor been cancelled, as
     * {@code HashedWheelTimer.pendingTimeouts()} counts them. Exact for this timer whenever no
     * {@code newTimeout}, cancel or expiry is under way (other timers on the same global timer are
     * not counted). Any thread.
     *
     * @return the number of pending timeouts
     */
    public long pendingTimeouts() {
        return maxPendingTimeouts > 0 ? pendingTimeouts.get() : unboundedPending.sum();
    }

    TimerEngine engine() {
        return engine;
    }

    /** @return the global timer this timer runs on */
    public GlobalTimer globalTimer() {
        return globalTimer;
    }

    /** @return true once {@link #stop()} has been called */
    public boolean isStopped() {
        return stopped.get();
    }

    @Override
    public String toString() {
        return "EscapementTimer[" + globalTimer + (stopped.get() ? ", stopped" : "") + "]";
    }

    /**
     * Configures an {@link EscapementTimer}.
     *
     * <p>Not thread-safe: confine a builder to one thread.
     */
    public static final class Builder {

        private GlobalTimer globalTimer;
        private boolean ownsGlobalTimer;
        private long maxPendingTimeouts;

        private Builder() {
        }

        /**
         * The global timer to run on; default {@link GlobalTimer#shared()}.
         *
         * @param globalTimer the global timer
         * @return this builder
         */
        public Builder globalTimer(GlobalTimer globalTimer) {
            this.globalTimer = Objects.requireNonNull(globalTimer, "globalTimer");
            return this;
        }

        /**
         * Makes {@link EscapementTimer#stop()} stop the global timer too: for a global timer built
         * for this Netty timer alone. Not allowed with the shared global timer.
         *
         * @return this builder
         */
        public Builder ownGlobalTimer() {
            this.ownsGlobalTimer = true;
            return this;
        }

        /**
         * The most timeouts of this timer pending at once; 0 or less for no bound (the default),
         * as {@code HashedWheelTimer}'s {@code maxPendingTimeouts}.
         *
         * @param maxPendingTimeouts the bound
         * @return this builder
         */
        public Builder maxPendingTimeouts(long maxPendingTimeouts) {
            this.maxPendingTimeouts = maxPendingTimeouts;
            return this;
        }

        /**
         * Creates the timer.
         *
         * @return the timer
         * @throws IllegalArgumentException if {@link #ownGlobalTimer()} is combined with the shared
         *                                  global timer
         */
        public EscapementTimer build() {
            GlobalTimer target = globalTimer != null ? globalTimer : GlobalTimer.shared();
            if (ownsGlobalTimer && target.isShared()) {
                throw new IllegalArgumentException("ownGlobalTimer() needs a global timer of its own, not the shared one");
            }
            return new EscapementTimer(target, ownsGlobalTimer, maxPendingTimeouts);
        }
    }
}
