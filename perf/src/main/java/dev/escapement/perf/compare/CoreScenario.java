package dev.escapement.perf.compare;

import dev.escapement.wheel.TimingWheel;
import dev.escapement.wheel.WheelNode;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;

/**
 * Scenario 7, the single-thread core: Escapement's {@link TimingWheel} alone against Agrona's
 * {@link DeadlineTimerWheel} (sized for the population, {@link AgronaWheels}), on one thread, no
 * clock, no queue. A background population with delays of 1-30 s (exact nanosecond deadlines in
 * both; Escapement's slots are 1 ms ticks; each background timer with its own random delay)
 * stays pending while schedule+cancel pairs cycle through a ring of {@value #RING} timers.
 * Escapement's wheel is intrusive, so its timers are node objects made up front and reused.
 *
 * <p>Thread-safety: run from one thread.
 */
final class CoreScenario {

    static final String NAME = "core";
    static final int RING = 256;
    private static final int DELAYS = 1 << 12;
    private static final int PAIRS_PER_CLOCK_READ = 1024;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private CoreScenario() {
    }

    /** The two wheels behind one face; only one implementation is loaded per process. */
    interface Wheel {
        long schedule(long delayNs);

        void cancel(long id);
    }

    static Wheel escapement(int population) {
        TimingWheel wheel = new TimingWheel(TimingWheel.DEFAULT_SLOTS_PER_LEVEL, TICK_NS, 0);
        // An intrusive wheel: the timers are the caller's objects, made once and reused, as a
        // connection reuses its own entry. Ids here are indices into them, kept on a free stack.
        Node[] nodes = new Node[population];
        int[] free = new int[population];
        for (int i = 0; i < population; i++) {
            nodes[i] = new Node();
            free[i] = population - 1 - i;
        }
        return new Wheel() {
            private int freeCount = population;

            @Override
            public long schedule(long delayNs) {
                int index = free[--freeCount];
                wheel.insert(nodes[index], delayNs);
                return index;
            }

            @Override
            public void cancel(long id) {
                wheel.remove(nodes[(int) id]);
                free[freeCount++] = (int) id;
            }
        };
    }

    /** A timer of the single-thread scenario: nothing but its place in the wheel. */
    private static final class Node extends WheelNode {
    }

    static Wheel agrona(int population) {
        DeadlineTimerWheel wheel = AgronaWheels.sizedFor(population, TimeUnit.SECONDS.toNanos(30), 0);
        return new Wheel() {
            @Override
            public long schedule(long delayNs) {
                return wheel.scheduleTimer(delayNs);
            }

            @Override
            public void cancel(long id) {
                wheel.cancelTimer(id);
            }
        };
    }

    /** Uniform from 1 to 30 s. */
    private static long randomDelayNs(Random random) {
        return TimeUnit.SECONDS.toNanos(1) + (long) (random.nextDouble() * TimeUnit.SECONDS.toNanos(29));
    }

    static void run(Options options, java.util.function.IntFunction<Wheel> factory, Recorder out) {
        Random random = new Random(42);
        long[] delaysNs = new long[DELAYS];
        for (int i = 0; i < DELAYS; i++) {
            delaysNs[i] = randomDelayNs(random);
        }
        int warmups = options.integer("warmups");
        int iterations = options.integer("iterations");
        long iterationNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("iteration-ms"));
        for (int pending : options.integers("core-pending")) {
            Wheel wheel = factory.apply(pending + RING);
            // Every background timer draws its own delay, so the population covers the spokes evenly.
            for (int i = 0; i < pending; i++) {
                wheel.schedule(randomDelayNs(random));
            }
            long[] ring = new long[RING];
            for (int i = 0; i < RING; i++) {
                ring[i] = wheel.schedule(delaysNs[(i * 7) & (DELAYS - 1)]);
            }
            double[] pairsPerSecond = new double[iterations];
            int next = 0;
            for (int it = 0; it < warmups + iterations; it++) {
                long pairs = 0;
                long startNs = System.nanoTime();
                long endNs = startNs + iterationNs;
                long nowNs;
                do {
                    for (int i = 0; i < PAIRS_PER_CLOCK_READ; i++) {
                        int position = next & (RING - 1);
                        wheel.cancel(ring[position]);
                        ring[position] = wheel.schedule(delaysNs[next & (DELAYS - 1)]);
                        next++;
                    }
                    pairs += PAIRS_PER_CLOCK_READ;
                    nowNs = System.nanoTime();
                } while (nowNs - endNs < 0);
                if (it >= warmups) {
                    pairsPerSecond[it - warmups] = pairs * 1e9 / (nowNs - startNs);
                }
            }
            out.result(NAME, "pending=" + pending, "pairs_per_s", "pairs/s", pairsPerSecond);
        }
    }
}
