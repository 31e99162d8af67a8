package dev.escapement;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * The handle of a periodic timer: a {@link DefaultTimerHandle} that keeps its wheel entry (and
 * id) across runs and knows how to compute the next nominal deadline.
 *
 * <p>Thread-safety: as {@link DefaultTimerHandle}. The schedule fields are written by the timer
 * thread only; {@link #run()} may run on a callback executor, after the timer thread wrote
 * {@link #lastRun} (the executor hand-off orders it).
 *
 * <p>Run protocol (see {@link GlobalTimerTask}): at each deadline the timer thread claims the
 * entry (pending to running, or pending to fired for the last run, so a cancel racing the last
 * run loses), computes and arms the next deadline, then runs the task inline or hands it to the
 * executor. When the run ends, running goes back to pending unless a cancel arrived meanwhile. A
 * deadline that arrives while the previous run is still running on the executor is skipped, so two
 * runs never overlap.
 */
final class PeriodicTimerHandle extends DefaultTimerHandle {

    private final PeriodicSchedule schedule;
    /** Timer thread: the nominal deadline of the run that fires next (before jitter). */
    private long nominalDeadlineNs;
    /** Written by the timer thread before each dispatch: when the following run fires. */
    private long followingDeadlineNs;
    /** Timer thread: runs left, or {@link PeriodicSchedule#FOREVER}. */
    private long remainingRuns;
    /** Written by the timer thread before each dispatch: whether this run is the last. */
    private boolean lastRun;
    /** The failure of the most recent run, kept to fail the future if it was the last one. */
    private Throwable lastFailure;
    /** Why the timer stopped early (an interval failure), or null. */
    private Throwable stopCause;

    PeriodicTimerHandle(GlobalTimer timer, TimerTask task, long firstDeadlineNs, PeriodicSchedule schedule) {
        super(timer, task, firstDeadlineNs);
        this.schedule = schedule;
        this.nominalDeadlineNs = firstDeadlineNs;
        this.remainingRuns = schedule.loops();
    }

    PeriodicSchedule schedule() {
        return schedule;
    }

    long nominalDeadlineNs() {
        return nominalDeadlineNs;
    }

    /** Timer thread: true if the run about to fire is the last one planned. */
    boolean isLastPlannedRun() {
        return remainingRuns == 1;
    }

    /** Timer thread: counts the run about to fire. */
    void beginRun(boolean last) {
        if (remainingRuns != PeriodicSchedule.FOREVER) {
            remainingRuns--;
        }
        this.lastRun = last;
    }

    boolean isLastRun() {
        return lastRun;
    }

    /** Timer thread, before dispatch: the fire time of the run after the one starting now. */
    void followingDeadlineNs(long deadlineNs) {
        this.followingDeadlineNs = deadlineNs;
    }

    /**
     * After a run: {@link #deadlineNs()} moves on to the following run. During a run it still
     * reads the deadline of the run in progress.
     */
    void moveToFollowingDeadline() {
        deadlineNs(followingDeadlineNs);
    }

    /**
     * Timer thread: the nominal deadline after the one that just fired, applying the stall
     * policy against {@code nowNs}. The next run counts as missed only when its deadline is
     * already {@code toleranceNs} (one tick) or more in the past: a run that fires up to a tick
     * late is on time, and must not make a short period skip its successor.
     *
     * @param horizonNs the latest deadline the timer can hold (its origin plus
     *                  {@link Long#MAX_VALUE} ns): a huge interval stops there instead of
     *                  wrapping round into the past, where it would be due at once
     * @return the next nominal deadline
     * @throws IntervalFailure if the interval function threw or returned a non-positive value
     */
    long advanceNominal(long nowNs, long toleranceNs, long horizonNs) {
        long previous = nominalDeadlineNs;
        long intervalNs = intervalAfter(previous);
        long next = notPast(previous, intervalNs, horizonNs);
        if (!schedule.catchesUpMissedRuns() && nowNs - next >= toleranceNs) {
            if (schedule.isDynamic()) {
                next = notPast(nowNs, intervalNs, horizonNs);
            } else {
                // Skip the missed runs: jump to the first nominal deadline after now, on the grid.
                long missed = (nowNs - next) / intervalNs + 1;
                next = notPast(next, missed * intervalNs, horizonNs);
            }
        }
        nominalDeadlineNs = next;
        return next;
    }

    /**
     * {@code fromNs + deltaNs}, or {@code horizonNs} if that lies beyond it. A {@code fromNs}
     * before the timer's origin leaves more than {@link Long#MAX_VALUE} ns of room, which the
     * subtraction reports as negative: no delta reaches the horizon from there.
     */
    static long notPast(long fromNs, long deltaNs, long horizonNs) {
        long roomNs = horizonNs - fromNs;
        return roomNs >= 0 && deltaNs > roomNs ? horizonNs : fromNs + deltaNs;
    }

    private long intervalAfter(long lastFireNs) {
        if (!schedule.isDynamic()) {
            return schedule.fixedIntervalNs();
        }
        LongUnaryOperator function = schedule.intervalFunction();
        long intervalNs;
        try {
            intervalNs = function.applyAsLong(lastFireNs);
        } catch (Throwable failure) {
            throw new IntervalFailure("interval function threw for lastFireNs=" + lastFireNs, failure);
        }
        if (intervalNs <= 0) {
            throw new IntervalFailure("interval function returned " + intervalNs + " ns for lastFireNs=" + lastFireNs, null);
        }
        return intervalNs;
    }

    /**
     * A jittered fire time for a nominal deadline: uniform in {@code [nominal, nominal + jitter]},
     * and never past {@code horizonNs} (see {@link #advanceNominal}).
     */
    long jittered(long nominalNs, long horizonNs) {
        long jitterNs = schedule.jitterNs();
        if (jitterNs == 0) {
            return nominalNs;
        }
        // The bound is exclusive: jitter + 1, which a jitter of Long.MAX_VALUE would overflow.
        long offsetNs = jitterNs == Long.MAX_VALUE
                ? ThreadLocalRandom.current().nextLong() >>> 1
                : ThreadLocalRandom.current().nextLong(jitterNs + 1);
        return notPast(nominalNs, offsetNs, horizonNs);
    }

    /** Runs one period's task; for the last run, completes the future. Then hands back to the timer. */
    @Override
    public void run() {
        Throwable failure = runTask();
        lastFailure = failure;
        timer.periodicRunEnded(this);
    }

    /** Timer thread: a postpone moved the next run; the grid restarts from there. */
    void renominate(long deadlineNs) {
        nominalDeadlineNs = deadlineNs;
    }

    /** Timer thread: the current run is the last one, because of {@code cause}. */
    void stopWith(Throwable cause) {
        stopCause = cause;
    }

    /** The last run has ended: complete the future with its result. */
    void finishLastRun() {
        Throwable failure = stopCause != null ? stopCause : lastFailure;
        if (failure != null) {
            fail(failure);
        } else {
            complete();
        }
    }

    /** Why a dynamic interval stopped its timer. */
    static final class IntervalFailure extends RuntimeException {
        IntervalFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
