package dev.escapement;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The global timer on its real thread, with several producers. Every timer is accounted for:
 * fired + cancelled + returned by stop = scheduled, none twice. Assertions run on the test thread;
 * the timer thread only records.
 */
@Timeout(120)
class GlobalTimerConcurrencyTest {

    private static CompletableFuture<Void> settled(TimerHandle handle) {
        return handle.completion().handle((value, failure) -> null);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void everyTimerFromManyProducersIsFiredCancelledOrReturnedExactlyOnce(long seed) throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(100, MICROSECONDS).build();
        int producers = 4;
        int perProducer = 20_000;
        Set<Long> fired = ConcurrentHashMap.newKeySet();
        AtomicInteger firedTwice = new AtomicInteger();
        Set<Long> cancelled = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<TimerHandle> all = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<TimerHandle> cancelCandidates = new ConcurrentLinkedQueue<>();
        TimerTask task = handle -> {
            if (!fired.add(handle.id())) {
                firedTwice.incrementAndGet();
            }
        };
        CyclicBarrier start = new CyclicBarrier(producers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(seed * 31 + p);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < perProducer; i++) {
                    long delayUs = random.nextInt(10) == 0 ? HOURS.toMicros(1) : random.nextLong(0, 20_000);
                    TimerHandle handle = timer.schedule(task, delayUs, MICROSECONDS);
                    all.add(handle);
                    int choice = random.nextInt(4);
                    if (choice == 0 && handle.cancel()) {
                        cancelled.add(handle.id());
                    } else if (choice == 1) {
                        cancelCandidates.add(handle);
                    }
                    // Cancel one handed over by another producer: a cross-thread cancel.
                    TimerHandle other = cancelCandidates.poll();
                    if (other != null && random.nextBoolean() && other.cancel()) {
                        cancelled.add(other.id());
                    }
                }
            }, "producer-" + p);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        // Wait for every short timer to settle; the hour-long ones are left for stop().
        List<CompletableFuture<Void>> shortOnes = new ArrayList<>();
        for (TimerHandle handle : all) {
            if (handle.deadlineNs() - timer.nanoTime() < SECONDS.toNanos(60)) {
                shortOnes.add(settled(handle));
            }
        }
        CompletableFuture.allOf(shortOnes.toArray(CompletableFuture[]::new)).get(60, SECONDS);
        List<TimerHandle> returned = timer.stop();

        int scheduled = producers * perProducer;
        assertThat(all).hasSize(scheduled);
        assertThat(firedTwice.get()).isZero();
        Set<Long> returnedIds = ConcurrentHashMap.newKeySet();
        returned.forEach(h -> returnedIds.add(h.id()));
        assertThat(fired.size() + cancelled.size() + returnedIds.size()).isEqualTo(scheduled);
        assertThat(Collections.disjoint(fired, cancelled)).isTrue();
        assertThat(Collections.disjoint(fired, returnedIds)).isTrue();
        assertThat(Collections.disjoint(cancelled, returnedIds)).isTrue();
        for (TimerHandle handle : all) {
            boolean isFired = fired.contains(handle.id());
            assertThat(handle.isExpired()).isEqualTo(isFired);
            assertThat(handle.isCancelled()).isEqualTo(!isFired);
        }
        TimerStats stats = timer.stats();
        assertThat(stats.scheduled()).isEqualTo(scheduled);
        assertThat(stats.fired()).isEqualTo(fired.size());
        assertThat(stats.cancelled()).isEqualTo(cancelled.size());
        assertThat(stats.returnedByStop()).isEqualTo(returnedIds.size());
        assertThat(stats.pending()).isZero();
    }

    @Test
    void postponedTimersNeverFireBeforeTheirLastAcceptedDeadline() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(100, MICROSECONDS).build();
        int producers = 2;
        int perProducer = 5_000;
        ConcurrentHashMap<Long, Long> firedAtNs = new ConcurrentHashMap<>();
        ConcurrentHashMap<Long, Long> lastAcceptedDeadlineNs = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<TimerHandle> all = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(40 + p);
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    TimerHandle handle = timer.schedule(h -> firedAtNs.put(h.id(), System.nanoTime()),
                            random.nextLong(0, 3_000), MICROSECONDS);
                    all.add(handle);
                    lastAcceptedDeadlineNs.put(handle.id(), handle.deadlineNs());
                    for (int moves = random.nextInt(3); moves > 0; moves--) {
                        if (handle.postpone(random.nextLong(0, 5_000), MICROSECONDS)) {
                            lastAcceptedDeadlineNs.put(handle.id(), handle.deadlineNs());
                        }
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (TimerHandle handle : all) {
            settled(handle).get(30, SECONDS);
        }
        assertThat(firedAtNs).hasSize(producers * perProducer);
        for (TimerHandle handle : all) {
            long early = lastAcceptedDeadlineNs.get(handle.id()) - firedAtNs.get(handle.id());
            assertThat(early).as("%s fired %d ns before its last accepted deadline", handle, early).isLessThanOrEqualTo(0);
        }
        TimerStats stats = timer.stats();
        assertThat(stats.fired()).isEqualTo(producers * perProducer);
        assertThat(stats.pending()).isZero();
        timer.stop();
    }

    @Test
    void cancelRacingExpiryHasExactlyOneWinner() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(10, MICROSECONDS).build();
        int rounds = 20_000;
        AtomicBoolean[] ran = new AtomicBoolean[rounds];
        boolean[] cancelWon = new boolean[rounds];
        List<TimerHandle> handles = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(99);
        for (int i = 0; i < rounds; i++) {
            AtomicBoolean flag = new AtomicBoolean();
            ran[i] = flag;
            TimerHandle handle = timer.schedule(h -> flag.set(true), random.nextLong(0, 30), MICROSECONDS);
            handles.add(handle);
            // Spin a random few iterations so that the cancel lands before, during or after expiry.
            long spin = random.nextLong(0, 3_000);
            for (long s = 0; s < spin; s++) {
                Thread.onSpinWait();
            }
            cancelWon[i] = handle.cancel();
        }
        for (TimerHandle handle : handles) {
            settled(handle).get(30, SECONDS);
        }
        int cancels = 0;
        for (int i = 0; i < rounds; i++) {
            assertThat(ran[i].get() ^ cancelWon[i]).as("timer %d: ran=%s cancel=%s", i, ran[i].get(), cancelWon[i]).isTrue();
            cancels += cancelWon[i] ? 1 : 0;
        }
        // Both outcomes must actually occur, or the race was not exercised.
        assertThat(cancels).isBetween(1, rounds - 1);
        timer.stop();
    }

    @Test
    void neverFiresEarlyOnTheRealThread() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(1, MILLISECONDS).build();
        int count = 3_000;
        long[] earlyByNs = new long[count];
        List<TimerHandle> handles = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < count; i++) {
            int index = i;
            handles.add(timer.schedule(h -> earlyByNs[index] = h.deadlineNs() - System.nanoTime(),
                    random.nextLong(0, 50_000), MICROSECONDS));
        }
        for (TimerHandle handle : handles) {
            handle.completion().get(30, SECONDS);
        }
        for (int i = 0; i < count; i++) {
            assertThat(earlyByNs[i]).as("timer %d fired early by %d ns", i, earlyByNs[i]).isLessThanOrEqualTo(0);
        }
        timer.stop();
    }

    @Test
    void idleTimerThreadParksInsteadOfTicking() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(1, MILLISECONDS).build();
        timer.schedule(h -> { }, 1, HOURS);
        AtomicReference<Thread> timerThread = new AtomicReference<>();
        timer.schedule(h -> timerThread.set(Thread.currentThread()), 0, MILLISECONDS).completion().get(10, SECONDS);
        awaitParked(timerThread.get());
        long passesBefore = timer.stats().passes();
        // A measurement window, not synchronization: a ticking timer would pass ~300 times.
        Thread.sleep(300);
        assertThat(timer.stats().passes() - passesBefore).isZero();
        assertThat(timerThread.get().getState()).isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(timer.stats().parks()).isPositive();
        timer.stop();
    }

    private static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime() - deadline).as("timer thread never parked").isNegative();
            Thread.onSpinWait();
        }
    }

    @Test
    void earlierDeadlineWakesAParkedTimerThread() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().build();
        timer.schedule(h -> { }, 1, HOURS);
        AtomicReference<Thread> timerThread = new AtomicReference<>();
        timer.schedule(h -> timerThread.set(Thread.currentThread()), 0, MILLISECONDS).completion().get(10, SECONDS);
        // Only a parked thread needs waking: one still finishing its pass sees the command itself.
        awaitParked(timerThread.get());
        long wakeupsBefore = timer.stats().wakeups();
        TimerHandle soon = timer.schedule(h -> { }, 1, MILLISECONDS);
        soon.completion().get(10, SECONDS);
        assertThat(timer.stats().wakeups()).isGreaterThan(wakeupsBefore);
        timer.stop();
    }

    @Test
    void timerThreadIsADaemonWithAClearName() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().threadName("escapement-test-timer").build();
        AtomicReference<Thread> thread = new AtomicReference<>();
        timer.schedule(h -> thread.set(Thread.currentThread()), 0, MILLISECONDS).completion().get(10, SECONDS);
        assertThat(thread.get().getName()).isEqualTo("escapement-test-timer");
        assertThat(thread.get().isDaemon()).isTrue();
        timer.stop();
        thread.get().join(10_000);
        assertThat(thread.get().isAlive()).isFalse();
    }

    @Test
    void callbacksRunOnTheCallbackExecutorThread() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "callbacks"));
        try {
            GlobalTimer timer = GlobalTimer.builder().callbackExecutor(executor).build();
            AtomicReference<String> threadName = new AtomicReference<>();
            timer.schedule(h -> threadName.set(Thread.currentThread().getName()), 1, MILLISECONDS)
                    .completion().get(10, SECONDS);
            assertThat(threadName.get()).isEqualTo("callbacks");
            timer.stop();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void stopConcurrentWithSchedulingLosesNothing() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().build();
        int producers = 3;
        ConcurrentLinkedQueue<TimerHandle> accepted = new ConcurrentLinkedQueue<>();
        Set<Long> fired = ConcurrentHashMap.newKeySet();
        AtomicLong rejected = new AtomicLong();
        CountDownLatch running = new CountDownLatch(producers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(p);
            Thread thread = new Thread(() -> {
                running.countDown();
                while (true) {
                    try {
                        accepted.add(timer.schedule(h -> fired.add(h.id()), random.nextLong(0, 2_000), MICROSECONDS));
                    } catch (RejectedExecutionException stopped) {
                        rejected.incrementAndGet();
                        return;
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        running.await();
        // Let some timers fire before stopping.
        while (timer.stats().fired() < 1_000) {
            Thread.onSpinWait();
        }
        List<TimerHandle> returned = timer.stop();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(rejected.get()).isEqualTo(producers);
        Set<Long> returnedIds = ConcurrentHashMap.newKeySet();
        returned.forEach(h -> returnedIds.add(h.id()));
        for (TimerHandle handle : accepted) {
            // Fired timers may still be finishing their task: wait for them.
            settled(handle).get(10, SECONDS);
            boolean wasFired = fired.contains(handle.id());
            boolean wasReturned = returnedIds.contains(handle.id());
            assertThat(wasFired ^ wasReturned).as("%s fired=%s returned=%s", handle, wasFired, wasReturned).isTrue();
        }
        assertThat(fired.size() + returnedIds.size()).isEqualTo(accepted.size());
    }
}
