package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guarantees 4 and 6 over time: random traffic from several threads on every path at once, with
 * the heap measured after GC every few seconds. Three producers schedule, cancel and reset
 * (postpone) timers on the handle path and the id path ({@code scheduleTimer},
 * {@code cancelTimer}, {@code postponeTimer}); an event loop runs {@value SoakConnections#CONNECTIONS}
 * {@link dev.escapement.connection.TimerManager} connections that open, reset their idle timeout
 * and arm or cancel a retransmission timeout on every packet, drain on wake-ups, and close
 * (see {@link SoakConnections}). Retained heap per pending timer stays flat; at the end nothing is
 * pending and no connection is active; every timer fired or was cancelled; nothing was rejected.
 * Runs {@value #DEFAULT_SECONDS} s by default; the long soak is
 * {@code mvn -B verify -pl timer-core -am -Psoak} (10 minutes), or set
 * {@code -Descapement.soak.seconds=N}. Prints its samples.
 */
@Timeout(value = 2, unit = TimeUnit.HOURS)
class SoakTest {

    static final int DEFAULT_SECONDS = 30;
    private static final int TARGET_PENDING = 50_000;
    /** Each producer's pace: operations per millisecond (about 100 K operations/s in all). */
    private static final int OPERATIONS_PER_MS = 35;
    private static final int PRODUCERS = 3;
    private static final int RING = 4096;
    private static final TimerExpiryHandler ID_HANDLER = (timerId, nowNs) -> { };

    /** What one producer did, read after it has ended. */
    static final class ProducerCounts {
        long handleSchedules;
        long idSchedules;
        long idCancels;
        long idResets;
    }

    @Test
    void heapStaysFlatAndNothingIsLeftPending() throws Exception {
        long seconds = Long.getLong("escapement.soak.seconds", DEFAULT_SECONDS);
        GlobalTimer timer = GlobalTimer.builder().build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baselineBytes = usedAfterGc(memory);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong operations = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<ProducerCounts> counts = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            SplittableRandom random = new SplittableRandom(p);
            ProducerCounts count = new ProducerCounts();
            counts.add(count);
            threads.add(guarded(() -> produce(timer, random, running, operations, count), "soak-producer-" + p, running, failure));
        }
        SoakConnections connections = new SoakConnections(timer, 42, running);
        threads.add(guarded(connections, "soak-connections", running, failure));
        threads.forEach(Thread::start);

        List<long[]> samples = new ArrayList<>();
        long startNs = System.nanoTime();
        long endNs = startNs + TimeUnit.SECONDS.toNanos(seconds);
        long sampleEveryNs = TimeUnit.SECONDS.toNanos(Math.max(2, seconds / 15));
        System.out.printf("soak: %d s, %d producers, about %d pending timers, %d connections%n",
                seconds, PRODUCERS, TARGET_PENDING, SoakConnections.CONNECTIONS);
        System.out.printf("%8s %10s %12s %14s %12s %14s%n", "elapsed", "pending", "connections", "heap after GC",
                "bytes/timer", "operations");
        while (System.nanoTime() - endNs < 0 && running.get()) {
            // A measurement period, not synchronization.
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(sampleEveryNs));
            long used = usedAfterGc(memory);
            long pending = timer.stats().pending();
            long elapsedS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
            long perTimer = pending > 0 ? (used - baselineBytes) / pending : 0;
            samples.add(new long[] {elapsedS, pending, used, perTimer});
            System.out.printf("%7ds %10d %12d %13dK %12d %14d%n", elapsedS, pending, timer.stats().activeConnections(),
                    used / 1024, perTimer, operations.get());
        }
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a traffic thread failed", failure.get());
        }
        // Every timer is at most 2 s out, and the closed connections' entries are being unlinked.
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (timer.stats().pending() > 0 || timer.stats().commandQueueDepth() > 0) {
            assertThat(System.nanoTime() - drainDeadline).as("timers left pending").isNegative();
            Thread.sleep(10);
        }
        TimerStats stats = timer.stats();
        long finalUsed = usedAfterGc(memory);
        System.out.printf("end: pending=%d scheduled=%d fired=%d cancelled=%d rejected=%d active connections=%d"
                        + " heap after GC %dK (baseline %dK)%n",
                stats.pending(), stats.scheduled(), stats.fired(), stats.cancelled(), stats.rejected(),
                stats.activeConnections(), finalUsed / 1024, baselineBytes / 1024);
        ProducerCounts total = sum(counts);
        System.out.printf("handle schedules=%d id schedules=%d id cancels=%d id resets=%d%n",
                total.handleSchedules, total.idSchedules, total.idCancels, total.idResets);
        System.out.printf("connections opened=%d closed by peer=%d idle timeouts=%d retransmission timeouts=%d"
                        + " packets=%d resets=%d%n",
                connections.opened, connections.closedByPeer, connections.idleTimeouts,
                connections.retransmissionTimeouts, connections.packets, connections.resets);
        System.out.printf("lateness: p50=%d us p99=%d us p99.9=%d us max=%d us over %d expiries%n",
                stats.latenessP50Ns() / 1000, stats.latenessP99Ns() / 1000, stats.latenessP999Ns() / 1000,
                stats.latenessMaxNs() / 1000, stats.latenessSamples());

        assertThat(timer.stop()).isEmpty();
        assertThat(stats.pending()).isZero();
        assertThat(stats.activeConnections()).as("connections left open").isZero();
        assertThat(stats.rejected()).as("a steady load is never refused").isZero();
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled());
        // Every kind of traffic took place, or the run proves less than it claims.
        assertThat(total.handleSchedules).isPositive();
        assertThat(total.idSchedules).isPositive();
        assertThat(total.idCancels).isPositive();
        assertThat(total.idResets).isPositive();
        assertThat(connections.opened).isGreaterThan(SoakConnections.CONNECTIONS);
        assertThat(connections.closedByPeer).isPositive();
        assertThat(connections.idleTimeouts).isPositive();
        assertThat(connections.retransmissionTimeouts).isPositive();
        assertThat(connections.resets).isEqualTo(connections.packets).isPositive();
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

    /** A thread whose failure stops the run and is reported by the test. */
    private static Thread guarded(Runnable traffic, String name, AtomicBoolean running, AtomicReference<Throwable> failure) {
        return new Thread(() -> {
            try {
                traffic.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                running.set(false);
            }
        }, name);
    }

    private static void produce(GlobalTimer timer, SplittableRandom random, AtomicBoolean running, AtomicLong operations,
                                ProducerCounts count) {
        // Bounded rings of recent handles and ids: the test's own bookkeeping must not grow.
        TimerHandle[] recentHandles = new TimerHandle[RING];
        long[] recentIds = new long[RING];
        int handleCursor = 0;
        int idCursor = 0;
        long pending = 0;
        for (long n = 0; running.get(); n++) {
            int op = random.nextInt(10);
            boolean idPath = random.nextBoolean();
            if ((n & 1023) == 0) {
                // A snapshot is not free: look at the population now and then.
                pending = timer.stats().pending();
            }
            if (n % OPERATIONS_PER_MS == 0) {
                // A steady load, not an overload: the soak looks for leaks and drift.
                LockSupport.parkNanos(1_000_000);
            }
            if (op < 5 && pending < TARGET_PENDING) {
                long delayUs = random.nextLong(200_000, 2_000_000);
                if (idPath) {
                    recentIds[idCursor++ & (RING - 1)] = timer.scheduleTimer(ID_HANDLER, delayUs, MICROSECONDS);
                    count.idSchedules++;
                } else {
                    recentHandles[handleCursor++ & (RING - 1)] = timer.schedule(h -> { }, delayUs, MICROSECONDS);
                    count.handleSchedules++;
                }
            } else if (op < 8) {
                if (idPath) {
                    // A stale or unknown id is harmless: it may have fired or been cancelled.
                    count.idCancels += timer.cancelTimer(recentIds[random.nextInt(RING)]) ? 1 : 0;
                } else {
                    TimerHandle victim = recentHandles[random.nextInt(RING)];
                    if (victim != null) {
                        victim.cancel();
                    }
                }
            } else if (idPath) {
                // An idle reset: push a pending timer back.
                count.idResets += timer.postponeTimer(recentIds[random.nextInt(RING)], random.nextLong(200, 2_000), MILLISECONDS) ? 1 : 0;
            } else {
                TimerHandle reset = recentHandles[random.nextInt(RING)];
                if (reset != null) {
                    reset.postpone(random.nextLong(200, 2_000), MILLISECONDS);
                }
            }
            operations.incrementAndGet();
        }
    }

    private static ProducerCounts sum(List<ProducerCounts> counts) {
        ProducerCounts total = new ProducerCounts();
        for (ProducerCounts count : counts) {
            total.handleSchedules += count.handleSchedules;
            total.idSchedules += count.idSchedules;
            total.idCancels += count.idCancels;
            total.idResets += count.idResets;
        }
        return total;
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
