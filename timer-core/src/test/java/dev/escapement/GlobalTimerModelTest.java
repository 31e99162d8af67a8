package dev.escapement;

import static dev.escapement.GlobalTimerReferenceModel.State.PENDING;
import static dev.escapement.GlobalTimerReferenceModel.deadlineAfter;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimerModelHarness.Delay;
import dev.escapement.GlobalTimerModelHarness.Run;
import dev.escapement.GlobalTimerReferenceModel.Timer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A caller-driven {@link GlobalTimer} on a virtual clock against {@link GlobalTimerReferenceModel},
 * tens of thousands of random calls per run: schedules on both paths (relative, absolute,
 * windowed, by {@link Duration}), cancels and postpones (stale, unknown and wrong-kind ids
 * included), batches with repeated handles ({@link GlobalTimerModelBatches}), periods with a full
 * command queue, a pending bound, pass limits, and clock steps from nothing to years
 * ({@link GlobalTimerModelPasses}). Delays cover the whole {@code long} range, with crowded equal
 * deadlines, deadlines in the past and at the end of time on purpose
 * ({@link GlobalTimerModelDraws}). Runs differ in clock start (0, random, wrapping, negative, read
 * before the origin), queue capacity, pending bound and wheel geometry (2 to 64 slots, 1 us to
 * 1 s ticks).
 *
 * <p>Checked after every call: its result, its refusal (exactly when the model says the queue is
 * full or the bound reached, with the message naming which), and that a refused call changed
 * nothing (deadline, task, state); after every pass: see {@link GlobalTimerModelPasses}; every
 * 1024 calls, every timer's state and deadline. A run ends at the end of time (everything fires)
 * or with {@code stop()} (it returns exactly the pending handles).
 */
@Timeout(60)
class GlobalTimerModelTest {

    static Stream<Run> runs() {
        return Stream.of(
                new Run("clock from 0, queue of 16", 1, 0, 0, 16, GlobalTimer.MAX_PENDING_TIMERS, 64, 1_000_000, 40_000, false),
                new Run("random clock, bound 3000, 8 slots of 1 us, stop", 2, new SplittableRandom(2).nextLong(), 0,
                        GlobalTimer.DEFAULT_COMMAND_QUEUE_CAPACITY, 3_000, 8, 1_000, 40_000, true),
                new Run("clock wraps, queue of 16, 2 slots", 3, Long.MAX_VALUE - 3_000_000, 0, 16,
                        GlobalTimer.MAX_PENDING_TIMERS, 2, 1_000_000, 30_000, false),
                new Run("negative clock read before its origin, queue of 64, bound 2000, 1 s tick, stop", 4,
                        -77_777_777_777L, 40_000_000, 64, 2_000, 64, 1_000_000_000, 30_000, true),
                new Run("clock from Long.MIN_VALUE read before its origin, queue of 16", 5, Long.MIN_VALUE + 2_000_000,
                        30_000_000, 16, GlobalTimer.MAX_PENDING_TIMERS, 16, 1_000_000, 30_000, false));
    }

    private GlobalTimerModelHarness h;
    private GlobalTimerReferenceModel model;
    private GlobalTimer timer;
    private SplittableRandom random;
    private GlobalTimerModelDraws draws;
    private GlobalTimerModelBatches batches;
    private GlobalTimerModelPasses passes;
    private int fullPeriodCalls;
    private long refusalsAtPeriodStart = -1;

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aCallerDrivenTimerAgreesWithTheReferenceModel(Run run) {
        h = new GlobalTimerModelHarness(run);
        model = h.model;
        timer = h.timer;
        random = h.random;
        draws = new GlobalTimerModelDraws(h);
        batches = new GlobalTimerModelBatches(h, draws);
        passes = new GlobalTimerModelPasses(h, draws);
        try {
            for (h.call = 0; h.call < run.calls(); h.call++) {
                step();
                if ((h.call & 1023) == 0) {
                    h.checkEveryTimer();
                }
            }
            h.checkEveryTimer();
            passes.finish();
        } catch (AssertionError failure) {
            throw new AssertionError(run + ", call " + h.call + "; last calls:\n  " + h.recentCalls() + "\n"
                    + failure.getMessage(), failure);
        }
        assertThat(h.equalDeadlineFires).as("timers with equal deadlines fired together").isPositive();
        assertThat(model.cancelWins).isPositive();
        if (run.queueCapacity() <= 64) {
            assertThat(h.refusals).as("calls refused for a full queue").isPositive();
            assertThat(h.lostUnlinks).as("cancels whose unlink found the queue full").isPositive();
        }
        if (run.maxPending() < GlobalTimer.MAX_PENDING_TIMERS) {
            assertThat(model.rejectedSchedules).as("schedules refused by the pending bound").isPositive();
        }
    }

