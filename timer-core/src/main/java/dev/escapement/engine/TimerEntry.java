package dev.escapement.engine;

import dev.escapement.wheel.WheelNode;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A timer as the engine sees it: a node of the owner's {@link dev.escapement.wheel.TimingWheel},
 * the command that carries it to the timer thread, and the one status word that every thread
 * agrees on. Handles, the id path's pooled entries, per-connection managers and the Netty
 * adapter's timeouts all extend this class, so a pending timer is one object.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>{@link #state} changes only by compare-and-set: a cancel racing an expiry, or a postpone
 *       racing an expiry, has exactly one winner.</li>
 *   <li>{@link #requestedNs}, the deadline users asked for, is written by a producer before the
 *       entry is handed to the timer thread, or under a {@link #MOVING} claim; the timer thread
 *       writes it only while it alone may ({@link #RUNNING}, between periodic runs). Readers take
 *       the state first: a deadline read under an unchanged state word is the deadline.</li>
 *   <li>The {@link WheelNode} fields (where the entry is linked) belong to the timer thread.</li>
 *   <li>The transitions themselves are in {@link TimerEngine} and {@link StateTransitions}
 *       (producers) and {@link GlobalTimerTask} (the timer thread); this class only holds the
 *       word.</li>
 * </ul>
 *
 * <h2>The state word</h2>
 * <pre>
 *   bits 0-2  status   IDLE, PENDING, MOVING, RUNNING, FIRED, DONE, FAILED, CANCELLED
 *   bit  3    LINKED   the timer thread holds the entry (in the wheel, or set aside for a pass)
 *   bit  4    SEEN     the timer thread has counted this arming of the entry
 *   bit  5    MOVED    a postpone moved the timer since the timer thread last placed it
 *   bits 6-10 OFFERS   how many of the entry's offers are in the queue (0-31; 31 means "31 or more")
 *   bits 11-15 owner   five flags the entry's owner keeps here (a connection's inbox, closed,
 *                      draining, ...); the engine carries them through every transition, never reads them
 *   bits 16-31 version bumped by every transition, so a word read twice unchanged was unchanged
 *
 *   IDLE -> PENDING                  schedule (a reusable entry also from FIRED, DONE, FAILED, CANCELLED)
 *   PENDING -> MOVING -> PENDING     postpone (the claim keeps others from firing or moving it)
 *   PENDING -> RUNNING -> PENDING    a periodic run
 *   PENDING | RUNNING -> FIRED       expiry for good (a periodic timer's last run)
 *   FIRED -> DONE | FAILED           a handle's task completed
 *   PENDING | MOVING | RUNNING -> CANCELLED
 * </pre>
 * A cancel learns from the word it replaced whether the timer thread holds the entry; only then
 * does it ask for an unlink. A timer cancelled before the timer thread saw it costs that thread
 * one read of this word.
 *
 * <p>Whoever offers an entry counts the offer in OFFERS in the same compare-and-set that changes
 * its status (and takes it back if the queue refuses the offer); the timer thread counts each one
 * it applies. So it places a timer where its last offer stands in the queue, the call that last
 * gave it its deadline: an earlier offer still in the queue (a schedule, then a postpone, before
 * a pass; a cancelled entry's offer, then its reuse) finds more to come and waits for it. (Past 31
 * offers of one timer in the queue at once, the count is held there and the timer is placed at the
 * 31st from the last.)
 */
public abstract non-sealed class TimerEntry extends WheelNode implements Command {

    static final int IDLE = 0;
    static final int PENDING = 1;
    static final int MOVING = 2;
    static final int RUNNING = 3;
    static final int FIRED = 4;
    static final int DONE = 5;
    static final int FAILED = 6;
    static final int CANCELLED = 7;
    static final int STATUS_MASK = 0b111;
    static final int LINKED = 1 << 3;
    static final int SEEN = 1 << 4;
    static final int MOVED = 1 << 5;
    static final int FLAGS = LINKED | SEEN;
    static final int OFFER = 1 << 6;
    static final int OFFERS_MASK = 31 * OFFER;
    /** The first of the owner's flags; see {@link #raiseOwnerFlag}. */
    protected static final int OWNER_FLAG_A = 1 << 11;
    /** The second of the owner's flags. */
    protected static final int OWNER_FLAG_B = 1 << 12;
    /** The third of the owner's flags. */
    protected static final int OWNER_FLAG_C = 1 << 13;
    /** The fourth of the owner's flags. */
    protected static final int OWNER_FLAG_D = 1 << 14;
    /** The fifth of the owner's flags. */
    protected static final int OWNER_FLAG_E = 1 << 15;
    static final int VERSION = 1 << 16;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TimerEntry.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    /** The deadline asked for, in nanoseconds since the engine's origin; see the ground rules. */
    long requestedNs;

    /** For subclasses; the entry starts {@code IDLE}. */
    protected TimerEntry() {
    }

    // ------------------------------------------------------------------ the word

    final int state() {
        return state;
    }

    /** Before the entry is shared with any other thread: a plain store, ordered by the offer. */
    final void initState(int value) {
        STATE.set(this, value);
    }

    final boolean compareAndSetState(int expected, int value) {
        return STATE.compareAndSet(this, expected, value);
    }

    static int status(int state) {
        return state & STATUS_MASK;
    }

    /** {@code status} with the flags of {@code previous} and its version bumped. */
    static int next(int previous, int status) {
        return ((previous + VERSION) & ~(STATUS_MASK)) | status;
    }

    /** As {@link #next(int, int)} with other {@link #FLAGS} ({@link #MOVED} and the offers are kept). */
    static int next(int previous, int status, int flags) {
        return ((previous + VERSION) & ~(STATUS_MASK | FLAGS)) | flags | status;
    }

    /** @return how many offers of the entry are in the queue (31 means 31 or more) */
    static int offers(int state) {
        return (state & OFFERS_MASK) >>> 6;
    }

    /** {@code state} with one more offer in the queue (held at 31). */
    static int plusOffer(int state) {
        return (state & OFFERS_MASK) == OFFERS_MASK ? state : state + OFFER;
    }

    /** {@code state} with one offer fewer in the queue (never below 0). */
    static int minusOffer(int state) {
        return (state & OFFERS_MASK) == 0 ? state : state - OFFER;
    }

    static boolean isPendingStatus(int status) {
        return status == PENDING || status == MOVING || status == RUNNING;
    }

    // ------------------------------------------------------------------ the owner's flags

    /**
     * Raises one of the owner's flags ({@link #OWNER_FLAG_A} to {@code _E}), kept in
     * the status word so that an owner needs no field of its own for them; the engine carries
     * them through its transitions and never reads them. Any thread.
     *
     * @return true if this call raised it (it was down)
     */
    protected final boolean raiseOwnerFlag(int flag) {
        while (true) {
            int current = state;
            if ((current & flag) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, current, current | flag)) {
                return true;
            }
        }
    }

    /**
     * Lowers one of the owner's flags. Any thread.
     *
     * @return true if this call lowered it (it was up)
     */
    protected final boolean lowerOwnerFlag(int flag) {
        while (true) {
            int current = state;
            if ((current & flag) == 0) {
                return false;
            }
            if (STATE.compareAndSet(this, current, current & ~flag)) {
                return true;
            }
        }
    }

    /** @return true if the owner's {@code flag} is up. Any thread; one volatile read */
    protected final boolean hasOwnerFlag(int flag) {
        return (state & flag) != 0;
    }

    // ------------------------------------------------------------------ queries any thread may make

    /** @return true while the timer has neither fired for good nor been cancelled */
    protected final boolean isPendingEntry() {
        return isPendingStatus(status(state));
    }

    /** @return true once the timer was cancelled (until it is armed again, for a reusable entry) */
    protected final boolean isCancelledEntry() {
        return status(state) == CANCELLED;
    }

    /** @return true once the timer fired for good (its work may still be running) */
    protected final boolean isExpiredEntry() {
        int status = status(state);
        return status == FIRED || status == DONE || status == FAILED;
    }

    /**
     * The deadline asked for, as nanoseconds since the engine's origin. For a periodic timer, the
     * next run's. Any thread; a deadline read during a postpone is the old or the new one.
     *
     * @return the deadline
     */
    protected final long requestedDeadlineNs() {
        return requestedNs;
    }

    // ------------------------------------------------------------------ the timer thread's hooks

    /**
     * The timer has fired for good: its status is already {@code FIRED}, so no cancel can win any
     * more. Called on the timer thread; must not block. The engine catches and counts what it
     * throws.
     *
     * @param engine the engine that fired it
     * @param nowNs  the timer thread's clock reading for this pass, in the engine's nanoseconds
     */
    protected abstract void expired(TimerEngine engine, long nowNs);

    /**
     * The timer thread cancelled the timer itself, for {@link TimerEngine#stop()} or a
     * {@code cancelMatching} walk (a user's cancel is the caller's to report). Called on the timer
     * thread, or on the thread that stops an engine without one. Default: nothing.
     */
    protected void cancelledByTimer() {
    }

    /**
     * Whether the entry may be armed again after it fired or was cancelled (the id path's pooled
     * entries, a connection's manager). A one-shot entry is offered once per arming and never
     * again, so the timer thread need not mark one it finds cancelled before it saw it.
     */
    protected boolean isReusable() {
        return true;
    }

    /**
     * The callback executor refused this timer's work, handed over by
     * {@link TimerEngine#dispatch}; the refusal is already counted and logged. Default: nothing.
     *
     * @param failure what the executor threw
     */
    protected void refused(Throwable failure) {
    }

    /** Periodic timers override this; the engine calls it instead of {@link #expired} for each run. */
    boolean isPeriodic() {
        return false;
    }

    static String statusName(int state) {
        return switch (status(state)) {
            case IDLE -> "IDLE";
            case PENDING -> "PENDING";
            case MOVING -> "MOVING";
            case RUNNING -> "RUNNING";
            case FIRED -> "FIRED";
            case DONE -> "DONE";
            case FAILED -> "FAILED";
            default -> "CANCELLED";
        };
    }
}
