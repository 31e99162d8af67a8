package dev.escapement.reliability;

import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.RETRANSMISSION;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.BatchResult;
import dev.escapement.GlobalTimer;
import dev.escapement.PeriodicSchedule;
import dev.escapement.TimerHandle;
import dev.escapement.TimerTask;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The edges an outside review of the first engine found (D1-D11 of the engine issue), each
 * reproduced on a caller-driven timer with a manual clock unless noted. Every test here failed on
 * the first engine; they are written against API both engines have.
 */
class EngineEdgeTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> fired = new ArrayList<>();

    private GlobalTimer manual() {
        return GlobalTimer.builder().clock(clock).drivenByCaller().build();
    }

    private TimerTask record(String name) {
        return handle -> fired.add(name + "@" + clock.nanoTime() / 1_000 + "us");
    }

    private void at(GlobalTimer timer, long micros) {
        clock.setNanoTime(MICROSECONDS.toNanos(micros));
        timer.doWork();
    }

    // ------------------------------------------------------------------ D1 order

    @Test
    void d1TimersSeenAfterTheirDeadlinesFireInDeadlineOrder() {
        GlobalTimer timer = manual();
        timer.schedule(record("a"), 10, MILLISECONDS);
        timer.schedule(record("b"), 6, MILLISECONDS);
        at(timer, 20_000);
        assertThat(fired).containsExactly("b@20000us", "a@20000us");
    }

    @Test
    void d1TimersWithTheSameDeadlineFireInSchedulingOrderWhateverReachedTheWheelFirst() {
        GlobalTimer timer = manual();
        at(timer, 1_100);
        timer.schedule(record("B"), 400, MICROSECONDS);
        timer.doWork();
        at(timer, 1_300);
        timer.schedule(record("A"), 200, MICROSECONDS);
        at(timer, 1_600);
        assertThat(fired).containsExactly("B@1600us", "A@1600us");
    }

    @Test
    void d1APeriodicTimersCaughtUpRunsKeepDeadlineOrderWithOtherTimers() {
        GlobalTimer timer = manual();
        timer.schedulePeriodic(record("p"),
                PeriodicSchedule.fixedRate(10, MILLISECONDS).loops(3).catchUpMissedRuns().build());
        timer.schedule(record("x"), 25, MILLISECONDS);
        // A stall: every due run and timer fires on the next passes, in deadline order.
        at(timer, 50_000);
        while (timer.doWork() > 0) {
            // catch up
        }
        assertThat(fired).containsExactly("p@50000us", "p@50000us", "x@50000us", "p@50000us");
    }

    // ------------------------------------------------------------------ D2, D3: refusals

    @Test
    void d2ARefusedPostponeLeavesAnAcceptedOneInPlace() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
        TimerHandle handle = timer.schedule(record("h"), 10, MILLISECONDS);
        timer.doWork();
        assertThat(handle.postpone(100, MILLISECONDS)).isTrue();
        fillTheQueue(timer);
        assertThatThrownBy(() -> handle.postpone(200, MILLISECONDS)).isInstanceOf(RejectedExecutionException.class);
        assertThat(handle.deadlineNs()).isEqualTo(MILLISECONDS.toNanos(100));
        at(timer, 10_000);
        at(timer, 99_999);
        assertThat(fired).isEmpty();
        at(timer, 100_000);
        assertThat(fired).containsExactly("h@100000us");
    }

    @Test
    void d3ARefusedBatchLeavesItsTimersExactlyAsTheyWere() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
        TimerHandle handle = timer.schedule(record("h"), 10, MILLISECONDS);
        timer.doWork();
        fillTheQueue(timer);
        BatchResult result = timer.newBatch()
                .postpone(handle, 2, MILLISECONDS)
                .postpone(handle, 50, MILLISECONDS)
                .submit();
        assertThat(result.successCount()).isZero();
        assertThat(result.failure(0)).startsWith("command queue full");
        assertThat(handle.deadlineNs()).isEqualTo(MILLISECONDS.toNanos(10));
        at(timer, 2_000);
        at(timer, 9_999);
        assertThat(fired).isEmpty();
        at(timer, 10_000);
        assertThat(fired).containsExactly("h@10000us");
    }

    private static void fillTheQueue(GlobalTimer timer) {
        for (int i = 0; i < 64; i++) {
            try {
                timer.schedule(h -> { }, 1, TimeUnit.HOURS);
            } catch (RejectedExecutionException full) {
                return;
            }
        }
        throw new AssertionError("the queue never filled");
    }

    // ------------------------------------------------------------------ D4 windows

    @Test
    void d4APostponeOfAWindowTimerBeforeItIsLinkedWins() {
        GlobalTimer timer = manual();
        TimerHandle handle = timer.scheduleWithin(record("w"), 10, 20, SECONDS);
        assertThat(handle.postpone(5, MILLISECONDS)).isTrue();
        at(timer, 5_000);
        assertThat(fired).containsExactly("w@5000us");
    }

    // ------------------------------------------------------------------ D5 counting

    @Test
    void d5RejectedCountsRefusedSchedulesOnly() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
        TimerHandle handle = timer.schedule(record("h"), 10, MILLISECONDS);
        timer.doWork();
        int accepted = 0;
        int refused = 0;
        while (refused < 2) {
            try {
                timer.schedule(h -> { }, 1, TimeUnit.HOURS);
                accepted++;
            } catch (RejectedExecutionException full) {
                refused++;
            }
        }
        assertThat(accepted).isPositive();
        assertThatThrownBy(() -> handle.postpone(1, SECONDS)).isInstanceOf(RejectedExecutionException.class);
        assertThat(timer.stats().rejected()).as("two schedule calls; a postpone is not a schedule").isEqualTo(2);
        BatchResult batch = timer.newBatch().schedule(h -> { }, 1, SECONDS).schedule(h -> { }, 2, SECONDS).submit();
        assertThat(batch.successCount()).isZero();
        assertThat(timer.stats().rejected()).as("and the batch's two schedules").isEqualTo(4);
    }

    // ------------------------------------------------------------------ D6 walks outside a pass

    @Test
    void d6AWalkOnACallerDrivenTimerDoesNotDelayATimerDueAtOnce() {
        GlobalTimer timer = manual();
        timer.doWork();
        // Time moves on without a pass; the walk applies the schedule outside any pass.
        clock.setNanoTime(MICROSECONDS.toNanos(1_300));
        timer.schedule(record("t"), 0, MILLISECONDS);
        assertThat(timer.cancelMatching(h -> false)).isEmpty();
        at(timer, 1_400);
        assertThat(fired).containsExactly("t@1400us");
    }

    @Test
    void d6AWalkOrPictureOfANewTimerRacingItsFirstScheduleLosesNothing() throws Exception {
        for (int round = 0; round < 100; round++) {
            GlobalTimer timer = GlobalTimer.builder().build();
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger ran = new AtomicInteger();
            Thread walker = new Thread(() -> {
                await(start);
                timer.dump();
                timer.cancelMatching(h -> false);
            });
            walker.start();
            List<TimerHandle> handles = new ArrayList<>();
            start.countDown();
            for (int i = 0; i < 50; i++) {
                handles.add(timer.schedule(h -> ran.incrementAndGet(), 0, MILLISECONDS));
            }
            walker.join();
            List<TimerHandle> returned = timer.stop();
            long ended = handles.stream().filter(TimerHandle::isExpired).count() + returned.size();
            assertThat(ended).as("round %d: every timer ran or was returned", round).isEqualTo(50);
            assertThat(ran.get()).isEqualTo(50 - returned.size());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ D8, D9 connections

    @Test
    void d8ALongestTimeoutDoesNotHideAnEarlierOne() {
        GlobalTimer timer = manual();
        List<String> due = new ArrayList<>();
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1).recordStats().build();
        manager.register(RETRANSMISSION, 10, MILLISECONDS);
        at(timer, 11_000);
        manager.register(IDLE, Long.MAX_VALUE, NANOSECONDS);
        assertThat(manager.nextDeadline() - clock.nanoTime()).as("RETRANSMISSION, overdue").isNegative();
        TimeoutCheckResult result = manager.checkTimerEvents();
        for (int i = 0; i < result.eventCount(); i++) {
            due.add(result.event(i).toString());
        }
        assertThat(due).containsExactly("RETRANSMISSION");
        assertThat(manager.nextDeadline() - clock.nanoTime()).as("IDLE, far away").isPositive();
    }

    @Test
    void d9AnEarlierTimeoutUnderAFullBoundKeepsTheOnesAlreadyCovered() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().maxPendingTimers(2).build();
        List<String> due = new ArrayList<>();
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1)
                .wakeUp(Runnable::run, (m, result) -> {
                    for (int i = 0; i < result.eventCount(); i++) {
                        due.add(result.event(i) + "@" + clock.nanoTime() / 1_000_000 + "ms");
                    }
                }).recordStats().build();
        manager.register(IDLE, 5, SECONDS);
        timer.schedule(h -> { }, 1, TimeUnit.HOURS);
        timer.doWork();
        // Moving the connection's one entry earlier needs no second entry.
        manager.register(RETRANSMISSION, 1, SECONDS);
        at(timer, 1_000_000);
        at(timer, 5_000_000);
        assertThat(due).containsExactly("RETRANSMISSION@1000ms", "IDLE@5000ms");
    }

    // ------------------------------------------------------------------ D10, D11 the ends of time

    @Test
    void d10AWindowNearTheEndOfTheClockFiresAtTheDeadlineItReports() {
        clock.setNanoTime(Long.MAX_VALUE - SECONDS.toNanos(5));
        GlobalTimer timer = manual();
        long startNs = clock.nanoTime();
        TimerHandle handle = timer.scheduleWithin(h -> fired.add("w"), 1, 100_000, SECONDS);
        long inNs = handle.deadlineNs() - startNs;
        assertThat(inNs).isBetween(SECONDS.toNanos(1), SECONDS.toNanos(100_000));
        clock.setNanoTime(handle.deadlineNs() - 1);
        timer.doWork();
        assertThat(fired).isEmpty();
        clock.advance(1, NANOSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("w");
    }

    @Test
    void d11ASkippingPeriodicTimerFromTheDistantPastFiresOnceThenKeepsItsGrid() {
        GlobalTimer timer = manual();
        at(timer, 1_000_000);
        timer.schedulePeriodic(record("p"), PeriodicSchedule.fixedRate(10, MILLISECONDS)
                .initialDelay(Long.MIN_VALUE, NANOSECONDS).build());
        timer.doWork();
        timer.doWork();
        assertThat(fired).containsExactly("p@1000000us");
        at(timer, 1_009_999);
        assertThat(fired).hasSize(1);
        at(timer, 1_010_000);
        assertThat(fired).containsExactly("p@1000000us", "p@1010000us");
    }

    @Test
    void d11APeriodicTimerPostponedToTheDistantPastFiresOnceThenKeepsItsNewGrid() {
        GlobalTimer timer = manual();
        TimerHandle handle = timer.schedulePeriodic(record("p"), PeriodicSchedule.fixedRate(10, MILLISECONDS).build());
        at(timer, 1_000_000);
        fired.clear();
        assertThat(handle.postpone(Long.MIN_VALUE, NANOSECONDS)).isTrue();
        timer.doWork();
        timer.doWork();
        assertThat(fired).containsExactly("p@1000000us");
    }

    /**
     * A status word whose version has reached the top bit is negative; cancel and postpone once
     * read a negative word from their compare-and-set step as "not pending", so a claimed timer
     * stayed MOVING for good and was lost (found by BackpressureRealThreadTest once the version
     * field narrowed to 17 bits). Re-arming the id path's pooled entries carries their versions
     * through the sign bit several times.
     */
    @Test
    void aStatusWordWithTheTopVersionBitSetIsStillPending() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        // Four transitions of one pooled entry per round: its version crosses the sign bit at round 16 384.
        for (int i = 0; i < 70_000; i++) {
            long id = timer.scheduleTimer((timerId, nowNs) -> { }, 1, java.util.concurrent.TimeUnit.HOURS);
            assertThat(timer.postponeTimer(id, 2, java.util.concurrent.TimeUnit.HOURS)).as("postpone %d", i).isTrue();
            assertThat(timer.cancelTimer(id)).as("cancel %d", i).isTrue();
            TimerHandle handle = timer.schedule(h -> { }, 1, java.util.concurrent.TimeUnit.HOURS);
            assertThat(handle.cancel()).as("handle cancel %d", i).isTrue();
            // Each pass retires the entries, so the pool hands the same few out again and again.
            timer.doWork();
        }
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stop()).isEmpty();
    }
}