    private void step() {
        if (fullPeriodCalls > 0 || refusalsAtPeriodStart >= 0) {
            fullPeriodStep();
            return;
        }
        int roll = random.nextInt(100);
        if (roll < 86) {
            callStep(roll);
        } else if (roll < 91) {
            passes.pass();
        } else if (roll < 97) {
            passes.advance();
            passes.pass();
        } else if (roll < 98) {
            passes.changeLimit();
        } else if (roll < 99 && h.run.queueCapacity() <= 64 && random.nextInt(3) == 0) {
            // Stop calling doWork and keep calling until the queue has refused a few calls.
            fullPeriodCalls = random.nextInt(10, 80);
            refusalsAtPeriodStart = h.refusals;
            h.log("queue-full period starts");
        } else {
            passes.pass();
        }
    }

    private void fullPeriodStep() {
        fullPeriodCalls--;
        callStep(random.nextInt(86));
        if (fullPeriodCalls <= 0 && h.refusals - refusalsAtPeriodStart >= 3 || fullPeriodCalls < -500) {
            fullPeriodCalls = 0;
            refusalsAtPeriodStart = -1;
            h.log("queue-full period ends");
        }
    }

    private void callStep(int roll) {
        if (roll < 14) {
            scheduleHandle(0);
        } else if (roll < 17) {
            scheduleHandle(1);
        } else if (roll < 22) {
            scheduleHandle(2);
        } else if (roll < 26) {
            scheduleWithin();
        } else if (roll < 35) {
            scheduleId(false);
        } else if (roll < 39) {
            scheduleId(true);
        } else if (roll < 47) {
            cancelHandle();
        } else if (roll < 53) {
            cancelId();
        } else if (roll < 63) {
            postponeHandle();
        } else if (roll < 71) {
            postponeId();
        } else if (roll < 80) {
            batches.batch();
        } else {
            wrongKindAndUnknownIds();
        }
    }

    // ------------------------------------------------------------------ schedules

    private void scheduleHandle(int variant) {
        Timer t = model.newTimer(false);
        t.task = h.taskFor(t, 0);
        long nowNs = h.engineNowNs();
        long deadlineNs;
        Supplier<TimerHandle> schedule;
        String what;
        if (variant == 0) {
            Delay delay = draws.delay();
            deadlineNs = deadlineAfter(nowNs, delay.ns());
            schedule = () -> timer.schedule(t.task, delay.amount(), delay.unit());
            what = "schedule " + delay;
        } else if (variant == 1) {
            Duration delay = draws.duration();
            deadlineNs = deadlineAfter(nowNs, GlobalTimerModelDraws.saturatedNanos(delay));
            schedule = () -> timer.schedule(t.task, delay);
            what = "schedule " + delay;
        } else {
            long atNs = draws.absoluteNs(nowNs);
            // Wrap-safe: the delay is the difference from now, whatever the two readings are.
            deadlineNs = deadlineAfter(nowNs, atNs - (h.originNs + nowNs));
            schedule = () -> timer.scheduleAt(t.task, atNs);
            what = "scheduleAt " + atNs;
        }
        h.log(what + " -> deadline " + deadlineNs);
        if (refusedSchedule(schedule)) {
            return;
        }
        t.handle = schedule.get();
        accepted(t, deadlineNs, h.handles);
    }

