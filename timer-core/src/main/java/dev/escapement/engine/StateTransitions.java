package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.MOVING;
import static dev.escapement.engine.TimerEntry.PENDING;
import static dev.escapement.engine.TimerEntry.SEEN;
import static dev.escapement.engine.TimerEntry.isPendingStatus;
import static dev.escapement.engine.TimerEntry.minusOffer;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.plusOffer;
import static dev.escapement.engine.TimerEntry.status;

/**
 * The producers' compare-and-set steps on a timer's status word, shared by the protocols of
 * {@link TimerEngine}, {@link IdPath} and {@link BatchOps}. Any thread; each step is one
 * compare-and-set loop and takes no lock. The protocols that string them together, and what they
 * promise, are described on {@link TimerEngine}.
 */
final class StateTransitions {

    /**
     * What {@link #tryCancel} and {@link #claim} return when the entry was not pending: never a
     * word they replace, whose status is pending and so not IDLE. (Not -1: a word with the top
     * version bit set is negative.)
     */
    static final int NOT_PENDING = 0;

    private StateTransitions() {
    }

    /**
     * Puts a refused arming back to the status it had, with its offer taken back, keeping what
     * the timer thread set since.
     */
    static void restore(TimerEntry entry, int previous) {
        while (true) {
            int current = entry.state();
            int back = status(current) == PENDING
                    ? next(current, status(previous), (current & LINKED) | (previous & SEEN)) : current;
            if (entry.compareAndSetState(current, minusOffer(back))) {
                return;
            }
        }
    }

    /** An offer counted in the word was refused by the queue: take the count back. */
    static void takeBackOffer(TimerEntry entry) {
        while (true) {
            int current = entry.state();
            if (entry.compareAndSetState(current, minusOffer(current))) {
                return;
            }
        }
    }

    /**
     * Cancels a pending entry; if the timer thread holds it, counts the offer the caller must
     * then make to have it unlinked.
     *
     * @return the word the cancel replaced, or {@link #NOT_PENDING} if the entry was not pending
     */
    static int tryCancel(TimerEntry entry) {
        while (true) {
            int current = entry.state();
            if (!isPendingStatus(status(current))) {
                return NOT_PENDING;
            }
            int cancelled = next(current, CANCELLED);
            if (entry.compareAndSetState(current, (current & LINKED) != 0 ? plusOffer(cancelled) : cancelled)) {
                return current;
            }
        }
    }

    /**
     * Claims a pending entry for a move: {@code PENDING -> MOVING}, counting the offer the move
     * makes. Waits out another thread's claim, which is a few stores and one offer long.
     *
     * @return the word before the claim, or {@link #NOT_PENDING} if the entry is not pending
     */
    static int claim(TimerEntry entry) {
        for (int spins = 0; ; spins++) {
            int current = entry.state();
            int status = status(current);
            if (status == MOVING) {
                if (spins < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
                continue;
            }
            if (status != PENDING) {
                return NOT_PENDING;
            }
            if (entry.compareAndSetState(current, plusOffer(next(current, MOVING)))) {
                return current;
            }
        }
    }

    /**
     * Ends a claim: {@code MOVING -> PENDING}, MOVED (the timer joins the back of its new
     * deadline's timers, even if that is the deadline it had), keeping the offers the timer
     * thread counted meanwhile; nothing if a cancel took the entry.
     */
    static void release(TimerEntry entry) {
        while (true) {
            int current = entry.state();
            if (status(current) != MOVING
                    || entry.compareAndSetState(current, next(current, PENDING) | TimerEntry.MOVED)) {
                return;
            }
        }
    }

    /**
     * Ends a claim whose offer the queue refused: back to {@code PENDING}, its offer taken back;
     * if a cancel took the entry meanwhile, only the offer is taken back.
     */
    static void abandon(TimerEntry entry) {
        while (true) {
            int current = entry.state();
            int back = status(current) == MOVING ? next(current, PENDING) : current;
            if (entry.compareAndSetState(current, minusOffer(back))) {
                return;
            }
        }
    }
}
