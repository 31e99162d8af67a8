package dev.escapement;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The global timer driven on a manual clock, one pass at a time: no threads, no sleeping. */
class GlobalTimerTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final List<String> fired = new ArrayList<>();

    private GlobalTimerBuilder manual() {
        return GlobalTimer.builder().clock(clock).drivenByCaller();
    }

    private TimerTask record(String name) {
        return handle -> fired.add(name);
    }

    @Test
    void neverFiresBeforeItsDeadline() {
        GlobalTimer timer = manual().build();
        timer.schedule(record("a"), 10, MILLISECONDS);
        clock.advance(10_000_000 - 1, NANOSECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        clock.advance(1, NANOSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("a");
    }

    @Test
    void firesAtItsExactDeadlineNotAtTheTickAfterIt() {
        GlobalTimer timer = manual().tick(1, MILLISECONDS).build();
        timer.schedule(record("a"), 10_500, MICROSECONDS);
        timer.doWork();
        clock.advance(10_499, MICROSECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        clock.advance(1, MICROSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("a");
    }

    @Test
    void aTimerFirstSeenAfterItsDeadlineFiresOnThatPassInDeadlineOrder() {
        GlobalTimer timer = manual().tick(1, MILLISECONDS).build();
        timer.schedule(record("a"), 10_500, MICROSECONDS);
        clock.advance(10_499, MICROSECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        timer.schedule(record("b"), 100, MICROSECONDS);
        clock.advance(300, MICROSECONDS);
        // "a" (due 10.5 ms) and "b" (due 10.599 ms, reaching the timer thread at 10.799 ms) both
        // fire on this pass, in deadline order.
        timer.doWork();
        assertThat(fired).containsExactly("a", "b");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -5_000_000_000L, Long.MIN_VALUE})
    void zeroOrNegativeDelayFiresOnTheNextPass(long delayNs) {
        GlobalTimer timer = manual().build();
        clock.advance(1_700, MICROSECONDS);
        timer.schedule(record("now"), delayNs, NANOSECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("now");
    }

    @Test
    void absoluteDeadlineInThePastOrAtZeroFiresOnTheNextPass() {
        GlobalTimer timer = manual().build();
        timer.scheduleAt(record("past"), clock.nanoTime() - 1);
        timer.scheduleAt(record("zero"), 0);
        timer.scheduleAt(record("future"), clock.nanoTime() + 5_000_000);
        timer.doWork();
        // Both are past; they fire in deadline order (the clock read 1 s at "zero").
        assertThat(fired).containsExactly("zero", "past");
        clock.advance(5, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("zero", "past", "future");
    }

    @Test
    void everyDueTimerFiresInDeadlineOrderAfterAStallOfHours() {
        GlobalTimer timer = manual().build();
        SplittableRandom random = new SplittableRandom(42);
        List<Long> deadlines = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long delayMs = random.nextLong(1, HOURS.toMillis(3));
            TimerHandle handle = timer.schedule(h -> deadlines.add(h.deadlineNs()), delayMs, MILLISECONDS);
            assertThat(handle.id()).isNotZero();
        }
        timer.doWork();
        clock.advance(4, HOURS);
        while (timer.doWork() > 0) {
            // The pass is bounded; keep going until caught up.
        }
        assertThat(deadlines).hasSize(5_000).isSorted();
        assertThat(deadlines.get(deadlines.size() - 1) - clock.nanoTime()).isNegative();
    }

    @Test
    void timersWithTheSameDeadlineTickFireInSchedulingOrder() {
        GlobalTimer timer = manual().build();
        for (int i = 0; i < 100; i++) {
            timer.schedule(record("t" + i), 7, MILLISECONDS);
        }
        clock.advance(7, MILLISECONDS);
        timer.doWork();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("t" + i);
        }
        assertThat(fired).isEqualTo(expected);
    }

    @Test
    void taskReceivesItsOwnHandle() {
        GlobalTimer timer = manual().build();
        List<TimerHandle> seen = new ArrayList<>();
        TimerHandle handle = timer.schedule(seen::add, 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(seen).containsExactly(handle);
        assertThat(handle.isExpired()).isTrue();
        assertThat(handle.isPending()).isFalse();
    }

    @Test
    void cancelIsIdempotentAndReturnsWhetherThisCallCancelled() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 5, MILLISECONDS);
        assertThat(handle.cancel()).isTrue();
        assertThat(handle.cancel()).isFalse();
        assertThat(handle.isCancelled()).isTrue();
        clock.advance(1, SECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
    }

    @Test
    void cancelAfterExpiryReturnsFalse() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 5, MILLISECONDS);
        clock.advance(5, MILLISECONDS);
        timer.doWork();
        assertThat(handle.cancel()).isFalse();
        assertThat(handle.isCancelled()).isFalse();
        assertThat(handle.isExpired()).isTrue();
    }

    @Test
    void cancelBeforeTheTimerThreadSawTheScheduleStillWins() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 0, MILLISECONDS);
        assertThat(handle.cancel()).isTrue();
        timer.doWork();
        assertThat(fired).isEmpty();
        TimerStats stats = timer.stats();
        assertThat(stats.scheduled()).isEqualTo(1);
        assertThat(stats.cancelled()).isEqualTo(1);
        assertThat(stats.pending()).isZero();
    }

    @Test
    void cancelFreesTheEntryOnTheNextPassNotAtItsDeadline() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 1, HOURS);
        timer.doWork();
        assertThat(timer.stats().pending()).isEqualTo(1);
        handle.cancel();
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void staleOrUnknownIdsCancelNothing() {
        GlobalTimer timer = manual().build();
        long first = timer.scheduleTimer((id, now) -> fired.add("first"), 1, MILLISECONDS);
        assertThat(timer.cancelTimer(first)).isTrue();
        timer.doWork();
        // Cycle the pool until it hands the first timer's entry out again, under a new generation.
        long second = timer.scheduleTimer((id, now) -> fired.add("second"), 1, MILLISECONDS);
        for (int i = 0; i < 1_000 && (second & 0xFFFF_FFFFL) != (first & 0xFFFF_FFFFL); i++) {
            timer.cancelTimer(second);
            timer.doWork();
            second = timer.scheduleTimer((id, now) -> fired.add("second"), 1, MILLISECONDS);
        }
        assertThat(second & 0xFFFF_FFFFL).as("the same entry").isEqualTo(first & 0xFFFF_FFFFL);
        assertThat(second).isNotEqualTo(first);
        assertThat(timer.cancelTimer(first)).isFalse();
        assertThat(timer.postponeTimer(first, 1, HOURS)).isFalse();
        assertThat(timer.isPending(first)).isFalse();
        assertThat(timer.cancelTimer(0)).isFalse();
        assertThat(timer.cancelTimer(Long.MAX_VALUE)).isFalse();
        assertThat(timer.cancelTimer(1L << 40)).isFalse();
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("second");
    }

    @Test
    void handleIdsAreNegativeAndTheIdPathRefusesThemByName() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 1, SECONDS);
        assertThat(handle.id()).isNegative();
        assertThat(handle.id()).isEqualTo(handle.id());
        assertThat(timer.schedule(record("b"), 1, SECONDS).id()).isNotEqualTo(handle.id());
        long id = handle.id();
        assertThatThrownBy(() -> timer.postponeTimer(id, 5, SECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timer id " + id + " belongs to a TimerHandle: cancel or postpone it through the handle");
        assertThatThrownBy(() -> timer.cancelTimer(id)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> timer.isPending(id)).isInstanceOf(IllegalArgumentException.class);
        assertThat(handle.isPending()).isTrue();
        clock.advance(1, SECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("a", "b");
    }

    @Test
    void completionCompletesAfterTheTaskRan() throws Exception {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("a"), 2, MILLISECONDS);
        var future = handle.completion();
        assertThat(future).isNotDone();
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        assertThat(future.get()).isNull();
        // A future asked for after the fact is completed too.
        assertThat(timer.schedule(record("b"), 0, MILLISECONDS)).satisfies(h -> {
            timer.doWork();
            assertThat(h.completion()).isCompleted();
        });
    }

    @Test
    void completionIsCancelledOnCancelAndCancellingItCancelsTheTimer() {
        GlobalTimer timer = manual().build();
        TimerHandle first = timer.schedule(record("a"), 2, MILLISECONDS);
        var future = first.completion();
        first.cancel();
        assertThat(future).isCancelled();
        TimerHandle second = timer.schedule(record("b"), 2, MILLISECONDS);
        assertThat(second.completion().cancel(true)).isTrue();
        assertThat(second.isCancelled()).isTrue();
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        assertThatThrownBy(() -> second.completion().complete(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void notifyOnlyTimerCompletesItsFuture() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.scheduleNotify(3, MILLISECONDS);
        assertThat(handle.task()).isNull();
        clock.advance(3, MILLISECONDS);
        timer.doWork();
        assertThat(handle.completion()).isCompleted();
        assertThat(handle.isExpired()).isTrue();
    }

    @Test
    void throwingTaskIsCountedAndOthersStillFire() {
        GlobalTimer timer = manual().build();
        TimerHandle bad = timer.schedule(h -> {
            throw new IllegalStateException("boom");
        }, 1, MILLISECONDS);
        timer.schedule(h -> {
            throw new AssertionError("an Error too");
        }, 1, MILLISECONDS);
        timer.schedule(record("good"), 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("good");
        assertThat(timer.stats().taskFailures()).isEqualTo(2);
        assertThatThrownBy(() -> bad.completion().join())
                .isInstanceOf(CompletionException.class)
                .hasRootCauseMessage("boom");
    }

    @Test
    void callbacksRunOnTheGivenExecutor() {
        List<Runnable> submitted = new ArrayList<>();
        GlobalTimer timer = manual().callbackExecutor(submitted::add).build();
        TimerHandle handle = timer.schedule(record("a"), 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(fired).isEmpty();
        assertThat(handle.isExpired()).isTrue();
        // Fired means cancel loses even though the task has not run yet.
        assertThat(handle.cancel()).isFalse();
        assertThat(submitted).hasSize(1);
        submitted.get(0).run();
        assertThat(fired).containsExactly("a");
        assertThat(handle.completion()).isCompleted();
    }

    @Test
    void rejectingExecutorIsCountedAndFailsTheFuture() {
        Executor rejecting = command -> {
            throw new RejectedExecutionException("full");
        };
        GlobalTimer timer = manual().callbackExecutor(rejecting).build();
        TimerHandle handle = timer.schedule(record("a"), 1, MILLISECONDS);
        TimerHandle other = timer.schedule(record("b"), 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(timer.stats().executorRejections()).isEqualTo(2);
        assertThat(handle.completion()).isCompletedExceptionally();
        assertThat(other.completion()).isCompletedExceptionally();
    }

    @Test
    void callbacksMayScheduleAndCancelDuringExpiry() {
        GlobalTimer timer = manual().build();
        TimerHandle victim = timer.schedule(record("victim"), 2, MILLISECONDS);
        List<Boolean> cancelResults = new ArrayList<>();
        timer.schedule(h -> {
            fired.add("canceller");
            // Recorded here, asserted on the test thread: an assertion on the timer thread would
            // be caught as a task failure.
            cancelResults.add(victim.cancel());
            cancelResults.add(h.cancel());
            timer.schedule(record("child-now"), 0, MILLISECONDS);
            timer.schedule(record("child-later"), 5, MILLISECONDS);
        }, 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("canceller");
        assertThat(cancelResults).containsExactly(true, false);
        timer.doWork();
        assertThat(fired).containsExactly("canceller", "child-now");
        clock.advance(5, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("canceller", "child-now", "child-later");
        assertThat(timer.stats().taskFailures()).isZero();
    }

    @Test
    void callbackCancelsATimerDueInTheSamePassBeforeItRuns() {
        GlobalTimer timer = manual().build();
        TimerHandle[] victim = new TimerHandle[1];
        List<Boolean> cancelResults = new ArrayList<>();
        timer.schedule(h -> {
            fired.add("canceller");
            cancelResults.add(victim[0].cancel());
        }, 1, MILLISECONDS);
        victim[0] = timer.schedule(record("victim"), 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        timer.doWork();
        assertThat(fired).containsExactly("canceller");
        assertThat(cancelResults).containsExactly(true);
        assertThat(victim[0].isCancelled()).isTrue();
        assertThat(timer.stats().cancelled()).isEqualTo(1);
        assertThat(timer.stats().fired()).isEqualTo(1);
    }

    @Test
    void pendingBoundRejectsWithItsNameAndValue() {
        GlobalTimer timer = manual().maxPendingTimers(2).build();
        timer.schedule(record("a"), 1, SECONDS);
        timer.schedule(record("b"), 1, SECONDS);
        assertThatThrownBy(() -> timer.schedule(record("c"), 1, SECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("pending timers bound reached: maxPendingTimers=2");
        assertThat(timer.stats().rejected()).isEqualTo(1);
    }

    @Test
    void commandQueueBoundRejectsWithItsNameAndValue() {
        GlobalTimer timer = manual().commandQueueCapacity(16).build();
        for (int i = 0; i < 16; i++) {
            timer.schedule(record("a"), 1, SECONDS);
        }
        assertThatThrownBy(() -> timer.schedule(record("b"), 1, SECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("command queue full: commandQueueCapacity=16");
        assertThat(timer.isApplyingBackpressure()).isTrue();
        timer.doWork();
        assertThat(timer.isApplyingBackpressure()).isFalse();
        timer.schedule(record("c"), 1, SECONDS);
        timer.doWork();
        assertThat(timer.stats().pending()).isEqualTo(17);
    }

    @Test
    void nullArgumentsAreNamed() {
        GlobalTimer timer = manual().build();
        assertThatThrownBy(() -> timer.schedule(null, 1, SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("task");
        assertThatThrownBy(() -> timer.schedule(record("a"), 1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> timer.schedule(record("a"), (Duration) null)).hasMessage("delay");
        assertThatThrownBy(() -> timer.scheduleAt(null, 1)).hasMessage("task");
        assertThatThrownBy(() -> timer.scheduleTimer(null, 1, SECONDS)).hasMessage("handler");
        assertThatThrownBy(() -> timer.scheduleNotify(1, null)).hasMessage("unit");
    }

    @Test
    void hugeDelaysAreAcceptedAndStayPending() {
        GlobalTimer timer = manual().build();
        TimerHandle max = timer.schedule(record("max"), Long.MAX_VALUE, NANOSECONDS);
        TimerHandle days = timer.schedule(record("days"), Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS);
        TimerHandle duration = timer.schedule(record("duration"), Duration.ofSeconds(Long.MAX_VALUE));
        timer.doWork();
        clock.advance(200 * 365, java.util.concurrent.TimeUnit.DAYS);
        timer.doWork();
        assertThat(fired).isEmpty();
        assertThat(List.of(max, days, duration)).allMatch(TimerHandle::isPending);
        assertThat(timer.stats().pending()).isEqualTo(3);
    }

    @Test
    void idPathFiresCancelsAndHasOneWinner() {
        GlobalTimer timer = manual().build();
        List<Long> expired = new ArrayList<>();
        TimerExpiryHandler handler = (id, nowNs) -> expired.add(id);
        long a = timer.scheduleTimer(handler, 1, MILLISECONDS);
        long b = timer.scheduleTimer(handler, 1, MILLISECONDS);
        long c = timer.scheduleTimerAt(handler, clock.nanoTime() + 2_000_000);
        assertThat(Set.of(a, b, c)).hasSize(3).doesNotContain(0L);
        assertThat(timer.cancelTimer(b)).isTrue();
        assertThat(timer.cancelTimer(b)).isFalse();
        assertThat(timer.isPending(a)).isTrue();
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        assertThat(expired).containsExactly(a, c);
        assertThat(timer.cancelTimer(a)).isFalse();
        assertThat(timer.isPending(a)).isFalse();
    }

    @Test
    void idPathHandlerThatThrowsIsCountedAndIsolated() {
        GlobalTimer timer = manual().build();
        List<Long> expired = new ArrayList<>();
        timer.scheduleTimer((id, now) -> {
            throw new IllegalStateException("handler boom");
        }, 1, MILLISECONDS);
        long good = timer.scheduleTimer((id, now) -> expired.add(id), 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(expired).containsExactly(good);
        assertThat(timer.stats().taskFailures()).isEqualTo(1);
    }

    @Test
    void idPathAllocatesNothingPerTimerInSteadyState() {
        GlobalTimer timer = manual().build();
        TimerExpiryHandler handler = (id, nowNs) -> { };
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long threadId = Thread.currentThread().getId();
        int rounds = 200_000;
        for (int warm = 0; warm < 3; warm++) {
            churn(timer, handler, rounds);
        }
        long before = threads.getThreadAllocatedBytes(threadId);
        churn(timer, handler, rounds);
        long after = threads.getThreadAllocatedBytes(threadId);
        double bytesPerTimer = (after - before) / (double) rounds;
        assertThat(bytesPerTimer).as("bytes allocated per schedule+cancel+expire on the id path").isLessThan(0.5);
    }

    private void churn(GlobalTimer timer, TimerExpiryHandler handler, int rounds) {
        for (int i = 0; i < rounds; i++) {
            long id = timer.scheduleTimer(handler, 10, MILLISECONDS);
            if ((i & 1) == 0) {
                timer.cancelTimer(id);
            }
            if ((i & 255) == 0) {
                clock.advance(1, MILLISECONDS);
                timer.doWork();
            }
        }
        clock.advance(20, MILLISECONDS);
        while (timer.doWork() > 0) {
            // drain
        }
    }

    @Test
    void statsAddUpWhenQuiet() {
        GlobalTimer timer = manual().build();
        SplittableRandom random = new SplittableRandom(7);
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            handles.add(timer.schedule(h -> { }, random.nextLong(0, 100), MILLISECONDS));
            if (random.nextInt(3) == 0) {
                handles.get(random.nextInt(handles.size())).cancel();
            }
            if (random.nextInt(50) == 0) {
                clock.advance(random.nextLong(0, 10), MILLISECONDS);
                timer.doWork();
            }
        }
        timer.doWork();
        TimerStats stats = timer.stats();
        assertThat(stats.scheduled()).isEqualTo(2_000);
        assertThat(stats.fired() + stats.cancelled() + stats.pending()).isEqualTo(stats.scheduled());
        long expiredHandles = handles.stream().filter(TimerHandle::isExpired).count();
        long cancelledHandles = handles.stream().filter(TimerHandle::isCancelled).count();
        assertThat(stats.fired()).isEqualTo(expiredHandles);
        assertThat(stats.cancelled()).isEqualTo(cancelledHandles);
    }

    @Test
    void stopReturnsUnfiredTimersCancelsTheirFuturesAndRejectsLaterSchedules() {
        GlobalTimer timer = manual().build();
        TimerHandle done = timer.schedule(record("done"), 1, MILLISECONDS);
        TimerHandle cancelled = timer.schedule(record("cancelled"), 1, SECONDS);
        TimerHandle waiting = timer.schedule(record("waiting"), 1, SECONDS);
        TimerHandle queued = timer.schedule(record("queued"), 2, SECONDS);
        timer.scheduleTimer((id, now) -> fired.add("id-path"), 1, SECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        cancelled.cancel();
        TimerHandle unseen = timer.schedule(record("unseen"), 3, SECONDS);
        List<TimerHandle> unprocessed = timer.stop();
        assertThat(unprocessed).containsExactlyInAnyOrder(waiting, queued, unseen);
        assertThat(unprocessed).allMatch(TimerHandle::isCancelled);
        assertThat(waiting.completion()).isCancelled();
        assertThat(done.isExpired()).isTrue();
        assertThat(timer.isStopped()).isTrue();
        assertThatThrownBy(() -> timer.schedule(record("late"), 1, SECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("timer is stopped");
        assertThat(timer.stop()).isEmpty();
        TimerStats stats = timer.stats();
        assertThat(stats.returnedByStop()).isEqualTo(4);
        assertThat(stats.fired() + stats.cancelled() + stats.returnedByStop() + stats.pending()).isEqualTo(stats.scheduled());
        assertThatThrownBy(timer::doWork).isInstanceOf(IllegalStateException.class);
        assertThat(fired).containsExactly("done");
    }

    @Test
    void doWorkIsRefusedOnATimerWithItsOwnThread() {
        GlobalTimer timer = GlobalTimer.builder().build();
        assertThatThrownBy(timer::doWork)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("doWork() is only for a timer built with drivenByCaller()");
        assertThat(timer.stop()).isEmpty();
    }

    @Test
    void sharedTimerCannotBeStopped() throws ExecutionException, InterruptedException {
        GlobalTimer shared = GlobalTimer.shared();
        assertThat(shared).isSameAs(GlobalTimer.shared());
        assertThat(shared.isShared()).isTrue();
        assertThatThrownBy(shared::stop).isInstanceOf(UnsupportedOperationException.class);
        assertThat(shared.schedule(h -> { }, 0, MILLISECONDS).completion().get()).isNull();
    }

    @Test
    void handleIdsAreUniqueAmongLiveTimers() {
        GlobalTimer timer = manual().build();
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(ids.add(timer.schedule(record("x"), 1, HOURS).id())).isTrue();
        }
    }

    @Test
    void cancelMatchingCancelsOnlyTheChosenTimersIncludingOnesNotYetLinked() {
        GlobalTimer timer = manual().build();
        TimerTask mine = record("mine");
        TimerTask theirs = record("theirs");
        List<TimerHandle> my = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            my.add(timer.schedule(mine, 1 + i, SECONDS));
            timer.schedule(theirs, 1 + i, SECONDS);
        }
        timer.doWork();
        my.add(timer.schedule(mine, 1, SECONDS));
        my.get(0).cancel();
        List<TimerHandle> cancelled = timer.cancelMatching(h -> h.task() == mine);
        assertThat(cancelled).containsExactlyInAnyOrderElementsOf(my.subList(1, my.size()));
        assertThat(cancelled).allMatch(TimerHandle::isCancelled);
        assertThat(cancelled.get(0).completion()).isCancelled();
        assertThat(timer.stats().pending()).isEqualTo(10);
        clock.advance(20, SECONDS);
        timer.doWork();
        assertThat(fired).hasSize(10).containsOnly("theirs");
        assertThatThrownBy(() -> timer.cancelMatching(null)).hasMessage("filter");
    }

    @Test
    void cancelMatchingOnTheRealThreadSeesEveryEarlierSchedule() {
        GlobalTimer timer = GlobalTimer.builder().build();
        TimerTask mine = h -> { };
        for (int i = 0; i < 1_000; i++) {
            timer.schedule(mine, 1, HOURS);
            timer.schedule(h -> { }, 1, HOURS);
        }
        assertThat(timer.cancelMatching(h -> h.task() == mine)).hasSize(1_000);
        assertThat(timer.stop()).hasSize(1_000);
        assertThatThrownBy(() -> timer.cancelMatching(h -> true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cachedClockIsRefreshedOnEveryPass() {
        GlobalTimer timer = manual().build();
        long before = timer.cachedClock().nanoTime();
        clock.advance(3, MILLISECONDS);
        assertThat(timer.cachedClock().nanoTime()).isEqualTo(before);
        timer.doWork();
        assertThat(timer.cachedClock().nanoTime()).isEqualTo(clock.nanoTime());
    }

    @Test
    void toStringsAreReadable() {
        GlobalTimer timer = manual().build();
        TimerHandle handle = timer.schedule(record("x"), 1, SECONDS);
        assertThat(handle.toString()).startsWith("TimerHandle[id=").endsWith(", PENDING]");
        assertThat(timer.toString()).startsWith("GlobalTimer[tick=1000000 ns");
        handle.cancel();
        assertThat(handle.toString()).endsWith(", CANCELLED]");
        assertThatThrownBy(() -> handle.completion().join()).isInstanceOf(CancellationException.class);
    }
}
