package dev.escapement.perf.compare;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 2, memory: retained heap bytes per pending timer. A fresh timer holds {@code n} timers
 * an hour or two out (a shared action, so only the timer's own objects count); the heap in use
 * after full collections is compared with the same figure taken before scheduling, after the
 * contender and its slot array were created, so the array the scenario keeps handles in is not
 * charged to anyone.
 *
 * <p>Thread-safety: run from one thread.
 */
final class MemoryScenario {

    static final String NAME = "memory";
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    private MemoryScenario() {
    }

    static void run(Options options, Supplier<TimerContender> factory, Recorder out) {
        int timers = options.integer("memory-timers");
        int iterations = options.integer("memory-iterations");
        double[] bytesPerTimer = new double[iterations];
        for (int it = 0; it < iterations; it++) {
            TimerContender contender = factory.get();
            contender.open(timers + 1, 1, 2 * HOUR_NS);
            try {
                // Lazily started threads and lazily built structures exist before the baseline.
                Probes.awaitCaughtUp(contender, timers, 60_000);
                long beforeBytes = Probes.usedHeapAfterGc();
                for (int i = 0; i < timers; i++) {
                    contender.schedule(i, HOUR_NS + (HOUR_NS / timers) * i, FireAction.NOTHING);
                }
                Probes.awaitCaughtUp(contender, timers, 300_000);
                long afterBytes = Probes.usedHeapAfterGc();
                bytesPerTimer[it] = (double) (afterBytes - beforeBytes) / timers;
            } finally {
                contender.close();
            }
        }
        out.result(NAME, "pending=" + timers, "bytes_per_timer", "bytes", bytesPerTimer);
    }
}
