package dev.escapement;

/**
 * A pooled command for timers scheduled on the primitive, id-based path, which has no handle
 * object to carry it. Borrowed from and returned to the {@link CommandProxy}'s pool, so the id
 * path allocates nothing in steady state.
 *
 * <p>Thread-safety: owned by one thread at a time; ownership passes through the command queue
 * (producer to timer thread) and the pool (timer thread back to producers).
 */
final class TimerCommand {

    /** Place an allocated, pending entry in the wheel at {@link #deadlineTick}. */
    static final int LINK = 1;
    /** Free an entry that was cancelled. */
    static final int RECLAIM = 2;
    /** Move an entry claimed by a postpone to {@link #deadlineTick}. */
    static final int MOVE = 3;

    int op;
    long timerId;
    long deadlineTick;
    TimerExpiryHandler handler;

    TimerCommand set(int op, long timerId) {
        this.op = op;
        this.timerId = timerId;
        return this;
    }

    TimerCommand link(long timerId, long deadlineTick, TimerExpiryHandler handler) {
        this.op = LINK;
        this.timerId = timerId;
        this.deadlineTick = deadlineTick;
        this.handler = handler;
        return this;
    }

    TimerCommand move(long timerId, long deadlineTick) {
        this.op = MOVE;
        this.timerId = timerId;
        this.deadlineTick = deadlineTick;
        return this;
    }

    void clear() {
        op = 0;
        timerId = 0;
        deadlineTick = 0;
        handler = null;
    }
}
