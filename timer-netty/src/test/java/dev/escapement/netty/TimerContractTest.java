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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The contract of {@link Timer} as {@code HashedWheelTimer} keeps it, checked on the reference and
 * on {@link EscapementTimer} alike. Assertions run on the test thread; tasks only record.
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
abstract class TimerContractTest {

    private final List<Timer> timers = new ArrayList<>();

    /** A fresh timer; {@code maxPendingTimeouts <= 0} for no bound. */
    protected abstract Timer newTimer(long maxPendingTimeouts);

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
}
