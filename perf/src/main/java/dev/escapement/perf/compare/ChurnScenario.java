package dev.escapement.perf.compare;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Scenario 1, churn: the protocol-stack pattern. Each producer keeps a ring of timeouts in flight:
 * it cancels the one it scheduled {@code ring} pairs ago and schedules a new one 1-30 s out, while
 * a background population of other timers (60-120 s out, so none fires during the run) stays
 * pending. An iteration ends only when a zero-delay sentinel scheduled after the producers stop has
 * fired, so a contender that merely queues work is charged for draining it.
 *
 * <p>Thread-safety: run from one thread; it starts the producers itself.
 */
final class ChurnScenario {

    static final String NAME = "churn";
    private static final int DELAYS = 1 << 12;
    private static final int PAIRS_PER_CLOCK_READ = 256;
    private static final long MAX_DELAY_NS = TimeUnit.SECONDS.toNanos(120);

    private ChurnScenario() {
    }

    static void run(Options options, Supplier<TimerContender> factory, Recorder out) {
        for (int pending : options.integers("churn-pending")) {
            for (int producers : options.integers("churn-producers")) {
                runOne(options, factory.get(), pending, producers, out);
            }
        }
    }

    static String config(int pending, int producers) {
        return "pending=" + pending + ",producers=" + producers;
    }

    private static void runOne(Options options, TimerContender contender, int pending, int producers, Recorder out) {
        int ring = options.integer("churn-ring");
        int ringSlots = producers * ring;
        int sentinelSlot = ringSlots + pending;
        long[] delays = churnDelays();
        contender.open(sentinelSlot + 1, producers, MAX_DELAY_NS);
        try {
            Random random = new Random(7);
            for (int i = 0; i < pending; i++) {
                contender.schedule(ringSlots + i, TimeUnit.SECONDS.toNanos(60) + (long) (random.nextDouble() * TimeUnit.SECONDS.toNanos(60)), FireAction.NOTHING);
            }
            Probes.awaitCaughtUp(contender, sentinelSlot, 300_000);
            int warmups = options.integer("warmups");
            int iterations = options.integer("iterations");
            long iterationNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("iteration-ms"));
            double[] pairsPerSecond = new double[iterations];
            double[] catchUpMs = new double[iterations];
            double[] bytesPerPair = new double[iterations];
            TimerActivity activity = TimerActivity.of(contender);
            for (int it = 0; it < warmups + iterations; it++) {
                AtomicLongArray pairs = new AtomicLongArray(producers);
                AtomicLongArray producerBytes = new AtomicLongArray(producers);
                CountDownLatch done = new CountDownLatch(producers);
                long startNs = System.nanoTime();
                long bytes0 = Probes.allocatedBytes();
                for (int p = 0; p < producers; p++) {
                    int producer = p;
                    Executor executor = contender.producerExecutor(producer);
                    Runnable loop = () -> {
                        long ownBytes = Probes.currentThreadAllocatedBytes();
                        pairs.set(producer, produce(contender, producer * ring, ring, delays, producer * 997, startNs + iterationNs));
                        // A producer thread of its own has ended before the total is taken; an executor's thread has not.
                        producerBytes.set(producer, executor == null ? Probes.currentThreadAllocatedBytes() - ownBytes : 0);
                        done.countDown();
                    };
                    if (executor != null) {
                        executor.execute(loop);
                    } else {
                        Thread thread = new Thread(loop, "churn-producer-" + producer);
                        thread.setDaemon(true);
                        thread.start();
                    }
                }
                Probes.await(done, iterationNs / 1_000_000 + 300_000, "the churn producers");
                long producersDoneNs = System.nanoTime();
                long endNs = Probes.awaitCaughtUp(contender, sentinelSlot, 300_000);
                long bytes1 = Probes.allocatedBytes();
                long total = 0;
                long bytes = bytes1 - bytes0;
                for (int p = 0; p < producers; p++) {
                    total += pairs.get(p);
                    bytes += producerBytes.get(p);
                }
                if (it >= warmups) {
                    pairsPerSecond[it - warmups] = total * 1e9 / (endNs - startNs);
                    catchUpMs[it - warmups] = Math.max(0, endNs - producersDoneNs) / 1e6;
                    bytesPerPair[it - warmups] = (double) bytes / total;
                }
            }
            String config = config(pending, producers);
            activity.report(out, NAME, config);
            out.result(NAME, config, "pairs_per_s", "pairs/s", pairsPerSecond);
            out.result(NAME, config, "catch_up_ms", "ms", catchUpMs);
            out.result(NAME, config, "bytes_per_pair", "bytes", bytesPerPair);
            if (contender instanceof EscapementBacked escapement && escapement.backpressureRetries() > 0) {
                out.note(NAME, config + ": producers met a full command queue " + escapement.backpressureRetries() + " times");
            }
        } finally {
            contender.close();
        }
    }

    /** Uniform delays of 1 to 30 s, precomputed so the loop measures the timer, not the random generator. */
    static long[] churnDelays() {
        Random random = new Random(42);
        long[] delays = new long[DELAYS];
        for (int i = 0; i < DELAYS; i++) {
            delays[i] = TimeUnit.SECONDS.toNanos(1) + (long) (random.nextDouble() * TimeUnit.SECONDS.toNanos(29));
        }
        return delays;
    }

    private static long produce(TimerContender contender, int base, int ring, long[] delays, int seed, long endNs) {
        long pairs = 0;
        int position = 0;
        int next = seed;
        while (true) {
            for (int i = 0; i < PAIRS_PER_CLOCK_READ; i++) {
                int slot = base + position;
                contender.cancel(slot);
                contender.schedule(slot, delays[next & (DELAYS - 1)], FireAction.NOTHING);
                position = position + 1 == ring ? 0 : position + 1;
                next++;
            }
            pairs += PAIRS_PER_CLOCK_READ;
            if (System.nanoTime() - endNs >= 0) {
                return pairs;
            }
        }
    }
}
