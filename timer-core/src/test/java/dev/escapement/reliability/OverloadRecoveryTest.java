package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.BatchResult;
import dev.escapement.GlobalTimer;
import dev.escapement.TimerBatch;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import dev.escapement.TimerTask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guarantee 6 on the real timer thread: several producers overload a timer with a small command
 * queue and a small pending bound. Past each bound a schedule throws
 * {@link RejectedExecutionException} naming that bound; every rejection is counted in
 * {@link TimerStats#rejected()}; the bounds hold (the pending bound exceeded by at most one
 * timer per other producer racing for its last place, design decision D19);
 * every accepted timer ends exactly once (fired, cancelled or returned by {@code stop()}). Once
 * the load drops, the whole pending bound is available again (no id leaked by a rejection) and
 * new timers are accepted and fire.
 *
 * <p>Deterministic despite the real thread: the queue bound is reached while a task holds the
 * timer thread, so nothing drains; the pending bound is reached with timers an hour away, so
 * nothing fires. Waits are latches and polls with generous deadlines; nothing is timed.
 */
@Timeout(120)
class OverloadRecoveryTest {

    private static final int QUEUE_CAPACITY = 16;
    private static final int MAX_PENDING = 64;
    private static final int PRODUCERS = 4;
    private static final String QUEUE_FULL = "command queue full: commandQueueCapacity=" + QUEUE_CAPACITY;
    private static final String PENDING_FULL = "pending timers bound reached: maxPendingTimers=" + MAX_PENDING;

