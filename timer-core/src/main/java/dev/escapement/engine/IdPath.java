package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.IDLE;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.PENDING;
import static dev.escapement.engine.TimerEntry.SEEN;
import static dev.escapement.engine.TimerEntry.STATUS_MASK;
import static dev.escapement.engine.TimerEntry.isPendingStatus;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.offers;
import static dev.escapement.engine.TimerEntry.plusOffer;
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

    /**
     * An entry whose offers pile up in the queue (cancelled and reused again and again before a
     * pass) is cancelled the ordinary way instead of recalled, so its count stays exact.
     */
    private static final int RECALL_OFFERS = 8;

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
        // Read before the offer: a timer due at once may fire, and its entry be retired for the
        // next timer, before this call returns.
        long id = entry.id;
        try {
            engine.schedule(entry, deadlineNs, nowNs);
        } catch (RuntimeException refused) {
            if (status(entry.state()) == IDLE) {
                entry.handler = null;
                pool.giveBack(entry);
            }
            throw refused;
        }
        return id;
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

    /**
     * Cancels the timer {@code id} names. A timer the timer thread has not seen yet goes straight
     * back to this thread's pool: its command, when it comes up, finds the entry idle (or armed
     * for a later timer, which it links as that timer's own command would), so the timer thread
     * neither writes to it nor counts it (the pool counts it for the statistics). A cancel of a
     * later timer in the same entry fails: the entry's word changed when it was retired, and the
     * version in it makes the compare-and-set see that.
     */
    public boolean cancelId(long id) {
        IdEntry entry = current(id);
        if (entry == null) {
            return false;
        }
        while (true) {
            int current = entry.state();
            if (entry.id != id || !isPendingStatus(status(current))) {
                return false;
            }
            if ((current & (LINKED | SEEN | STATUS_MASK)) == PENDING && offers(current) < RECALL_OFFERS) {
                // Its offer stays counted: the timer thread still meets it, and a reuse waits for it.
                if (entry.compareAndSetState(current, next(current, IDLE, 0))) {
                    entry.retire();
                    pool.recall(entry);
                    return true;
                }
            } else if (entry.compareAndSetState(current, cancelled(current))) {
                if ((current & LINKED) != 0
                        && !engine.queue.offer(entry, Long.MAX_VALUE, engine.cachedNowNs(), false, false)) {
                    // The queue is full: the entry is dropped when its deadline comes up instead.
                    StateTransitions.takeBackOffer(entry);
                }
                return true;
            }
        }
    }

    /** The cancelled word; an entry the timer thread holds counts the unlink offer to come. */
    private static int cancelled(int current) {
        int cancelled = next(current, CANCELLED);
        return (current & LINKED) != 0 ? plusOffer(cancelled) : cancelled;
    }

    /** As {@link TimerEngine#tryCancel}, for the timer {@code id} names in its pooled entry. */
    static int tryCancelId(IdEntry entry, long id) {
        while (true) {
            int current = entry.state();
            if (entry.id != id || !isPendingStatus(status(current))) {
                return StateTransitions.NOT_PENDING;
            }
            if (entry.compareAndSetState(current, cancelled(current))) {
                return current;
            }
        }
    }

    public boolean postponeId(long id, long deadlineNs, long nowNs) {
        IdEntry entry = current(id);
        if (entry == null) {
            return false;
        }
        int before = StateTransitions.claim(entry);
        if (before == StateTransitions.NOT_PENDING) {
            return false;
        }
        if (entry.id != id) {
            // Retired and reused between the lookup and the claim: not ours to move.
            StateTransitions.abandon(entry);
            return false;
        }
        long previousNs = entry.requestedNs;
        entry.requestedNs = deadlineNs;
        if (!engine.queue.offer(entry, deadlineNs, nowNs, true, false)) {
            entry.requestedNs = previousNs;
            StateTransitions.abandon(entry);
            throw new RejectedExecutionException("command queue full: commandQueueCapacity=" + engine.queue.capacity());
        }
        StateTransitions.release(entry);
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
