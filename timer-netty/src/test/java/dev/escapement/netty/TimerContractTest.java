package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The contract of {@link Timer} as {@code HashedWheelTimer} keeps it, checked on the reference and
 * on {@link EscapementTimer} alike: the single-threaded behaviour, and exactly once under
 * concurrency (every accepted timeout runs once, or one {@code cancel()} returns true for it, or
 * {@code stop()} returns it; never two of these, and no task runs twice), with producers racing
 * expiry, each other's cancels and {@code stop()}. Assertions run on the test thread; tasks only
 * record.
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
abstract class TimerContractTest {

    private final List<Timer> timers = new ArrayList<>();

    /** A fresh timer; {@code maxPendingTimeouts <= 0} for no bound. */
    protected abstract Timer newTimer(long maxPendingTimeouts);

    /**
     * Whether a timeout accepted by a {@code newTimeout} that overlaps {@code stop()} is always
     * run or returned. True unless the implementation is known to lose such timeouts; those
     * accepted before {@code stop()} began must be accounted for either way.
     */
    protected boolean keepsTimeoutsAcceptedDuringStop() {
        return true;
    }

    private Timer timer() {
        return track(newTimer(0));
    }

    private Timer track(Timer timer) {
        timers.add(timer);
        return timer;
    }

    @AfterEach
    void stopTimers() {
        for (Timer timer : timers) {
            timer.stop();
        }
    }

    @Test
    void runsTheTaskOnceAfterTheDelayWithItsOwnTimeout() throws Exception {
        Timer timer = timer();
        CountDownLatch ran = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Timeout> seen = new AtomicReference<>();
        long startNs = System.nanoTime();
        AtomicReference<Long> elapsedNs = new AtomicReference<>();
        TimerTask task = timeout -> {
            elapsedNs.set(System.nanoTime() - startNs);
            seen.set(timeout);
            runs.incrementAndGet();
            ran.countDown();
        };
        Timeout timeout = timer.newTimeout(task, 50, MILLISECONDS);
        assertThat(ran.await(10, SECONDS)).isTrue();
        assertThat(elapsedNs.get()).as("never early").isGreaterThanOrEqualTo(MILLISECONDS.toNanos(50));
        assertThat(seen.get()).isSameAs(timeout);
        assertThat(timeout.timer()).isSameAs(timer);
        assertThat(timeout.task()).isSameAs(task);
        awaitExpired(timeout);
        assertThat(timeout.isCancelled()).isFalse();
        assertThat(timeout.cancel()).isFalse();
        assertThat(runs.get()).isEqualTo(1);
    }

    private static void awaitExpired(Timeout timeout) {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (!timeout.isExpired()) {
            assertThat(System.nanoTime() - deadline).isNegative();
            Thread.onSpinWait();
        }
    }

    @Test
    void aPendingTimeoutIsNeitherExpiredNorCancelled() {
        Timeout timeout = timer().newTimeout(t -> { }, 1, SECONDS);
        assertThat(timeout.isExpired()).isFalse();
        assertThat(timeout.isCancelled()).isFalse();
    }

    @Test
    void cancelReturnsTrueOnceAndTheTaskNeverRuns() throws Exception {
        Timer timer = timer();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger cancelledCalls = new AtomicInteger();
        TimerTask task = new TimerTask() {
            @Override
            public void run(Timeout timeout) {
                runs.incrementAndGet();
            }

            @Override
            public void cancelled(Timeout timeout) {
                cancelledCalls.incrementAndGet();
            }
        };
        Timeout timeout = timer.newTimeout(task, 100, MILLISECONDS);
        assertThat(timeout.cancel()).isTrue();
        assertThat(timeout.cancel()).isFalse();
        assertThat(timeout.isCancelled()).isTrue();
        assertThat(timeout.isExpired()).isFalse();
        // A later timeout has fired, so the cancelled one had every chance to run.
        CountDownLatch later = new CountDownLatch(1);
        timer.newTimeout(t -> later.countDown(), 200, MILLISECONDS);
        assertThat(later.await(10, SECONDS)).isTrue();
        assertThat(runs.get()).isZero();
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (cancelledCalls.get() == 0) {
            assertThat(System.nanoTime() - deadline).as("TimerTask.cancelled called").isNegative();
            Thread.onSpinWait();
        }
        assertThat(cancelledCalls.get()).isEqualTo(1);
    }

    @Test
    void timeoutsFireInDeadlineOrder() throws Exception {
        Timer timer = timer();
        ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
        CountDownLatch all = new CountDownLatch(3);
        timer.newTimeout(t -> { order.add(300); all.countDown(); }, 300, MILLISECONDS);
        timer.newTimeout(t -> { order.add(100); all.countDown(); }, 100, MILLISECONDS);
        timer.newTimeout(t -> { order.add(200); all.countDown(); }, 200, MILLISECONDS);
        assertThat(all.await(10, SECONDS)).isTrue();
        assertThat(order).containsExactly(100, 200, 300);
    }

