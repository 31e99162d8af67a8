package dev.escapement.perf.compare;

import java.util.concurrent.TimeUnit;
import org.agrona.BitUtil;
import org.agrona.DeadlineTimerWheel;

/**
 * How Agrona's {@link DeadlineTimerWheel} is sized for a population, the same way wherever it is
 * used. The wheel is one level of spokes, each an array that doubles when full, so a fair size
 * covers the longest delay with one turn of the wheel (no timer is looked at on turns before its
 * own) and gives each spoke room for twice its expected share, so scheduling finds a free entry
 * after a short scan and the wheel rarely grows while measured.
 *
 * <p>Thread-safety: stateless.
 */
final class AgronaWheels {

    /** 2^20 ns (1.05 ms): the power-of-two resolution closest to a 1 ms tick. */
    static final long TICK_RESOLUTION_NS = 1L << 20;
    private static final int MIN_TICKS_PER_WHEEL = 256;
    private static final int MAX_TICKS_PER_WHEEL = 1 << 17;
    private static final int MIN_TICK_ALLOCATION = 16;

    private AgronaWheels() {
    }

    /**
     * @param population the most timers expected at once
     * @param maxDelayNs the longest delay expected
     * @param startNs    the wheel's start time
     * @return a wheel sized for that population
     */
    static DeadlineTimerWheel sizedFor(long population, long maxDelayNs, long startNs) {
        long span = Math.max(1, maxDelayNs / TICK_RESOLUTION_NS + 1);
        int ticksPerWheel = (int) Math.min(MAX_TICKS_PER_WHEEL, Math.max(MIN_TICKS_PER_WHEEL, BitUtil.findNextPositivePowerOfTwo(span)));
        // The deadlines fill at most as many spokes as the delay span covers.
        long usedSpokes = Math.max(1, Math.min(ticksPerWheel, span));
        long perSpoke = (2 * population + usedSpokes - 1) / usedSpokes;
        int tickAllocation = (int) Math.max(MIN_TICK_ALLOCATION,
                BitUtil.findNextPositivePowerOfTwo(Math.min(perSpoke, (1 << 30) / ticksPerWheel)));
        return new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_RESOLUTION_NS, ticksPerWheel, tickAllocation);
    }
}