    /** @return true if the model says the schedule must be refused, and it was, with the model's reason */
    private boolean refusedSchedule(Supplier<?> schedule) {
        String refusal = model.scheduleRefusal();
        if (refusal == null) {
            return false;
        }
        assertThatThrownBy(schedule::get).isInstanceOf(RejectedExecutionException.class).hasMessage(refusal);
        model.rejectedSchedules++;
        h.refused();
        return true;
    }

    private void accepted(Timer t, long deadlineNs, List<Timer> kind) {
        model.scheduled(t, deadlineNs, true);
        kind.add(t);
        draws.rememberHot(deadlineNs);
        h.checkTimer(t);
    }

    private void scheduleWithin() {
        long earliestNs = draws.delayNs();
        long widthNs = switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> random.nextLong(h.run.tickNs() + 1);
            case 2 -> random.nextLong(h.run.tickNs() * 64 * 64);
            case 3 -> random.nextLong(HOURS.toNanos(30));
            default -> random.nextLong(Long.MAX_VALUE);
        };
        long latestNs = widthNs > 0 && earliestNs > Long.MAX_VALUE - widthNs ? Long.MAX_VALUE : earliestNs + widthNs;
        TimeUnit unit = random.nextInt(8) == 0 ? MILLISECONDS : NANOSECONDS;
        long earliest = earliestNs / unit.toNanos(1);
        long latest = latestNs / unit.toNanos(1);
        if (random.nextInt(40) == 0) {
            long swap = earliest;
            earliest = latest;
            latest = swap;
        }
        Timer t = model.newTimer(false);
        t.task = h.taskFor(t, 0);
        long e = earliest;
        long l = latest;
        if (unit.toNanos(l) < unit.toNanos(e)) {
            h.log("scheduleWithin " + e + ".." + l + " " + unit + ": backwards");
            assertThatThrownBy(() -> timer.scheduleWithin(t.task, e, l, unit)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("latest must not be before earliest");
            return;
        }
        long nowNs = h.engineNowNs();
        long windowStartNs = deadlineAfter(nowNs, unit.toNanos(e));
        long windowEndNs = deadlineAfter(nowNs, unit.toNanos(l));
        h.log("scheduleWithin " + e + ".." + l + " " + unit + " -> window " + windowStartNs + ".." + windowEndNs);
        if (refusedSchedule(() -> timer.scheduleWithin(t.task, e, l, unit))) {
            return;
        }
        t.handle = timer.scheduleWithin(t.task, e, l, unit);
        long deadlineNs = t.handle.deadlineNs() - h.originNs;
        assertThat(deadlineNs).as("a window's deadline is inside it").isBetween(windowStartNs, windowEndNs);
        accepted(t, deadlineNs, h.handles);
    }

    private void scheduleId(boolean absolute) {
        Timer t = model.newTimer(true);
        long nowNs = h.engineNowNs();
        long deadlineNs;
        Supplier<Long> schedule;
        if (absolute) {
            long atNs = draws.absoluteNs(nowNs);
            deadlineNs = deadlineAfter(nowNs, atNs - (h.originNs + nowNs));
            schedule = () -> timer.scheduleTimerAt(h.idHandler, atNs);
            h.log("scheduleTimerAt " + atNs + " -> deadline " + deadlineNs);
        } else {
            Delay delay = draws.delay();
            deadlineNs = deadlineAfter(nowNs, delay.ns());
            schedule = () -> timer.scheduleTimer(h.idHandler, delay.amount(), delay.unit());
            h.log("scheduleTimer " + delay + " -> deadline " + deadlineNs);
        }
        if (refusedSchedule(schedule)) {
            return;
        }
        t.id = schedule.get();
        assertThat(t.id).isPositive();
        assertThat(h.byId.put(t.id, t)).as("an id is never given to two timers").isNull();
        accepted(t, deadlineNs, h.ids);
    }

    // ------------------------------------------------------------------ cancels and postpones

    private void cancelHandle() {
        Timer t = h.pick(false);
        if (t == null) {
            return;
        }
        boolean expected = t.state == PENDING;
        h.log("cancel " + t);
        assertThat(t.handle.cancel()).isEqualTo(expected);
        if (expected) {
            h.cancelWon(t, false, false);
        }
        h.checkTimer(t);
    }

