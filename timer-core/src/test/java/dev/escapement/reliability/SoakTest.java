package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guarantees 4 and 6 over time: random schedule, cancel and reset (postpone) traffic from several
 * threads, with the heap measured after GC every few seconds. Retained heap per pending timer
 * stays flat, and nothing is pending at the end. Runs {@value #DEFAULT_SECONDS} s by default; the
 * long soak is {@code mvn -B verify -pl timer-core -am -Psoak} (10 minutes), or set
 * {@code -Descapement.soak.seconds=N}. Prints its samples.
 */
@Timeout(value = 2, unit = TimeUnit.HOURS)
class SoakTest {

    static final int DEFAULT_SECONDS = 30;
    private static final int TARGET_PENDING = 50_000;
    /** Each producer's pace: operations per millisecond (about 100 K operations/s in all). */
    private static final int OPERATIONS_PER_MS = 35;
    private static final int PRODUCERS = 3;

    @Test
    void heapStaysFlatAndNothingIsLeftPending() throws Exception {
        long seconds = Long.getLong("escapement.soak.seconds", DEFAULT_SECONDS);
        GlobalTimer timer = GlobalTimer.builder().build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baselineBytes = usedAfterGc(memory);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong operations = new AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            SplittableRandom random = new SplittableRandom(p);
            Thread producer = new Thread(() -> produce(timer, random, running, operations), "soak-producer-" + p);
            producers.add(producer);
            producer.start();
        }

        List<long[]> samples = new ArrayList<>();
        long startNs = System.nanoTime();
        long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long sampleEveryNs = TimeUnit.SECONDS.toNanos(Math.max(2, seconds / 15));
        System.out.printf("soak: %d s, %d producers, about %d pending timers%n", seconds, PRODUCERS, TARGET_PENDING);
        System.out.printf("%8s %10s %14s %12s %14s%n", "elapsed", "pending", "heap after GC", "bytes/timer", "operations");
        while (System.nanoTime() - endNs < 0) {
            // A measurement period, not synchronization.
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(sampleEveryNs));
            long used = usedAfterGc(memory);
            long pending = timer.stats().pending();
            long elapsedS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
            long perTimer = pending > 0 ? (used - baselineBytes) / pending : 0;
            samples.add(new long[] {elapsedS, pending, used, perTimer});
            System.out.printf("%7ds %10d %13dK %12d %14d%n", elapsedS, pending, used / 1024, perTimer, operations.get());
        }
        running.set(false);
        for (Thread producer : producers) {
            producer.join();
        }
        // Every timer is at most 2 s out: let them all fire.
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (timer.stats().pending() > 0 || timer.stats().commandQueueDepth() > 0) {
            assertThat(System.nanoTime() - drainDeadline).as("timers left pending").isNegative();
            Thread.sleep(10);
        }
        TimerStats stats = timer.stats();
        long finalUsed = usedAfterGc(memory);
        System.out.printf("end: pending=%d scheduled=%d fired=%d cancelled=%d rejected=%d heap after GC %dK (baseline %dK)%n",
                stats.pending(), stats.scheduled(), stats.fired(), stats.cancelled(), stats.rejected(),
                finalUsed / 1024, baselineBytes / 1024);
        System.out.printf("lateness: p50=%d us p99=%d us p99.9=%d us max=%d us over %d expiries%n",
                stats.latenessP50Ns() / 1000, stats.latenessP99Ns() / 1000, stats.latenessP999Ns() / 1000,
                stats.latenessMaxNs() / 1000, stats.latenessSamples());

        assertThat(timer.stop()).isEmpty();
        assertThat(stats.pending()).isZero();
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled());
        assertThat(samples).hasSizeGreaterThanOrEqualTo(4);
        // Flat: the later half retains no more per timer than the earlier half (with a margin for
        // GC noise), and the heap returns near its baseline once the timers are gone (the entry
        // store keeps its chunks: 28 bytes per slot of the peak population).
        int half = samples.size() / 2;
        double early = samples.subList(1, half).stream().mapToLong(s -> s[3]).average().orElse(0);
        double late = samples.subList(half, samples.size()).stream().mapToLong(s -> s[3]).average().orElse(0);
        assertThat(late).as("bytes per pending timer, late vs early").isLessThanOrEqualTo(early * 1.5 + 64);
        assertThat(finalUsed - baselineBytes).as("heap retained after the run").isLessThan(48L * 1024 * 1024);
    }

    private static void produce(GlobalTimer timer, SplittableRandom random, AtomicBoolean running, AtomicLong operations) {
        // A bounded ring of recent handles: the test's own bookkeeping must not grow.
        AtomicReferenceArray<TimerHandle> recent = new AtomicReferenceArray<>(4096);
        int cursor = 0;
        long pending = 0;
        for (long count = 0; running.get(); count++) {
            int op = random.nextInt(10);
            if ((count & 1023) == 0) {
                // A snapshot is not free: look at the population now and then.
                pending = timer.stats().pending();
            }
            if (count % OPERATIONS_PER_MS == 0) {
                // A steady load, not an overload: the soak looks for leaks and drift.
                LockSupport.parkNanos(1_000_000);
            }
            if (op < 5 && pending < TARGET_PENDING) {
                TimerHandle handle = timer.schedule(h -> { }, random.nextLong(200_000, 2_000_000), MICROSECONDS);
                recent.set(cursor++ & 4095, handle);
            } else if (op < 8) {
                TimerHandle victim = recent.get(random.nextInt(4096));
                if (victim != null) {
                    victim.cancel();
                }
            } else {
                // An idle reset: push a pending timer back.
                TimerHandle reset = recent.get(random.nextInt(4096));
                if (reset != null) {
                    reset.postpone(random.nextLong(200, 2_000), MILLISECONDS);
                }
            }
            operations.incrementAndGet();
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
