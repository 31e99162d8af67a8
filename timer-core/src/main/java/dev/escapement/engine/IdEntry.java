package dev.escapement.engine;

import dev.escapement.TimerExpiryHandler;

/**
 * A pooled entry of the primitive, id-based path: reused from timer to timer, so scheduling on
 * that path allocates nothing once the pool has grown to the population. Its id is its index in
 * the pool and a generation that changes every time the entry is reused, so a stale id never
 * touches the entry's next timer.
 *
 * <p>Thread-safety: as {@link TimerEntry}. {@link #id} is written by whoever retires the entry
 * (the timer thread when the timer is over, or a canceller that took it back before the timer
 * thread saw it), while the state word says the timer is over and before the entry is handed on;
 * {@link #handler} by the producer that takes the entry, before it is offered. {@link #nextFree}
 * belongs to whoever holds the entry while it is free.
 */
final class IdEntry extends TimerEntry {

    /** The generation's unit in an id: the low 32 bits are the index. */
    static final long GENERATION = 1L << 32;
    static final long INDEX_MASK = GENERATION - 1;

    final int index;
    long id;
    TimerExpiryHandler handler;
    IdEntry nextFree;

    IdEntry(int index) {
        this.index = index;
        this.id = GENERATION | index;
    }

    @Override
    protected void expired(TimerEngine engine, long nowNs) {
        handler.onTimerExpiry(id, engine.absoluteNs(nowNs));
    }

    /** The entry's timer is over (its word says so); the next one gets the next generation. */
    void retire() {
        long generation = (id >>> 32) + 1;
        id = ((generation & 0x7FFF_FFFFL) == 0 ? 1 : generation & 0x7FFF_FFFFL) << 32 | index;
        handler = null;
    }

    @Override
    public String toString() {
        return "IdTimer[id=" + id + ", " + statusName(state()) + "]";
    }
}
