package dev.escapement;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Periodic timers on a manual clock: loops, dynamic intervals, drift, stalls, jitter, overlap. */
class PeriodicTimerTest {

    private final ManualClock clock = new ManualClock(5_000_000_000L);
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final List<Long> runTimes = new ArrayList<>();

    private TimerTask recordRun() {
        return handle -> runTimes.add(clock.nanoTime());
    }

    private void advanceAndRun(long amount, java.util.concurrent.TimeUnit unit) {
        clock.advance(amount, unit);
        while (timer.doWork() > 0) {
            // catch up fully
        }
    }

    /** Lets time pass in 1 ms steps, as a running timer thread would see it (no stall). */
    private void advanceSteadily(long amount, java.util.concurrent.TimeUnit unit) {
        long steps = unit.toMillis(amount);
        for (long i = 0; i < steps; i++) {
            advanceAndRun(1, MILLISECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 3, 7})
    void runsExactlyLoopsTimesThenCompletes(long loops) {
        TimerHandle handle = timer.schedulePeriodic(recordRun(),
                PeriodicSchedule.fixedRate(10, MILLISECONDS).loops(loops).build());
        for (int i = 0; i < 20; i++) {
            assertThat(handle.completion().isDone()).isEqualTo(runTimes.size() == loops);
            advanceAndRun(10, MILLISECONDS);
        }
        assertThat(runTimes).hasSize((int) loops);
        assertThat(handle.completion()).isCompleted();
        assertThat(handle.isExpired()).isTrue();
        assertThat(handle.cancel()).isFalse();
        TimerStats stats = timer.stats();
        assertThat(stats.runs()).isEqualTo(loops);
        assertThat(stats.fired()).isEqualTo(1);
        assertThat(stats.pending()).isZero();
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled() + stats.pending());
    }

