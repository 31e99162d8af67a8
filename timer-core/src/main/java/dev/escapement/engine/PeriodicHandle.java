package dev.escapement.engine;

import dev.escapement.TimerTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * The handle of a periodic timer: it keeps its wheel entry, and its id, across runs, and knows
 * how to compute the next run's deadline.
 *
 * <p>Thread-safety: as {@link HandleEntry}. The schedule fields are the timer thread's;
 * {@link #run()} may run on a callback executor after the timer thread wrote {@link #lastRun}
 * (the executor's hand-off orders it).
 *
 * <h2>Run protocol</h2>
 * At each deadline the timer thread claims the entry ({@code PENDING -> RUNNING}, or
 * {@code -> FIRED} for the last run, so a cancel racing the last run loses), writes the next
 * run's deadline and links the entry there, then runs the task inline or hands it to the
 * executor. When the run ends, {@code RUNNING -> PENDING}, unless a cancel came meanwhile. A
 * deadline that finds the previous run still running is held a tick, so runs never overlap.
 *
 * <h2>Stalls</h2>
 * Each nominal deadline is the previous one plus the interval: no drift. A run counts as missed
 * when its nominal deadline is already a tick or more in the past as the run before it fires;
 * missed runs are skipped to the first deadline after now on the grid, unless the schedule
 * catches up. All of it in the engine's nanoseconds, with unsigned distances, so a deadline far
 * in the past (a negative initial delay, a postpone to {@link Long#MIN_VALUE}) skips correctly.
 */
final class PeriodicHandle extends HandleEntry {

    /** {@link #remainingRuns} of a timer that repeats until cancelled. */
    static final long FOREVER = -1;

    private final long intervalNs;
    private final LongUnaryOperator intervalFunction;
    private final long jitterNs;
    private final boolean catchUp;
    /** Timer thread: the nominal deadline of the run that fires next (before jitter). */
    private long nominalNs;
    /** Timer thread: runs left, or {@link #FOREVER}. */
    private long remainingRuns;
    /** Written by the timer thread before each dispatch: whether this run is the last. */
    private boolean lastRun;
    /**
     * Written by the timer thread before each dispatch: when the run after this one fires. It
     * becomes the deadline users see when this run ends, so that during a run
     * {@link #deadlineNs()} still reads the run's own deadline.
     */
    private long followingNs;
    /** The failure of the most recent run, kept to fail the future if it was the last one. */
    private Throwable lastFailure;
    /** Why the timer stopped early (its interval function failed), or null. */
    private Throwable stopCause;

    /**
     * @param intervalNs       the fixed interval, or 0 with a function
     * @param intervalFunction {@code lastNominalNs -> nextIntervalNs}, or null
     */
    PeriodicHandle(TimerEngine engine, TimerTask task, long firstDeadlineNs, long intervalNs,
                   LongUnaryOperator intervalFunction, long loops, long jitterNs, boolean catchUp) {
        super(engine, task);
        this.intervalNs = intervalNs;
        this.intervalFunction = intervalFunction;
        this.jitterNs = jitterNs;
        this.catchUp = catchUp;
        this.nominalNs = firstDeadlineNs;
        this.remainingRuns = loops;
    }

    @Override
    boolean isPeriodic() {
        return true;
    }

    /** Timer thread: true if the run about to fire is the last one planned. */
    boolean isLastPlannedRun() {
        return remainingRuns == 1;
    }

    /** Timer thread, before dispatch: the fire time of the run after the one starting now. */
    void following(long fireAtNs) {
        this.followingNs = fireAtNs;
    }

    /** Timer thread, before dispatch: counts the run about to start. */
    void beginRun(boolean last) {
        if (remainingRuns != FOREVER) {
            remainingRuns--;
        }
        this.lastRun = last;
    }

    /** Timer thread: a postpone moved the next run; the grid restarts from there. */
    void renominate(long deadlineNs) {
        nominalNs = deadlineNs;
    }

    /**
     * Timer thread: the nominal deadline after the one that just fired, with the stall policy
     * applied against {@code nowNs}.
     *
     * @throws IntervalFailure if the interval function threw or returned a non-positive value
     */
    long advanceNominal(long nowNs, long toleranceNs) {
        long intervalNs = intervalAfter(nominalNs);
        long next = plus(nominalNs, intervalNs);
        if (!catchUp && next <= nowNs - toleranceNs) {
            if (intervalFunction != null) {
                next = plus(nowNs, intervalNs);
            } else {
                // The first grid point after now. The distance back to the missed deadline may
                // exceed Long.MAX_VALUE; as an unsigned number it is exact.
                long sinceGridPointNs = Long.remainderUnsigned(nowNs - next, intervalNs);
                next = plus(nowNs - sinceGridPointNs, intervalNs);
            }
        }
        nominalNs = next;
        return next;
    }

    /** A fire time for a nominal deadline: uniform in {@code [nominal, nominal + jitter]}. */
    long jittered(long nominalNs) {
        if (jitterNs == 0) {
            return nominalNs;
        }
        // The bound is exclusive: jitter + 1, which a jitter of Long.MAX_VALUE would overflow.
        long offsetNs = jitterNs == Long.MAX_VALUE
                ? ThreadLocalRandom.current().nextLong() >>> 1
                : ThreadLocalRandom.current().nextLong(jitterNs + 1);
        return plus(nominalNs, offsetNs);
    }

    /** {@code fromNs + deltaNs} ({@code deltaNs >= 0}), held at the engine's last nanosecond. */
    private static long plus(long fromNs, long deltaNs) {
        return fromNs > Long.MAX_VALUE - deltaNs ? Long.MAX_VALUE : fromNs + deltaNs;
    }

    private long intervalAfter(long lastNominalNs) {
        if (intervalFunction == null) {
            return intervalNs;
        }
        long lastFireNs = engine().absoluteNs(lastNominalNs);
        long nextIntervalNs;
        try {
            nextIntervalNs = intervalFunction.applyAsLong(lastFireNs);
        } catch (Throwable failure) {
            throw new IntervalFailure("interval function threw for lastFireNs=" + lastFireNs, failure);
        }
        if (nextIntervalNs <= 0) {
            throw new IntervalFailure("interval function returned " + nextIntervalNs + " ns for lastFireNs=" + lastFireNs, null);
        }
        return nextIntervalNs;
    }

    /** Timer thread: the current run is the last, because of {@code cause}. */
    void stopWith(Throwable cause) {
        stopCause = cause;
    }

    /** Runs one period's task, then ends the run: the last one completes the future. */
    @Override
    public void run() {
        lastFailure = runTask();
        if (lastRun) {
            Throwable failure = stopCause != null ? stopCause : lastFailure;
            if (failure != null) {
                fail(failure);
            } else {
                succeed();
            }
            return;
        }
        endRun();
    }

    @Override
    protected void refused(Throwable failure) {
        if (lastRun) {
            fail(failure);
        } else {
            // The timer carries on at its next deadline.
            endRun();
        }
    }

    /**
     * {@code RUNNING -> PENDING}, the deadline moved on to the following run (no mover can write
     * it while the run is on); stays cancelled if a cancel came during the run.
     */
    private void endRun() {
        requestedNs = followingNs;
        while (true) {
            int current = state();
            if (status(current) != RUNNING || compareAndSetState(current, next(current, PENDING))) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "Periodic" + super.toString();
    }

    /** Why a dynamic interval stopped its timer. */
    static final class IntervalFailure extends RuntimeException {
        IntervalFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
