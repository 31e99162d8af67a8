package dev.escapement.connection;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.CachedClock;
import dev.escapement.engine.TimerEngine;
import java.util.Arrays;
import java.util.concurrent.Executor;

/**
 * What the managers built alike share: the timer and its engine, the event type's constants, the
 * spreads and the wake-up executor. A manager holds one reference to its shape instead of a field
 * for each, which is most of what keeps it under 100 bytes; the connection registry keeps one
 * shape per distinct configuration (see {@link ConnectionRegistry#shape}).
 *
 * <p>Immutable; any thread.
 *
 * @param <E> the event type
 */
final class ManagerShape<E extends Enum<E>> {

    final GlobalTimer timer;
    final TimerEngine engine;
    final CachedClock clock;
    final ConnectionRegistry registry;
    final Class<E> eventType;
    final E[] types;
    /** Per ordinal: the largest spread, 0 for none; null when no type has one. */
    private final long[] maxSpreadNs;
    private final long spreadSeed;
    /** Runs the wake-ups; null for managers their connection drains itself. */
    final Executor wakeUpExecutor;

    ManagerShape(GlobalTimer timer, TimerEngine engine, ConnectionRegistry registry, Class<E> eventType, E[] types,
                 long[] maxSpreadNs, long spreadSeed, Executor wakeUpExecutor) {
        this.timer = timer;
        this.engine = engine;
        this.clock = timer.cachedClock();
        this.registry = registry;
        this.eventType = eventType;
        this.types = types;
        this.maxSpreadNs = maxSpreadNs;
        this.spreadSeed = spreadSeed;
        this.wakeUpExecutor = wakeUpExecutor;
    }

    /**
     * The spread offset of {@code ordinal} on {@code connectionId}: uniform in
     * {@code [0, maxSpread)}, a function of the seed, the connection and the type, so a
     * connection needs no state for it, its resets reuse it, and connections differ.
     */
    long spreadOffsetNs(long connectionId, int ordinal) {
        if (maxSpreadNs == null) {
            return 0;
        }
        long spreadNs = maxSpreadNs[ordinal];
        if (spreadNs == 0) {
            return 0;
        }
        // The bias of a remainder is below spreadNs / 2^63: nothing for any real spread.
        long bits = mix64(mix64(spreadSeed ^ mix64(connectionId)) + ordinal * 0x9e3779b97f4a7c15L);
        return (bits >>> 1) % spreadNs;
    }

    /** MurmurHash3's finalizer: nearby seeds and ids give unrelated values. */
    static long mix64(long value) {
        long z = value;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * What makes two shapes the same: the registry's cache key.
     *
     * @param spreadsNs per ordinal, or null for none
     */
    record Key(Class<?> eventType, long[] spreadsNs, boolean seeded, long seed, Executor wakeUpExecutor) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.eventType == eventType && Arrays.equals(key.spreadsNs, spreadsNs)
                    && key.seeded == seeded && key.seed == seed && key.wakeUpExecutor == wakeUpExecutor;
        }

        @Override
        public int hashCode() {
            return eventType.hashCode() * 31 + Arrays.hashCode(spreadsNs) * 17 + Long.hashCode(seed)
                    + System.identityHashCode(wakeUpExecutor);
        }

        @Override
        public String toString() {
            return "Key[" + eventType.getSimpleName() + ", spreads=" + Arrays.toString(spreadsNs)
                    + (seeded ? ", seed=" + seed : "") + ", wakeUp=" + wakeUpExecutor + "]";
        }
    }
}