    @Test
    void foreverRunsUntilCancelledAndKeepsItsId() {
        List<Long> ids = new ArrayList<>();
        TimerHandle handle = timer.schedulePeriodic(h -> ids.add(h.id()),
                PeriodicSchedule.fixedRate(1, SECONDS).loops(PeriodicSchedule.FOREVER).build());
        for (int i = 0; i < 100; i++) {
            advanceAndRun(1, SECONDS);
        }
        assertThat(ids).hasSize(100).containsOnly(handle.id());
        assertThat(handle.isPending()).isTrue();
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.completion()).isCancelled();
        advanceAndRun(10, SECONDS);
        assertThat(ids).hasSize(100);
        assertThat(timer.stats().pending()).isZero();
    }

    @Test
    void fixedRateDoesNotDriftOverTenThousandPeriods() {
        long startNs = clock.nanoTime();
        // A period that is not a whole number of ticks, and a clock that moves in uneven steps.
        long periodNs = 1_333_333;
        List<Long> deadlines = new ArrayList<>();
        timer.schedulePeriodic(h -> deadlines.add(h.deadlineNs()),
                PeriodicSchedule.fixedRate(periodNs, NANOSECONDS).loops(10_000).build());
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        while (deadlines.size() < 10_000) {
            advanceAndRun(random.nextLong(100_000, 900_000), NANOSECONDS);
        }
        for (int k = 0; k < 10_000; k++) {
            assertThat(deadlines.get(k)).isEqualTo(startNs + (k + 1) * periodNs);
        }
    }

    @Test
    void neverFiresEarlyAndAtMostOneTickLatePerRun() {
        long periodNs = 2_500_000;
        List<long[]> samples = new ArrayList<>();
        timer.schedulePeriodic(h -> samples.add(new long[] {clock.nanoTime(), h.deadlineNs()}),
                PeriodicSchedule.fixedRate(periodNs, NANOSECONDS).loops(200).build());
        for (int i = 0; i < 2_000; i++) {
            advanceAndRun(250, java.util.concurrent.TimeUnit.MICROSECONDS);
        }
        assertThat(samples).hasSize(200);
        for (long[] sample : samples) {
            long latenessNs = sample[0] - sample[1];
            assertThat(latenessNs).isBetween(0L, timer.tickNs());
        }
    }

    @Test
    void afterAStallItFiresOnceAndContinuesOnTheGrid() {
        long startNs = clock.nanoTime();
        List<Long> deadlines = new ArrayList<>();
        timer.schedulePeriodic(h -> {
            runTimes.add(clock.nanoTime());
            deadlines.add(h.deadlineNs());
        }, PeriodicSchedule.fixedRate(100, MILLISECONDS).build());
        advanceAndRun(100, MILLISECONDS);
        assertThat(runTimes).hasSize(1);
        // A stall of 1.05 s: ten runs missed.
        advanceAndRun(1_050, MILLISECONDS);
        assertThat(runTimes).hasSize(2);
        advanceAndRun(49, MILLISECONDS);
        assertThat(runTimes).hasSize(2);
        advanceAndRun(1, MILLISECONDS);
        assertThat(runTimes).hasSize(3);
        // Still on the original grid.
        assertThat(deadlines.get(2) - startNs).isEqualTo(MILLISECONDS.toNanos(1_200));
    }

    @Test
    void catchUpPolicyFiresEveryMissedRun() {
        timer.schedulePeriodic(recordRun(), PeriodicSchedule.fixedRate(100, MILLISECONDS).catchUpMissedRuns().build());
        advanceAndRun(1_050, MILLISECONDS);
        assertThat(runTimes).hasSize(10);
    }

    @Test
    void dynamicIntervalReceivesTheLastFireTimeAndSetsTheNext() {
        long startNs = clock.nanoTime();
        List<Long> seenLastFire = new ArrayList<>();
        List<Long> deadlines = new ArrayList<>();
        timer.schedulePeriodic(h -> deadlines.add(h.deadlineNs()), PeriodicSchedule.dynamic(lastFireNs -> {
            seenLastFire.add(lastFireNs);
            return MILLISECONDS.toNanos(10 * (seenLastFire.size()));
        }).initialDelay(5, MILLISECONDS).loops(4).build());
        advanceSteadily(1, SECONDS);
        assertThat(deadlines).containsExactly(startNs + 5_000_000, startNs + 15_000_000, startNs + 35_000_000,
                startNs + 65_000_000);
        assertThat(seenLastFire).containsExactly(startNs + 5_000_000, startNs + 15_000_000, startNs + 35_000_000);
    }

    @Test
    void throwingIntervalFunctionStopsOnlyThatTimer() {
        TimerHandle bad = timer.schedulePeriodic(recordRun(), PeriodicSchedule.dynamic(last -> {
            throw new IllegalStateException("no interval");
        }).initialDelay(1, MILLISECONDS).build());
        TimerHandle good = timer.schedulePeriodic(h -> { }, PeriodicSchedule.fixedRate(1, MILLISECONDS).build());
        advanceSteadily(10, MILLISECONDS);
        assertThat(runTimes).hasSize(1);
        assertThat(bad.isExpired()).isTrue();
        assertThatThrownBy(() -> bad.completion().join()).isInstanceOf(CompletionException.class)
                .hasRootCauseMessage("no interval");
        assertThat(good.isPending()).isTrue();
        assertThat(timer.stats().intervalFailures()).isEqualTo(1);
        assertThat(timer.stats().pending()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Long.MIN_VALUE})
    void intervalFunctionReturningANonPositiveValueStopsTheTimer(long interval) {
        AtomicLong calls = new AtomicLong();
        TimerHandle handle = timer.schedulePeriodic(recordRun(), PeriodicSchedule.dynamic(last -> {
            return calls.incrementAndGet() < 3 ? 1_000_000 : interval;
        }).initialDelay(1, MILLISECONDS).build());
        advanceSteadily(50, MILLISECONDS);
        assertThat(runTimes).hasSize(3);
        assertThat(handle.completion()).isCompletedExceptionally();
        assertThat(timer.stats().intervalFailures()).isEqualTo(1);
    }

    @Test
    void jitterSpreadsRunsWithinItsBoundWithoutDrift() {
        long startNs = clock.nanoTime();
        long periodNs = MILLISECONDS.toNanos(100);
        long jitterNs = MILLISECONDS.toNanos(20);
        List<List<Long>> perTimer = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            List<Long> deadlines = new ArrayList<>();
            perTimer.add(deadlines);
            timer.schedulePeriodic(h -> deadlines.add(h.deadlineNs()),
                    PeriodicSchedule.fixedRate(100, MILLISECONDS).jitter(20, MILLISECONDS).loops(20).build());
        }
        advanceSteadily(3, SECONDS);
        java.util.Set<Long> distinct = new java.util.HashSet<>();
        for (List<Long> deadlines : perTimer) {
            assertThat(deadlines).hasSize(20);
            for (int k = 1; k < deadlines.size(); k++) {
                long nominal = startNs + (k + 1) * periodNs;
                assertThat(deadlines.get(k) - nominal).isBetween(0L, jitterNs);
                distinct.add(deadlines.get(k));
            }
        }
        // Timers started together do not fire together.
        assertThat(distinct.size()).isGreaterThan(500);
    }

    @Test
    void runsNeverOverlapWhenTheExecutorIsSlow() {
        List<Runnable> executorQueue = new ArrayList<>();
        GlobalTimer withExecutor = GlobalTimer.builder().clock(clock).drivenByCaller()
                .callbackExecutor(executorQueue::add).build();
        TimerHandle handle = withExecutor.schedulePeriodic(recordRun(),
                PeriodicSchedule.fixedRate(10, MILLISECONDS).build());
        clock.advance(10, MILLISECONDS);
        withExecutor.doWork();
        assertThat(executorQueue).hasSize(1);
        // The first run has not finished; its next deadlines pass without a second run.
        for (int i = 0; i < 5; i++) {
            clock.advance(10, MILLISECONDS);
            withExecutor.doWork();
        }
        assertThat(executorQueue).hasSize(1);
        assertThat(withExecutor.stats().overruns()).isPositive();
        executorQueue.get(0).run();
        clock.advance(1, MILLISECONDS);
        withExecutor.doWork();
        assertThat(executorQueue).hasSize(2);
        assertThat(runTimes).hasSize(1);
        assertThat(handle.isPending()).isTrue();
    }

    @Test
    void cancelDuringARunStopsFutureRuns() {
        List<Boolean> cancelResult = new ArrayList<>();
        TimerHandle handle = timer.schedulePeriodic(h -> {
            runTimes.add(clock.nanoTime());
            if (runTimes.size() == 3) {
                cancelResult.add(h.cancel());
            }
        }, PeriodicSchedule.fixedRate(5, MILLISECONDS).build());
        advanceSteadily(100, MILLISECONDS);
        assertThat(runTimes).hasSize(3);
        assertThat(cancelResult).containsExactly(true);
        assertThat(handle.isCancelled()).isTrue();
        assertThat(timer.stats().pending()).isZero();
    }

    @Test
    void throwingPeriodicTaskKeepsItsScheduleAndCountsEachFailure() {
        TimerHandle handle = timer.schedulePeriodic(h -> {
            runTimes.add(clock.nanoTime());
            throw new IllegalStateException("run " + runTimes.size());
        }, PeriodicSchedule.fixedRate(1, MILLISECONDS).loops(3).build());
        advanceSteadily(10, MILLISECONDS);
        assertThat(runTimes).hasSize(3);
        assertThat(timer.stats().taskFailures()).isEqualTo(3);
        assertThatThrownBy(() -> handle.completion().join()).hasRootCauseMessage("run 3");
    }

    @Test
    void stopReturnsPeriodicTimersWithRunsLeft() {
        TimerHandle handle = timer.schedulePeriodic(recordRun(), PeriodicSchedule.fixedRate(1, MILLISECONDS).build());
        advanceSteadily(3, MILLISECONDS);
        assertThat(runTimes).hasSize(3);
        assertThat(timer.stop()).containsExactly(handle);
        assertThat(handle.completion()).isCancelled();
    }

    @Test
    void invalidSchedulesAreRejectedWithTheValue() {
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(0, MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interval must be > 0: 0 MILLISECONDS");
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(-5, SECONDS))
                .hasMessage("interval must be > 0: -5 SECONDS");
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(1, SECONDS).loops(0).build())
                .hasMessage("loops must be -1 (forever) or at least 1: 0");
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(1, SECONDS).loops(-2).build())
                .hasMessage("loops must be -1 (forever) or at least 1: -2");
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(10, MILLISECONDS).jitter(10, MILLISECONDS).build())
                .hasMessage("jitter must be below the interval of 10000000 ns: 10000000 ns");
        assertThatThrownBy(() -> PeriodicSchedule.fixedRate(10, MILLISECONDS).jitter(-1, NANOSECONDS).build())
                .hasMessage("jitter must be >= 0: -1 ns");
        assertThatThrownBy(() -> PeriodicSchedule.dynamic(null)).hasMessage("intervalNsFromLastFireNs");
        assertThatThrownBy(() -> timer.schedulePeriodic(recordRun(), PeriodicSchedule.dynamic(last -> 0).build()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> timer.scheduleAtFixedRate(recordRun(), 0, 0, SECONDS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(PeriodicSchedule.fixedRate(1, SECONDS).jitter(5, MILLISECONDS).loops(3).build().toString())
                .isEqualTo("PeriodicSchedule[every 1000000000 ns, loops=3, jitter=5000000 ns, skip missed]");
    }

    @Test
    void scheduleAtFixedRateStartsAfterTheInitialDelay() {
        long startNs = clock.nanoTime();
        timer.scheduleAtFixedRate(recordRun(), 0, 10, MILLISECONDS);
        advanceAndRun(0, MILLISECONDS);
        advanceSteadily(25, MILLISECONDS);
        assertThat(runTimes).containsExactly(startNs, startNs + 10_000_000, startNs + 20_000_000);
    }
}
