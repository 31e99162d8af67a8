package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.IDLE;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.isPendingStatus;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.status;

import dev.escapement.TimerExpiryHandler;
import java.util.concurrent.RejectedExecutionException;

/**
 * The primitive, id-based path: timers named by a {@code long} (an index into the {@link IdPool}
 * and a generation), scheduled, cancelled and postponed with the engine's own steps. An id is
 * checked against its entry's current generation under the entry's state word, so a stale id
 * never touches the entry's next timer. Handle ids (negative) are refused by name.
 *
 * <p>Thread-safety: any thread.
 */
public final class IdPath {

    final IdPool pool = new IdPool();
    private final TimerEngine engine;

    IdPath(TimerEngine engine) {
        this.engine = engine;
    }

    /**
     * Schedules a pooled entry on the id path.
     *
     * @return its id
     */
    public long scheduleId(TimerExpiryHandler handler, long deadlineNs, long nowNs) {
        IdEntry entry = pool.take();
        if (entry == null) {
            throw engine.reject("pending timers bound reached: the id path holds " + IdPool.MAX_ENTRIES + " timers at most");
        }
        entry.handler = handler;
        try {
            engine.schedule(entry, deadlineNs, nowNs);
        } catch (RuntimeException refused) {
            if (status(entry.state()) == IDLE) {
                entry.handler = null;
                pool.giveBack(entry);
            }
            throw refused;
        }
        return entry.id;
    }

    /** @return the id path's entry {@code id} names, if the id is current; else null */
    IdEntry current(long id) {
        checkNotHandleId(id);
        IdEntry entry = pool.lookup(id);
        if (entry == null) {
            return null;
        }
        // The word first: a retired entry changes its id before its word says IDLE.
        int state = entry.state();
        return entry.id == id && isPendingStatus(status(state)) ? entry : null;
    }

    public boolean cancelId(long id) {
        IdEntry entry = current(id);
        // A cancel of a later timer in the same entry fails: its word changed when the entry was
        // retired, and the version in it makes the compare-and-set see that.
        return entry != null && cancelIfId(entry, id);
    }

    private boolean cancelIfId(IdEntry entry, long id) {
        int previous = tryCancelId(entry, id);
        if (previous < 0) {
            return false;
        }
        if ((previous & LINKED) != 0) {
            engine.queue.offer(entry, Long.MAX_VALUE, engine.cachedNowNs(), false);
        }
        return true;
    }

    /** As {@link #tryCancel}, for the timer {@code id} names in its pooled entry. */
    static int tryCancelId(IdEntry entry, long id) {
        while (true) {
            int current = entry.state();
            if (entry.id != id || !isPendingStatus(status(current))) {
                return -1;
            }
            if (entry.compareAndSetState(current, next(current, CANCELLED))) {
                return current;
            }
        }
    }

    public boolean postponeId(long id, long deadlineNs, long nowNs) {
        IdEntry entry = current(id);
        if (entry == null) {
            return false;
        }
        int claimed = TimerEngine.claim(entry);
        if (claimed < 0) {
            return false;
        }
        if (entry.id != id) {
            // Retired and reused between the lookup and the claim: not ours to move.
            TimerEngine.release(entry, claimed);
            return false;
        }
        long previousNs = entry.requestedNs;
        entry.requestedNs = deadlineNs;
        if (!engine.queue.offer(entry, deadlineNs, nowNs, true)) {
            entry.requestedNs = previousNs;
            TimerEngine.release(entry, claimed);
            throw new RejectedExecutionException("command queue full: commandQueueCapacity=" + engine.queue.capacity());
        }
        TimerEngine.release(entry, claimed);
        return true;
    }

    public boolean isPendingId(long id) {
        return current(id) != null;
    }

    /** Ids of handles are negative; the id path refuses them by name. */
    private static void checkNotHandleId(long id) {
        if (id < 0) {
            throw new IllegalArgumentException("timer id " + id
                    + " belongs to a TimerHandle: cancel or postpone it through the handle");
        }
    }
}
