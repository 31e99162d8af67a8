package dev.escapement.perf.compare;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Scenario 4, expiry: {@code n} timers whose deadlines are spread over one window (1 s) that starts
 * a lead time (3 s) after scheduling begins, in a scattered order. Measured: how long after the
 * last deadline the last timer has fired, and the expiry rate from the first deadline to the last
 * fire.
 *
 * <p>Thread-safety: run from one thread.
 */
final class ExpiryScenario {

    static final String NAME = "expiry";

    private ExpiryScenario() {
    }

    /** Counts fires; the last one records the time. */
    private static final class Counter extends FireAction {
        private final int expected;
        private final AtomicInteger fired = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile long lastFiredNs;

        Counter(int expected) {
            this.expected = expected;
        }

        @Override
        void fire() {
            if (fired.incrementAndGet() == expected) {
                lastFiredNs = System.nanoTime();
                done.countDown();
            }
        }
    }

    static void run(Options options, Supplier<TimerContender> factory, Recorder out) {
        int timers = options.integer("expiry-timers");
        long windowNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("expiry-window-ms"));
        long leadNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("expiry-lead-ms"));
        int warmups = Math.min(1, options.integer("warmups"));
        int iterations = options.integer("slow-iterations");
        double[] afterLastDeadlineMs = new double[iterations];
        double[] timersPerSecond = new double[iterations];
        double[] scheduleMs = new double[iterations];
        // A stride co-prime with n visits the deadlines in a scattered order.
        int stride = coprimeStride(timers);
        TimerContender contender = factory.get();
        contender.open(timers + 1, 1, leadNs + windowNs);
        try {
            for (int it = 0; it < warmups + iterations; it++) {
                Counter counter = new Counter(timers);
                long startNs = System.nanoTime();
                long firstDeadlineNs = startNs + leadNs;
                long lastDeadlineNs = firstDeadlineNs + windowNs;
                long position = 0;
                for (int i = 0; i < timers; i++) {
                    position = (position + stride) % timers;
                    long deadlineNs = firstDeadlineNs + windowNs * position / Math.max(1, timers - 1);
                    contender.schedule(i, deadlineNs - System.nanoTime(), counter);
                }
                long scheduledNs = System.nanoTime();
                Probes.await(counter.done, (leadNs + windowNs) / 1_000_000 + 300_000, "every expiry timer");
                if (it >= warmups) {
                    int m = it - warmups;
                    afterLastDeadlineMs[m] = (counter.lastFiredNs - lastDeadlineNs) / 1e6;
                    timersPerSecond[m] = timers * 1e9 / Math.max(1, counter.lastFiredNs - firstDeadlineNs);
                    scheduleMs[m] = (scheduledNs - startNs) / 1e6;
                    if (scheduledNs - firstDeadlineNs > 0) {
                        out.note(NAME, "scheduling took " + (scheduledNs - startNs) / 1_000_000
                                + " ms, longer than the lead time: the first deadlines passed before all timers were scheduled");
                    }
                }
            }
        } finally {
            contender.close();
        }
        String config = "timers=" + timers + ",window_ms=" + options.longValue("expiry-window-ms");
        out.result(NAME, config, "done_after_last_deadline_ms", "ms", afterLastDeadlineMs);
        out.result(NAME, config, "timers_per_s", "timers/s", timersPerSecond);
        out.result(NAME, config, "schedule_ms", "ms", scheduleMs);
    }

    static int coprimeStride(int n) {
        int stride = (int) (n * 0.618) | 1;
        while (n > 1 && gcd(stride, n) != 1) {
            stride += 2;
        }
        return Math.max(1, stride);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
