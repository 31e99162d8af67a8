package dev.escapement.perf.compare;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every {@link IdleTimeouts} strategy shares: the count of idle events it raised.
 *
 * <p>Thread-safety: the count may be raised from any thread.
 */
abstract class CountingIdleTimeouts implements IdleTimeouts {

    private final LongAdder idleEvents = new LongAdder();

    /** An idle timeout expired. Any thread. */
    final void idleEvent() {
        idleEvents.increment();
    }

    @Override
    public final long idleEvents() {
        return idleEvents.sum();
    }
}