    @Test
    void zeroAndNegativeDelaysFireSoon() throws Exception {
        Timer timer = timer();
        CountDownLatch both = new CountDownLatch(2);
        timer.newTimeout(t -> both.countDown(), 0, MILLISECONDS);
        timer.newTimeout(t -> both.countDown(), -10, MILLISECONDS);
        assertThat(both.await(10, SECONDS)).isTrue();
    }

    @Test
    void aThrowingTaskDoesNotStopOtherTimeouts() throws Exception {
        Timer timer = timer();
        CountDownLatch after = new CountDownLatch(1);
        timer.newTimeout(t -> {
            throw new IllegalStateException("expected by the test");
        }, 10, MILLISECONDS);
        timer.newTimeout(t -> after.countDown(), 50, MILLISECONDS);
        assertThat(after.await(10, SECONDS)).isTrue();
    }

    @Test
    void stopReturnsAndCancelsThePendingTimeouts() {
        Timer timer = timer();
        Timeout first = timer.newTimeout(t -> { }, 10, SECONDS);
        Timeout second = timer.newTimeout(t -> { }, 20, SECONDS);
        Timeout cancelled = timer.newTimeout(t -> { }, 20, SECONDS);
        cancelled.cancel();
        Set<Timeout> unprocessed = timer.stop();
        assertThat(unprocessed).containsExactlyInAnyOrder(first, second);
        assertThat(unprocessed).allMatch(Timeout::isCancelled);
        assertThat(timer.stop()).isEmpty();
    }