    private final GlobalTimer timer = GlobalTimer.builder()
            .maxPendingTimers(MAX_PENDING).commandQueueCapacity(QUEUE_CAPACITY).threadName("overload-timer").build();
    private final ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);

    // Accounting: each accepted timer, and what became of it.
    private final ConcurrentLinkedQueue<TimerHandle> acceptedHandles = new ConcurrentLinkedQueue<>();
    private final Set<Long> acceptedIds = ConcurrentHashMap.newKeySet();
    private final Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final Set<Long> cancelledByUs = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> rejections = new ConcurrentLinkedQueue<>();
    private final TimerExpiryHandler idHandler = (timerId, nowNs) -> ran(timerId);
    /** The hour-long timers accepted in phase 2. */
    private int held;

    private void ran(long timerId) {
        runs.computeIfAbsent(timerId, id -> new AtomicInteger()).incrementAndGet();
    }

    @Test
    void rejectsPastEachBoundCountsEveryRejectionAndAcceptsAgainOnceLoadDrops() throws Exception {
        try {
            overloadTheCommandQueue();
            overloadThePendingBound();
            dropTheLoad();
            recover();
            account(timer.stop());
        } finally {
            producers.shutdownNow();
            timer.stop();
        }
    }

    /** Phase 1: the timer thread is held by a task, so the queue fills and nothing else is refused. */
    private void overloadTheCommandQueue() throws Exception {
        CountDownLatch release = holdTheTimerThread();
        onEveryProducer(() -> {
            for (int attempt = 0; attempt < 100; attempt++) {
                scheduleHourLong(attempt);
            }
        });
        assertThat(timer.isApplyingBackpressure()).isTrue();
        assertThat(acceptedHandles.size() - 1 + acceptedIds.size()).as("accepted while nothing drains")
                .isBetween(1, QUEUE_CAPACITY);
        assertThat(rejections).hasSizeGreaterThanOrEqualTo(PRODUCERS * 100 - QUEUE_CAPACITY).containsOnly(QUEUE_FULL);

        release.countDown();
        await("the queue drains", () -> timer.stats().commandQueueDepth() == 0);
        assertThat(timer.isApplyingBackpressure()).isFalse();
    }

    /**
     * Schedules a task that holds the timer thread until the returned latch opens, and waits until
     * it does: from then on nothing is drained, nothing fires and no id is released.
     */
    private CountDownLatch holdTheTimerThread() throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        acceptedHandles.add(timer.schedule(h -> {
            ran(h.id());
            holding.countDown();
            awaitQuietly(release);
        }, 0, MILLISECONDS));
        assertThat(holding.await(30, SECONDS)).as("the timer thread runs the holding task").isTrue();
        return release;
    }

    /** Phase 2: the thread drains, but hour-long timers fill the pending bound. */
    private void overloadThePendingBound() throws Exception {
        onEveryProducer(() -> {
            int refusedByPendingBound = 0;
            for (int attempt = 0; refusedByPendingBound < 20; attempt++) {
                String refusal = scheduleHourLong(attempt);
                if (PENDING_FULL.equals(refusal)) {
                    refusedByPendingBound++;
                }
            }
        });
        assertThat(rejections).contains(PENDING_FULL).containsOnly(QUEUE_FULL, PENDING_FULL);
        // The bound held: the hour-long timers fill it, and the holding task is gone. Producers
        // that read the count at the same instant may each take the last place.
        held = acceptedHandles.size() - 1 + acceptedIds.size();
        assertThat(held).isBetween(MAX_PENDING, MAX_PENDING + PRODUCERS - 1);
        // Far-off schedules may wait in the queue while the thread sleeps (the wake-up rule, D7);
        // a cancelMatching that matches nothing has every command queued before it applied.
        assertThat(timer.cancelMatching(h -> false)).isEmpty();
        await("the wheel holds the whole bound", () -> timer.stats().pending() == held);
        assertThat(timer.stats().rejected()).isEqualTo(rejections.size());
    }

    /** Phase 3: every hour-long timer is cancelled, in one batch, so no unlink waits for a queue slot. */
    private void dropTheLoad() throws Exception {
        TimerBatch cancels = timer.newBatch();
        for (TimerHandle handle : acceptedHandles) {
            if (!handle.isExpired()) {
                cancels.cancel(handle);
            }
        }
        acceptedIds.forEach(cancels::cancel);
        BatchResult result = cancels.submit();
        assertThat(result.successCount()).isEqualTo(held);
        for (TimerHandle handle : acceptedHandles) {
            if (handle.isCancelled()) {
                cancelledByUs.add(handle.id());
            }
        }
        cancelledByUs.addAll(acceptedIds);
        await("the cancelled timers are released", () -> timer.stats().pending() == 0);
    }

    /**
     * Phase 4: the whole bound is available again (none of the ids of the rejected or cancelled
     * timers leaked), the bound still holds, and new timers from every producer fire. The timer
     * thread is held while the bound fills, so that no timer fires and frees its id meanwhile.
     */
    private void recover() throws Exception {
        CountDownLatch release = holdTheTimerThread();
        // Two timers left for stop() to return.
        acceptedHandles.add(timer.schedule(h -> ran(h.id()), 1, HOURS));
        acceptedIds.add(timer.scheduleTimer(idHandler, 1, HOURS));
        int firing = MAX_PENDING - 3;
        CountDownLatch fired = new CountDownLatch(firing);
        TimerTask firingTask = h -> {
            ran(h.id());
            fired.countDown();
        };
        onEveryProducer(() -> acceptedHandles.add(timer.schedule(firingTask, 1, MILLISECONDS)));
        TimerBatch fill = timer.newBatch();
        for (int i = PRODUCERS; i < firing; i++) {
            fill.schedule(firingTask, 1 + i % 5, MILLISECONDS);
        }
        BatchResult filled = fill.submit();
        assertThat(filled.successCount()).as("every id is back: none leaked by %d rejections", rejections.size())
                .isEqualTo(firing - PRODUCERS);
        for (int i = 0; i < filled.size(); i++) {
            acceptedHandles.add(filled.handle(i));
        }
        assertThat(scheduleHourLong(0)).as("the bound still holds").isEqualTo(PENDING_FULL);
        release.countDown();
        assertThat(fired.await(30, SECONDS)).as("every new timer fires").isTrue();
    }

    /** Every accepted timer ended exactly once; the counters agree with what the producers saw. */
    private void account(List<TimerHandle> returned) {
        Set<Long> returnedIds = new HashSet<>();
        returned.forEach(handle -> returnedIds.add(handle.id()));
        for (TimerHandle handle : acceptedHandles) {
            int ranTimes = runs.getOrDefault(handle.id(), new AtomicInteger()).get();
            int outcomes = ranTimes + (cancelledByUs.contains(handle.id()) ? 1 : 0) + (returnedIds.contains(handle.id()) ? 1 : 0);
            assertThat(outcomes).as("%s ran %d times", handle, ranTimes).isEqualTo(1);
        }
        int idsLeft = 0;
        for (long id : acceptedIds) {
            int ranTimes = runs.getOrDefault(id, new AtomicInteger()).get();
            assertThat(ranTimes + (cancelledByUs.contains(id) ? 1 : 0)).as("id timer %d", id).isLessThanOrEqualTo(1);
            idsLeft += ranTimes == 0 && !cancelledByUs.contains(id) ? 1 : 0;
        }
        TimerStats stats = timer.stats();
        int accepted = acceptedHandles.size() + acceptedIds.size();
        assertThat(stats.scheduled()).isEqualTo(accepted);
        assertThat(stats.fired() + stats.cancelled() + stats.returnedByStop()).isEqualTo(accepted);
        assertThat(stats.cancelled()).isEqualTo(cancelledByUs.size());
        assertThat(stats.returnedByStop()).isEqualTo(returned.size() + idsLeft).isEqualTo(2);
        assertThat(stats.rejected()).isEqualTo(rejections.size());
        assertThat(stats.pending()).isZero();
    }

    /** One hour-long timer, on the handle path or the id path by turns; the refusal's message, or null. */
    private String scheduleHourLong(int attempt) {
        try {
            if (attempt % 2 == 0) {
                acceptedHandles.add(timer.schedule(h -> ran(h.id()), 1, HOURS));
            } else {
                acceptedIds.add(timer.scheduleTimer(idHandler, 1, HOURS));
            }
            return null;
        } catch (RejectedExecutionException refused) {
            rejections.add(refused.getMessage());
            return refused.getMessage();
        }
    }

    /** Runs {@code work} on every producer thread at once and waits for all; their failures fail the test. */
    private void onEveryProducer(Runnable work) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            done.add(producers.submit(() -> {
                awaitQuietly(start);
                work.run();
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get(60, SECONDS);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadlineNs = System.nanoTime() + SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadlineNs).as(what).isNegative();
            Thread.onSpinWait();
        }
    }
}
