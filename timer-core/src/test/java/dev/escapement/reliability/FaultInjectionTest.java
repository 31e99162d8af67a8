package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.PeriodicSchedule;
import dev.escapement.TimerHandle;
import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Guarantee 5 (isolation): faults in callbacks, executors and interval functions stay local. */
@Timeout(60)
class FaultInjectionTest {

    private final ManualClock clock = new ManualClock();

    /** Errors other than VM errors that a careless task might throw. */
    static final class TaskError extends Error {
        TaskError(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"error", "assertion", "linkage", "runtime", "checked"})
    void aTaskThrowingAnythingLeavesTheTimerWorking(String kind) {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<String> fired = new ArrayList<>();
        timer.schedule(h -> {
            switch (kind) {
                case "error" -> throw new TaskError("task error");
                case "assertion" -> throw new AssertionError("assertion");
                case "linkage" -> throw new NoClassDefFoundError("missing");
                case "runtime" -> throw new IllegalStateException("runtime");
                default -> throw new Exception("checked");
            }
        }, 1, MILLISECONDS);
        timer.schedule(h -> fired.add("after"), 1, MILLISECONDS);
        timer.schedule(h -> fired.add("later"), 2, MILLISECONDS);
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("after", "later");
        assertThat(timer.stats().taskFailures()).isEqualTo(1);
    }

    @Test
    void aCallbackSchedulingAndCancellingThousandsFromInsideIsSafe() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        AtomicInteger children = new AtomicInteger();
        List<TimerHandle> cancelledFromInside = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            cancelledFromInside.add(timer.schedule(h -> children.addAndGet(1_000_000), 5, MILLISECONDS));
        }
        timer.schedule(h -> {
            for (TimerHandle victim : cancelledFromInside) {
                victim.cancel();
            }
            for (int i = 0; i < 5_000; i++) {
                timer.schedule(child -> children.incrementAndGet(), i % 3, MILLISECONDS);
            }
        }, 1, MILLISECONDS);
        for (int ms = 0; ms < 10; ms++) {
            clock.advance(1, MILLISECONDS);
            while (timer.doWork() > 0) {
                // drain
            }
        }
        assertThat(children.get()).isEqualTo(5_000);
        assertThat(cancelledFromInside).allMatch(TimerHandle::isCancelled);
        assertThat(timer.stats().pending()).isZero();
    }

    @Test
    void aBlockingInlineCallbackDelaysOthersOnlyByItsOwnRunTime() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        timer.schedule(h -> {
            blocked.countDown();
            release.await();
        }, 1, MILLISECONDS);
        TimerHandle next = timer.schedule(h -> { }, 2, MILLISECONDS);
        assertThat(blocked.await(10, SECONDS)).isTrue();
        // While the inline callback blocks, the others wait: the documented cost of inline tasks.
        assertThat(next.isExpired()).isFalse();
        release.countDown();
        next.completion().get(10, SECONDS);
        timer.stop();
    }

    @Test
    void aBlockingCallbackOnTheExecutorDoesNotDelayOthers() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            GlobalTimer timer = GlobalTimer.builder().callbackExecutor(executor).build();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            timer.schedule(h -> {
                blocked.countDown();
                release.await();
            }, 1, MILLISECONDS);
            assertThat(blocked.await(10, SECONDS)).isTrue();
            TimerHandle next = timer.schedule(h -> { }, 1, MILLISECONDS);
            next.completion().get(10, SECONDS);
            release.countDown();
            timer.stop();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aRejectingExecutorFailsOnlyTheTimersItRejected() {
        AtomicInteger calls = new AtomicInteger();
        List<Runnable> accepted = new ArrayList<>();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().callbackExecutor(command -> {
            if (calls.incrementAndGet() % 2 == 0) {
                throw new RejectedExecutionException("every other one");
            }
            accepted.add(command);
        }).build();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            handles.add(timer.schedule(h -> { }, 1, MILLISECONDS));
        }
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        accepted.forEach(Runnable::run);
        assertThat(handles.stream().filter(h -> h.completion().isCompletedExceptionally())).hasSize(5);
        assertThat(handles.stream().filter(h -> h.completion().isDone() && !h.completion().isCompletedExceptionally())).hasSize(5);
        assertThat(timer.stats().executorRejections()).isEqualTo(5);
    }

    @Test
    void aSlowExecutorNeverRunsTwoPeriodsOfOneTimerAtOnce() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            GlobalTimer timer = GlobalTimer.builder().callbackExecutor(executor).build();
            AtomicInteger inRun = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            timer.schedulePeriodic(h -> {
                if (inRun.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                // Slower than the period.
                Thread.sleep(5);
                inRun.decrementAndGet();
                if (runs.incrementAndGet() == 20) {
                    done.countDown();
                }
            }, PeriodicSchedule.fixedRate(1, MILLISECONDS).build());
            assertThat(done.await(30, SECONDS)).isTrue();
            timer.stop();
            assertThat(overlaps.get()).isZero();
            assertThat(timer.stats().overruns()).isPositive();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aMisbehavingIntervalFunctionStopsOnlyItsOwnTimer() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        AtomicInteger good = new AtomicInteger();
        TimerHandle bad = timer.schedulePeriodic(h -> { }, PeriodicSchedule.dynamic(last -> {
            throw new TaskError("interval");
        }).initialDelay(1, MILLISECONDS).build());
        timer.schedulePeriodic(h -> good.incrementAndGet(), PeriodicSchedule.fixedRate(1, MILLISECONDS).build());
        for (int ms = 0; ms < 10; ms++) {
            clock.advance(1, MILLISECONDS);
            timer.doWork();
        }
        assertThat(bad.completion()).isCompletedExceptionally();
        assertThat(good.get()).isEqualTo(10);
        assertThat(timer.stats().intervalFailures()).isEqualTo(1);
    }
}