    private void cancelId() {
        Timer t = random.nextInt(8) == 0 ? null : h.pick(true);
        if (t == null) {
            long id = draws.unknownId();
            h.log("cancelTimer unknown " + id);
            assertThat(timer.cancelTimer(id)).isFalse();
            return;
        }
        boolean expected = t.state == PENDING;
        h.log("cancelTimer " + t);
        assertThat(timer.cancelTimer(t.id)).isEqualTo(expected);
        if (expected) {
            h.cancelWon(t, false, false);
        }
        h.checkTimer(t);
    }

    private void postponeHandle() {
        Timer t = h.pick(false);
        if (t == null) {
            return;
        }
        long nowNs = h.engineNowNs();
        Delay delay = draws.postponeDelay(t, nowNs);
        long deadlineNs = deadlineAfter(nowNs, delay.ns());
        TimerTask replacement = random.nextInt(5) == 0 ? h.taskFor(t, t.taskVersion + 1) : null;
        Supplier<Boolean> postpone = replacement == null
                ? () -> t.handle.postpone(delay.amount(), delay.unit())
                : () -> t.handle.postpone(delay.amount(), delay.unit(), replacement);
        h.log("postpone " + t + " by " + delay + (replacement == null ? "" : " with a new task") + " -> " + deadlineNs);
        if (t.state == PENDING && model.queueFull()) {
            assertThatThrownBy(postpone::get).isInstanceOf(RejectedExecutionException.class)
                    .hasMessage(model.queueFullMessage());
            h.refused();
        } else {
            assertThat(postpone.get()).isEqualTo(t.state == PENDING);
            if (t.state == PENDING) {
                model.postponed(t, deadlineNs, true);
                if (replacement != null) {
                    t.task = replacement;
                    t.taskVersion++;
                }
            }
        }
        h.checkTimer(t);
    }

    private void postponeId() {
        Timer t = random.nextInt(8) == 0 ? null : h.pick(true);
        long nowNs = h.engineNowNs();
        if (t == null) {
            long id = random.nextBoolean() ? 0 : draws.unknownId();
            h.log("postponeTimer unknown " + id);
            assertThat(timer.postponeTimer(id, 1, MILLISECONDS)).isFalse();
            return;
        }
        Delay delay = draws.postponeDelay(t, nowNs);
        long deadlineNs = deadlineAfter(nowNs, delay.ns());
        h.log("postponeTimer " + t + " by " + delay + " -> " + deadlineNs);
        if (t.state == PENDING && model.queueFull()) {
            assertThatThrownBy(() -> timer.postponeTimer(t.id, delay.amount(), delay.unit()))
                    .isInstanceOf(RejectedExecutionException.class).hasMessage(model.queueFullMessage());
            h.refused();
        } else {
            assertThat(timer.postponeTimer(t.id, delay.amount(), delay.unit())).isEqualTo(t.state == PENDING);
            if (t.state == PENDING) {
                model.postponed(t, deadlineNs, true);
            }
        }
        h.checkTimer(t);
    }

    /** Handles' ids are refused by name on the id path; 0 and unknown ids are harmless. */
    private void wrongKindAndUnknownIds() {
        Timer handle = h.pick(false);
        long handleId = handle == null || random.nextBoolean() ? -1 - random.nextLong(Long.MAX_VALUE) : handle.handle.id();
        h.log("wrong-kind id " + handleId);
        assertThat(handleId).isNegative();
        assertThatThrownBy(() -> timer.cancelTimer(handleId)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to a TimerHandle");
        assertThatThrownBy(() -> timer.postponeTimer(handleId, 1, SECONDS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> timer.isPending(handleId)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> timer.newBatch().cancel(handleId)).isInstanceOf(IllegalArgumentException.class);
        assertThat(timer.cancelTimer(0)).isFalse();
        assertThat(timer.isPending(0)).isFalse();
        assertThat(timer.isPending(draws.unknownId())).isFalse();
        if (handle != null) {
            h.checkTimer(handle);
        }
    }
}
