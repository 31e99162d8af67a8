package dev.escapement.perf.compare;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 3, lateness: {@code n} timers with random delays up to a maximum (2 s by default) are
 * scheduled from one thread as fast as it goes; each records its fire time minus its deadline,
 * where the deadline is taken <em>before</em> the schedule call (so time spent inside
 * {@code schedule} counts as lateness, never as earliness). Negative values are early fires and
 * are counted.
 *
 * <p>Thread-safety: run from one thread; the probes write disjoint array elements on the timer
 * thread, read after the latch.
 */
final class LatenessScenario {

    static final String NAME = "lateness";

    private LatenessScenario() {
    }

    /** One timer's probe: records its own lateness. */
    private static final class Probe extends FireAction {
        private final int index;
        private final long deadlineNs;
        private final long[] latenessNs;
        private final CountDownLatch remaining;

        Probe(int index, long deadlineNs, long[] latenessNs, CountDownLatch remaining) {
            this.index = index;
            this.deadlineNs = deadlineNs;
            this.latenessNs = latenessNs;
            this.remaining = remaining;
        }

        @Override
        void fire() {
            latenessNs[index] = System.nanoTime() - deadlineNs;
            remaining.countDown();
        }
    }

    static void run(Options options, Supplier<TimerContender> factory, Recorder out) {
        int timers = options.integer("lateness-timers");
        long maxDelayNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("lateness-max-delay-ms"));
        int warmups = Math.min(1, options.integer("warmups"));
        int iterations = options.integer("slow-iterations");
        double[][] figures = new double[6][iterations];
        TimerContender contender = factory.get();
        contender.open(timers, 1, maxDelayNs);
        try {
            Random random = new Random(11);
            for (int it = 0; it < warmups + iterations; it++) {
                long[] latenessNs = new long[timers];
                CountDownLatch remaining = new CountDownLatch(timers);
                for (int i = 0; i < timers; i++) {
                    long delayNs = (long) (random.nextDouble() * maxDelayNs);
                    long deadlineNs = System.nanoTime() + delayNs;
                    contender.schedule(i, delayNs, new Probe(i, deadlineNs, latenessNs, remaining));
                }
                Probes.await(remaining, maxDelayNs / 1_000_000 + 120_000, "every lateness timer");
                if (it >= warmups) {
                    int m = it - warmups;
                    long early = Arrays.stream(latenessNs).filter(l -> l < 0).count();
                    Arrays.sort(latenessNs);
                    figures[0][m] = percentile(latenessNs, 0.50) / 1e3;
                    figures[1][m] = percentile(latenessNs, 0.99) / 1e3;
                    figures[2][m] = percentile(latenessNs, 0.999) / 1e3;
                    figures[3][m] = latenessNs[timers - 1] / 1e3;
                    figures[4][m] = early;
                    figures[5][m] = latenessNs[0] / 1e3;
                }
            }
        } finally {
            contender.close();
        }
        String config = "timers=" + timers + ",max_delay_ms=" + options.longValue("lateness-max-delay-ms");
        out.result(NAME, config, "p50_us", "µs", figures[0]);
        out.result(NAME, config, "p99_us", "µs", figures[1]);
        out.result(NAME, config, "p999_us", "µs", figures[2]);
        out.result(NAME, config, "max_us", "µs", figures[3]);
        out.result(NAME, config, "early_fires", "timers", figures[4]);
        out.result(NAME, config, "min_us", "µs", figures[5]);
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double fraction) {
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
