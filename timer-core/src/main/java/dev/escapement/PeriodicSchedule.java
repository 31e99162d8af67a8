package dev.escapement;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * How a periodic timer repeats: a fixed interval or an interval function, how many runs, an
 * optional jitter, and what to do about runs missed during a stall. Build one with
 * {@link #fixedRate(long, TimeUnit)} or {@link #dynamic(LongUnaryOperator)} and pass it to
 * {@link GlobalTimer#schedulePeriodic(TimerTask, PeriodicSchedule)}.
 *
 * <p>Thread-safety: immutable once built; the builder is confined to one thread.
 *
 * <h2>Fixed rate, without drift</h2>
 * Each run's nominal deadline is the previous nominal deadline plus the interval, never the time
 * the callback ran plus the interval, so the schedule does not drift however long callbacks take.
 * With a jitter, each run fires at its nominal deadline plus a uniform random delay in
 * {@code [0, jitter]}; the jitter never accumulates.
 *
 * <h2>Stalls</h2>
 * By default, runs missed during a stall (GC pause, suspended VM, a slow callback) are skipped:
 * the timer fires once, late, and continues at the next nominal deadline after "now", so it does
 * not fire a burst. A run counts as missed when, as the run before it fires, its own deadline is
 * already one tick or more in the past; a run merely late by less than a tick (the normal
 * quantization of the wheel) never makes its successor count as missed. {@link Builder#catchUpMissedRuns()} fires every missed run instead, back to back.
 * Skipped runs do not count towards {@link Builder#loops(long) loops}.
 *
 * <h2>Interval functions</h2>
 * A dynamic interval is {@code nextIntervalNs = function.applyAsLong(lastFireNs)}, called on the
 * timer thread when a run fires, with that run's nominal deadline (in {@link GlobalTimer#nanoTime()}
 * terms). If it throws or returns a value {@code <= 0}, the current run is the timer's last: the
 * failure is logged, counted in {@link TimerStats#intervalFailures()}, and completes the handle's
 * future exceptionally. Nothing else is affected.
 */
public final class PeriodicSchedule {

    /** {@link Builder#loops(long)} value that repeats until cancelled. */
    public static final long FOREVER = -1;

    private final long intervalNs;
    private final LongUnaryOperator intervalFunction;
    private final long initialDelayNs;
    private final boolean initialDelaySet;
    private final long loops;
    private final long jitterNs;
    private final boolean catchUp;

    private PeriodicSchedule(Builder builder) {
        this.intervalNs = builder.intervalNs;
        this.intervalFunction = builder.intervalFunction;
        this.initialDelayNs = builder.initialDelayNs;
        this.initialDelaySet = builder.initialDelaySet;
        this.loops = builder.loops;
        this.jitterNs = builder.jitterNs;
        this.catchUp = builder.catchUp;
    }

    /**
     * A fixed-rate schedule.
     *
     * @param interval the interval between nominal deadlines, {@code > 0}
     * @param unit     its unit
     * @return a builder; the first run defaults to one interval from now, and runs repeat forever
     * @throws IllegalArgumentException if {@code interval <= 0}
     */
    public static Builder fixedRate(long interval, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        long intervalNs = unit.toNanos(interval);
        if (intervalNs <= 0) {
            throw new IllegalArgumentException("interval must be > 0: " + interval + " " + unit);
        }
        return new Builder(intervalNs, null);
    }

    /**
     * A schedule whose interval is computed at each run from the run's nominal deadline.
     *
     * @param intervalNsFromLastFireNs maps the nominal deadline of the run that fired to the
     *                                 interval until the next one, in nanoseconds
     * @return a builder; the first run defaults to {@code function(now)} from now, and runs repeat
     *         forever
     */
    public static Builder dynamic(LongUnaryOperator intervalNsFromLastFireNs) {
        return new Builder(0, Objects.requireNonNull(intervalNsFromLastFireNs, "intervalNsFromLastFireNs"));
    }

    /** @return the fixed interval in nanoseconds, or empty for a dynamic schedule */
    public OptionalLong intervalNs() {
        return intervalFunction == null ? OptionalLong.of(intervalNs) : OptionalLong.empty();
    }

    /** @return the number of runs, or {@link #FOREVER} */
    public long loops() {
        return loops;
    }

    /** @return the jitter bound in nanoseconds, 0 for none */
    public long jitterNs() {
        return jitterNs;
    }

    /** @return true if runs missed during a stall fire back to back instead of being skipped */
    public boolean catchesUpMissedRuns() {
        return catchUp;
    }

    boolean hasInitialDelay() {
        return initialDelaySet;
    }

    boolean isDynamic() {
        return intervalFunction != null;
    }

    long fixedIntervalNs() {
        return intervalNs;
    }

    LongUnaryOperator intervalFunction() {
        return intervalFunction;
    }

    /** The delay of the first run from {@code nowNs}; may call the interval function. */
    long initialDelayNs(long nowNs) {
        if (initialDelaySet) {
            return initialDelayNs;
        }
        return intervalFunction == null ? intervalNs : intervalFunction.applyAsLong(nowNs);
    }

    @Override
    public String toString() {
        return "PeriodicSchedule[" + (intervalFunction == null ? "every " + intervalNs + " ns" : "dynamic")
                + ", loops=" + (loops == FOREVER ? "forever" : Long.toString(loops))
                + (jitterNs > 0 ? ", jitter=" + jitterNs + " ns" : "")
                + (catchUp ? ", catch up" : ", skip missed") + "]";
    }

    /**
     * Configures a {@link PeriodicSchedule}; {@link #build()} validates it.
     *
     * <p>Not thread-safe: confine a builder to one thread.
     */
    public static final class Builder {

        private final long intervalNs;
        private final LongUnaryOperator intervalFunction;
        private long initialDelayNs;
        private boolean initialDelaySet;
        private long loops = FOREVER;
        private long jitterNs;
        private boolean catchUp;

        private Builder(long intervalNs, LongUnaryOperator intervalFunction) {
            this.intervalNs = intervalNs;
            this.intervalFunction = intervalFunction;
        }

        /**
         * The delay of the first run; zero or negative fires on the next pass.
         *
         * @param delay the delay
         * @param unit  its unit
         * @return this builder
         */
        public Builder initialDelay(long delay, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            this.initialDelayNs = unit.toNanos(delay);
            this.initialDelaySet = true;
            return this;
        }

        /**
         * How many runs: 1 (a one-shot through the periodic machinery), N, or {@link #FOREVER}.
         *
         * @param loops the run count
         * @return this builder
         */
        public Builder loops(long loops) {
            this.loops = loops;
            return this;
        }

        /**
         * Spreads each run by a uniform random delay in {@code [0, jitter]} after its nominal
         * deadline, so that timers started together do not fire together. Must be smaller than a
         * fixed interval.
         *
         * @param jitter the bound, {@code >= 0}
         * @param unit   its unit
         * @return this builder
         */
        public Builder jitter(long jitter, TimeUnit unit) {
            Objects.requireNonNull(unit, "unit");
            this.jitterNs = unit.toNanos(jitter);
            return this;
        }

        /**
         * Fires every run missed during a stall, back to back, instead of skipping them.
         *
         * @return this builder
         */
        public Builder catchUpMissedRuns() {
            this.catchUp = true;
            return this;
        }

        /**
         * Validates and builds the schedule.
         *
         * @return the schedule
         * @throws IllegalArgumentException if loops is neither {@link #FOREVER} nor at least 1, or
         *                                  the jitter is negative or not below a fixed interval
         */
        public PeriodicSchedule build() {
            if (loops != FOREVER && loops < 1) {
                throw new IllegalArgumentException("loops must be -1 (forever) or at least 1: " + loops);
            }
            if (jitterNs < 0) {
                throw new IllegalArgumentException("jitter must be >= 0: " + jitterNs + " ns");
            }
            if (intervalFunction == null && jitterNs >= intervalNs) {
                throw new IllegalArgumentException("jitter must be below the interval of "
                        + intervalNs + " ns: " + jitterNs + " ns");
            }
            return new PeriodicSchedule(this);
        }
    }
}
