package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.PeriodicSchedule;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guarantee 1 (exactly once) under a randomized multi-thread load on the real timer thread:
 * one-shot, periodic and id-path timers, cancels from any thread, postpones, batches. Every timer
 * is accounted for: it fired, was cancelled, or was returned by stop(); nothing twice, and no
 * periodic timer runs two periods at once.
 */
@Timeout(120)
class StressTest {

    /** Per-timer record, written by the timer thread or producers, read after the run. */
    static final class Record {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger inRun = new AtomicInteger();
        volatile boolean overlapped;
        volatile boolean cancelWon;
        final long loops;

        Record(long loops) {
            this.loops = loops;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 202, 303})
    void everyTimerEndsExactlyOnce(long seed) throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(100, MICROSECONDS).build();
        int producers = 3;
        int operations = 15_000;
        Map<TimerHandle, Record> records = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> idRuns = new ConcurrentHashMap<>();
        Map<Long, Boolean> idCancelled = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<TimerHandle> shared = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(producers);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            SplittableRandom random = new SplittableRandom(seed * 7 + p);
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < operations; i++) {
                    int op = random.nextInt(100);
                    if (op < 40) {
                        Record record = new Record(1);
                        TimerHandle handle = timer.schedule(h -> run(record),
                                random.nextInt(20) == 0 ? 3_600_000_000L : random.nextLong(0, 5_000), MICROSECONDS);
                        records.put(handle, record);
                        shared.add(handle);
                    } else if (op < 48) {
                        long loops = random.nextInt(4) == 0 ? PeriodicSchedule.FOREVER : 1 + random.nextInt(5);
                        Record record = new Record(loops);
                        TimerHandle handle = timer.schedulePeriodic(h -> run(record),
                                PeriodicSchedule.fixedRate(random.nextLong(200, 2_000), MICROSECONDS).loops(loops).build());
                        records.put(handle, record);
                        shared.add(handle);
                    } else if (op < 58) {
                        long id = timer.scheduleTimer((timerId, now) -> idRuns.computeIfAbsent(timerId, k -> new AtomicInteger()).incrementAndGet(),
                                random.nextLong(0, 5_000), MICROSECONDS);
                        if (random.nextBoolean() && timer.cancelTimer(id)) {
                            idCancelled.put(id, true);
                        }
                        idRuns.computeIfAbsent(id, k -> new AtomicInteger());
                    } else if (op < 80) {
                        TimerHandle victim = shared.poll();
                        if (victim != null && victim.cancel()) {
                            records.get(victim).cancelWon = true;
                        }
                    } else if (op < 95) {
                        TimerHandle moved = shared.peek();
                        if (moved != null) {
                            moved.postpone(random.nextLong(0, 3_000), MICROSECONDS);
                        }
                    } else {
                        var batch = timer.newBatch();
                        List<Record> batchRecords = new ArrayList<>();
                        for (int b = 0; b < 5; b++) {
                            Record record = new Record(1);
                            batchRecords.add(record);
                            batch.schedule(h -> run(record), random.nextLong(0, 3_000), MICROSECONDS);
                        }
                        var result = batch.submit();
                        for (int b = 0; b < result.size(); b++) {
                            records.put(result.handle(b), batchRecords.get(b));
                        }
                    }
                }
            }, "stress-" + p));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        // Wait for every finite timer; the hour-long and endless ones are left for stop().
        List<CompletableFuture<?>> finite = new ArrayList<>();
        records.forEach((handle, record) -> {
            boolean endless = record.loops == PeriodicSchedule.FOREVER;
            boolean far = handle.deadlineNs() - timer.nanoTime() > SECONDS.toNanos(60);
            if (!endless && !far) {
                finite.add(handle.completion().handle((v, t) -> null));
            }
        });
        CompletableFuture.allOf(finite.toArray(CompletableFuture[]::new)).get(60, SECONDS);
        List<TimerHandle> returned = timer.stop();

        int fired = 0;
        int cancelled = 0;
        for (Map.Entry<TimerHandle, Record> entry : records.entrySet()) {
            TimerHandle handle = entry.getKey();
            Record record = entry.getValue();
            assertThat(record.overlapped).as("%s ran two periods at once", handle).isFalse();
            boolean wasReturned = returned.contains(handle);
            int outcomes = (handle.isExpired() ? 1 : 0) + (handle.isCancelled() ? 1 : 0);
            assertThat(outcomes).as("%s has exactly one outcome", handle).isEqualTo(1);
            if (record.loops == 1) {
                assertThat(record.runs.get()).as("%s runs", handle).isEqualTo(handle.isExpired() ? 1 : 0);
            } else if (record.loops != PeriodicSchedule.FOREVER && handle.isExpired()) {
                assertThat(record.runs.get()).as("%s runs", handle).isEqualTo((int) record.loops);
            }
            if (record.cancelWon) {
                assertThat(handle.isCancelled()).isTrue();
                assertThat(wasReturned).isFalse();
            }
            if (handle.isExpired()) {
                fired++;
            } else if (!wasReturned) {
                cancelled++;
            }
        }
        int idFired = 0;
        for (Map.Entry<Long, AtomicInteger> entry : idRuns.entrySet()) {
            int runs = entry.getValue().get();
            assertThat(runs).as("id timer %d ran at most once", entry.getKey()).isLessThanOrEqualTo(1);
            if (idCancelled.containsKey(entry.getKey())) {
                assertThat(runs).as("cancelled id timer %d never ran", entry.getKey()).isZero();
            }
            idFired += runs;
        }
        TimerStats stats = timer.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.fired()).isEqualTo(fired + idFired);
        assertThat(stats.scheduled()).isEqualTo(records.size() + idRuns.size());
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled() + stats.returnedByStop());
        assertThat(stats.returnedByStop()).isGreaterThanOrEqualTo(returned.size());
        assertThat(cancelled + returned.size() + fired).isEqualTo(records.size());
    }

    private static void run(Record record) {
        if (record.inRun.incrementAndGet() != 1) {
            record.overlapped = true;
        }
        record.runs.incrementAndGet();
        record.inRun.decrementAndGet();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