    @Test
    void newTimeoutAfterStopThrowsIllegalState() {
        Timer timer = timer();
        timer.newTimeout(t -> { }, 1, SECONDS);
        timer.stop();
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 1, SECONDS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void stopOfATimerThatNeverStartedReturnsNothingAndStillRefusesNewTimeouts() {
        Timer timer = timer();
        assertThat(timer.stop()).isEmpty();
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 1, SECONDS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void stopFromInsideATaskThrowsIllegalState() throws Exception {
        Timer timer = timer();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        timer.newTimeout(t -> {
            try {
                t.timer().stop();
            } catch (Throwable e) {
                thrown.set(e);
            }
            done.countDown();
        }, 1, MILLISECONDS);
        assertThat(done.await(10, SECONDS)).isTrue();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void maxPendingTimeoutsRejectsTheOneTooMany() {
        Timer timer = track(newTimer(2));
        timer.newTimeout(t -> { }, 5, SECONDS);
        timer.newTimeout(t -> { }, 5, SECONDS);
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 5, SECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("maximum allowed pending timeouts (2)");
    }

    @Test
    void nullArgumentsAreRefused() {
        Timer timer = timer();
        assertThatThrownBy(() -> timer.newTimeout(null, 1, SECONDS)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 1, null)).isInstanceOf(NullPointerException.class);
    }

    /** One timeout's record: its task counts runs, the test counts the cancels that won. */
    static final class Tracked implements TimerTask {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger cancelWins = new AtomicInteger();
        final boolean far;
        volatile Timeout timeout;
        volatile boolean acceptedBeforeStop = true;

        Tracked(boolean far) {
            this.far = far;
        }

        @Override
        public void run(Timeout timeout) {
            runs.incrementAndGet();
        }

        void cancel() {
            if (timeout.cancel()) {
                cancelWins.incrementAndGet();
            }
        }

        int outcomes(Set<Timeout> returned) {
            return runs.get() + cancelWins.get() + (returned.contains(timeout) ? 1 : 0);
        }
    }

    @Test
    void everyTimeoutFromManyThreadsRacingCancelAndExpiryEndsExactlyOnce() throws Exception {
        Timer timer = timer();
        int producers = 3;
        int perProducer = 3_000;
        ConcurrentLinkedQueue<Tracked> all = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Tracked> handedOver = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(producers);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(17 + p);
            threads.add(new Thread(() -> {
                try {
                    start.await(10, SECONDS);
                    // Old enough that some have fired, young enough that some have not.
                    Tracked[] recent = new Tracked[512];
                    for (int i = 0; i < perProducer; i++) {
                        Tracked tracked = new Tracked(false);
                        tracked.timeout = timer.newTimeout(tracked, random.nextLong(0, 3_000), TimeUnit.MICROSECONDS);
                        all.add(tracked);
                        recent[i % recent.length] = tracked;
                        int choice = random.nextInt(6);
                        if (choice == 0) {
                            tracked.cancel();
                        } else if (choice == 1 && i >= recent.length) {
                            // A recent one: it may be due, running or done by now.
                            recent[random.nextInt(recent.length)].cancel();
                        } else if (choice == 2) {
                            handedOver.add(tracked);
                        }
                        // Cancel one handed over by another producer: a cross-thread cancel.
                        Tracked other = handedOver.poll();
                        if (other != null && random.nextBoolean()) {
                            other.cancel();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "timeout-producer-" + p));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(all).hasSize(producers * perProducer);
        awaitEveryOutcome(all, Set.of());
        int cancels = 0;
        for (Tracked tracked : all) {
            assertThat(tracked.runs.get()).as("runs of %s", tracked.timeout).isLessThanOrEqualTo(1);
            assertThat(tracked.outcomes(Set.of())).as("outcomes of %s", tracked.timeout).isEqualTo(1);
            assertThat(tracked.timeout.isExpired()).isEqualTo(tracked.runs.get() == 1);
            assertThat(tracked.timeout.isCancelled()).isEqualTo(tracked.cancelWins.get() == 1);
            cancels += tracked.cancelWins.get();
        }
        // Both outcomes occur, or the race was not exercised.
        assertThat(cancels).isBetween(1, producers * perProducer - 1);
    }

    @Test
    void stopRacingNewTimeoutsFromTwoThreadsLosesAndDoublesNothing() throws Exception {
        Timer timer = timer();
        int producers = 2;
        ConcurrentLinkedQueue<Tracked> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger acceptedCount = new AtomicInteger();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(71 + p);
            threads.add(new Thread(() -> {
                Tracked[] recent = new Tracked[16];
                try {
                    for (int i = 0; ; i++) {
                        Tracked tracked = new Tracked(random.nextInt(4) == 0);
                        long delayUs = tracked.far ? TimeUnit.HOURS.toMicros(1) : random.nextLong(0, 3_000);
                        tracked.timeout = timer.newTimeout(tracked, delayUs, TimeUnit.MICROSECONDS);
                        // Read after the call returned: if stop() had not begun then, it must see this timeout.
                        tracked.acceptedBeforeStop = !stopping.get();
                        accepted.add(tracked);
                        acceptedCount.incrementAndGet();
                        recent[i & 15] = tracked;
                        if (i >= 16 && random.nextInt(5) == 0) {
                            recent[random.nextInt(16)].cancel();
                        }
                    }
                } catch (IllegalStateException stopped) {
                    // The timer is stopped: this producer is done.
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "stop-racer-" + p));
        }
        threads.forEach(Thread::start);
        long deadlineNs = System.nanoTime() + SECONDS.toNanos(30);
        while (acceptedCount.get() < 2_000) {
            assertThat(System.nanoTime() - deadlineNs).as("producers started").isNegative();
            Thread.onSpinWait();
        }
        stopping.set(true);
        Set<Timeout> returned = timer.stop();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure.get()).isNull();
        for (Timeout timeout : returned) {
            assertThat(timeout.isCancelled()).as("returned by stop: %s", timeout).isTrue();
        }
        List<Tracked> mustEnd = new ArrayList<>();
        int duringStop = 0;
        for (Tracked tracked : accepted) {
            assertThat(tracked.runs.get()).as("runs of %s", tracked.timeout).isLessThanOrEqualTo(1);
            assertThat(tracked.outcomes(returned)).as("outcomes of %s", tracked.timeout).isLessThanOrEqualTo(1);
            if (tracked.acceptedBeforeStop || keepsTimeoutsAcceptedDuringStop()) {
                mustEnd.add(tracked);
            }
            duringStop += tracked.acceptedBeforeStop ? 0 : 1;
        }
        assertThat(accepted.stream().map(t -> t.timeout).filter(returned::contains).count())
                .as("stop() returns only accepted timeouts").isEqualTo(returned.size());
        // An hour-long timeout cannot have run: it was cancelled or returned, or it is lost.
        for (Tracked tracked : mustEnd) {
            if (tracked.far) {
                assertThat(tracked.outcomes(returned)).as("hour-long %s (accepted before stop: %s)", tracked.timeout,
                        tracked.acceptedBeforeStop).isEqualTo(1);
            }
        }
        awaitEveryOutcome(mustEnd, returned);
        for (Tracked tracked : accepted) {
            assertThat(tracked.runs.get()).as("runs of %s", tracked.timeout).isLessThanOrEqualTo(1);
        }
        assertThat(returned).as("stop() found pending timeouts").isNotEmpty();
        assertThat(mustEnd.size()).isGreaterThanOrEqualTo(accepted.size() - duringStop);
    }

    /** Waits until every one of {@code tracked} has an outcome (the short ones may still be running). */
    private static void awaitEveryOutcome(Iterable<Tracked> tracked, Set<Timeout> returned) {
        long deadlineNs = System.nanoTime() + SECONDS.toNanos(30);
        for (Tracked one : tracked) {
            while (one.outcomes(returned) == 0) {
                assertThat(System.nanoTime() - deadlineNs).as("%s never ran, was not cancelled nor returned", one.timeout)
                        .isNegative();
                Thread.onSpinWait();
            }
        }
    }
}
