package dev.escapement.connection;

import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerStats;
import java.util.Arrays;
import java.util.Objects;

/**
 * A connection's typed timeouts: at most one deadline per enum constant, indexed by ordinal, the
 * first four in fields and any further ones in an array the subclass keeps. A type is active
 * exactly when its deadline is not {@link TimeoutLayer#NO_DEADLINE} (no real deadline equals it),
 * so there is no separate set of active types. Setting a deadline is a field write plus one call to
 * {@link #timeoutsChanged}. {@link Layer} is their {@link TimeoutLayer} view, the one a
 * {@link dev.escapement.unified.UnifiedTimeoutScheduler} holds.
 *
 * <p>The {@link TimerManager} extends this class rather than holding an instance, so that a reset
 * reads one object (see {@code docs/design-decisions.md}, C12). What every connection of one
 * configuration shares (the enum's constants, the spreads) is not kept here but asked of the
 * subclass, which holds it once per configuration. The methods are named so that they do not
 * collide with the manager's public ones.
 *
 * <p>Not thread-safe: confined to the connection's thread. It extends {@link TimerEntry} only so
 * that the manager can be its own wheel entry; typed timeouts alone are never scheduled.
 *
 * @param <E> the event type, at most {@value #MAX_TYPES} constants
 */
abstract class TypedTimeouts<E extends Enum<E>> extends TimerEntry {

    /** The most constants an event type may have. */
    static final int MAX_TYPES = Long.SIZE;

    static final String LAYER_NAME = "typed";

    /** How many types keep their deadline in a field rather than in an array. */
    static final int INLINE_TYPES = 4;

    private static final long NONE = TimeoutLayer.NO_DEADLINE;

    /**
     * One result per thread, refilled by each check on it: a connection's thread drains many
     * connections one after another, so a result per connection would be memory for nothing.
     */
    private static final ThreadLocal<TimeoutCheckResult> RESULTS = ThreadLocal.withInitial(TimeoutCheckResult::new);

    // The deadlines of the first INLINE_TYPES ordinals live in fields, so that a reset of a
    // TimeoutEvent reads no array: one cache line fewer on the per-packet path.
    private long deadline0Ns = NONE;
    private long deadline1Ns = NONE;
    private long deadline2Ns = NONE;
    private long deadline3Ns = NONE;

    /**
     * @param types the event type's constants
     * @return the array a subclass keeps for the deadlines beyond the inline fields, every one
     *         NO_DEADLINE; null when the fields hold them all
     */
    static long[] newMoreDeadlines(Enum<?>[] types) {
        if (types.length <= INLINE_TYPES) {
            return null;
        }
        long[] moreDeadlinesNs = new long[types.length - INLINE_TYPES];
        Arrays.fill(moreDeadlinesNs, NONE);
        return moreDeadlinesNs;
    }

    /** @return the event type's constants, shared by every connection of the type */
    abstract E[] timeoutTypes();

    /** @return the deadlines of ordinals from {@link #INLINE_TYPES} on, filled with NO_DEADLINE; null when there are none */
    abstract long[] moreDeadlinesNs();

    /** @return the spread offset of {@code ordinal}: 0, or the same for every registration of it */
    abstract long spreadOffsetNs(int ordinal);

    /** A deadline was set ({@code deadlineNs}) or removed ({@link TimeoutLayer#NO_DEADLINE}). */
    abstract void timeoutsChanged(long deadlineNs);

    /** A {@link #moveTimeout} moved an active timeout: for counters, if any. */
    abstract void timeoutReset();

    /**
     * Sets the deadline of {@code type} to {@code delayNs} (plus its spread) after {@code nowNs},
     * replacing any deadline it had.
     *
     * @return the deadline
     */
    final long setTimeout(E type, long nowNs, long delayNs) {
        int ordinal = type.ordinal();
        return set(ordinal, nowNs, delayNs + spreadOffsetNs(ordinal));
    }

    /**
     * Moves the deadline of an active {@code type} to {@code delayNs} (plus its spread) after
     * {@code nowNs}.
     *
     * @return false, doing nothing, if {@code type} is not active
     */
    final boolean moveTimeout(E type, long nowNs, long delayNs) {
        int ordinal = type.ordinal();
        if (deadlineOf(ordinal) == NONE) {
            return false;
        }
        set(ordinal, nowNs, delayNs + spreadOffsetNs(ordinal));
        timeoutReset();
        return true;
    }

    private long set(int ordinal, long nowNs, long totalNs) {
        // A delay plus a spread past Long.MAX_VALUE is held there (deadlineAfter holds it further).
        long deadlineNs = TimeoutLayer.deadlineAfter(nowNs, totalNs < 0 ? Long.MAX_VALUE : totalNs);
        setDeadline(ordinal, deadlineNs);
        timeoutsChanged(deadlineNs);
        return deadlineNs;
    }

    /** @return true if {@code type} was active */
    final boolean removeTimeout(E type) {
        int ordinal = type.ordinal();
        if (deadlineOf(ordinal) == NONE) {
            return false;
        }
        setDeadline(ordinal, NONE);
        timeoutsChanged(NONE);
        return true;
    }

    /** @return how many timeouts were active */
    final int removeAllTimeouts() {
        int cancelled = 0;
        for (int ordinal = timeoutTypes().length - 1; ordinal >= 0; ordinal--) {
            if (deadlineOf(ordinal) != NONE) {
                setDeadline(ordinal, NONE);
                cancelled++;
            }
        }
        if (cancelled > 0) {
            timeoutsChanged(NONE);
        }
        return cancelled;
    }

    final boolean hasTimeout(E type) {
        return deadlineOf(type.ordinal()) != NONE;
    }

    /** @return the deadline of {@code type}, or NO_DEADLINE if it is not active */
    final long timeoutDeadline(E type) {
        return deadlineOf(type.ordinal());
    }

    final int activeTimeoutCount() {
        int active = 0;
        for (int ordinal = timeoutTypes().length - 1; ordinal >= 0; ordinal--) {
            if (deadlineOf(ordinal) != NONE) {
                active++;
            }
        }
        return active;
    }

    private long deadlineOf(int ordinal) {
        return switch (ordinal) {
            case 0 -> deadline0Ns;
            case 1 -> deadline1Ns;
            case 2 -> deadline2Ns;
            case 3 -> deadline3Ns;
            default -> moreDeadlinesNs()[ordinal - INLINE_TYPES];
        };
    }

    private void setDeadline(int ordinal, long deadlineNs) {
        switch (ordinal) {
            case 0 -> deadline0Ns = deadlineNs;
            case 1 -> deadline1Ns = deadlineNs;
            case 2 -> deadline2Ns = deadlineNs;
            case 3 -> deadline3Ns = deadlineNs;
            default -> moreDeadlinesNs()[ordinal - INLINE_TYPES] = deadlineNs;
        }
    }

    /** Typed timeouts alone are never scheduled; the manager overrides this. */
    @Override
    protected void expired(TimerEngine engine, long nowNs) {
    }

    // ------------------------------------------------------------------ TimeoutLayer

    /** @return the earliest active deadline, or {@link TimeoutLayer#NO_DEADLINE} */
    final long earliestTimeoutDeadline() {
        long earliestNs = NONE;
        for (int ordinal = timeoutTypes().length - 1; ordinal >= 0; ordinal--) {
            earliestNs = TimeoutLayer.earlier(earliestNs, deadlineOf(ordinal));
        }
        return earliestNs;
    }

    /**
     * Consumes the timeouts due at {@code nowNs}: the layer's {@link TimeoutLayer#checkTimeouts}.
     *
     * @return this thread's result, valid until the next check on this thread
     */
    final TimeoutCheckResult consumeDueTimeouts(long nowNs) {
        TimeoutCheckResult result = RESULTS.get().clear();
        E[] types = timeoutTypes();
        for (int ordinal = 0; ordinal < types.length; ordinal++) {
            long deadlineNs = deadlineOf(ordinal);
            if (deadlineNs != NONE && deadlineNs - nowNs <= 0) {
                // One-shot: a due timeout is consumed; registering it again is the caller's choice.
                setDeadline(ordinal, NONE);
                result.addEvent(types[ordinal], deadlineNs);
            }
        }
        if (!result.isEmpty()) {
            result.sortEventsByDeadline();
            timeoutsChanged(NONE);
        }
        return result;
    }

    final String describeTimeouts() {
        StringBuilder text = new StringBuilder("TypedTimeouts[");
        E[] types = timeoutTypes();
        boolean first = true;
        for (int ordinal = 0; ordinal < types.length; ordinal++) {
            if (deadlineOf(ordinal) != NONE) {
                text.append(first ? "" : ", ").append(types[ordinal]).append('@').append(deadlineOf(ordinal));
                first = false;
            }
        }
        return text.append(']').toString();
    }

    /**
     * The {@link TimeoutLayer} view of these timeouts: made when a scheduler is wanted, and the
     * place for what only a layer needs (its observer and its counts).
     */
    final class Layer implements TimeoutLayer {

        private DeadlineObserver observer;
        private long checks;
        private long eventsFired;

        /** @return the timeouts this is the view of */
        TypedTimeouts<E> owner() {
            return TypedTimeouts.this;
        }

        /** Tells the observer, if one is attached; the owner's {@link #timeoutsChanged} calls this. */
        void changed(long deadlineNs) {
            if (observer != null) {
                observer.deadlineChanged(this, deadlineNs);
            }
        }

        @Override
        public String layerName() {
            return LAYER_NAME;
        }

        @Override
        public long nextDeadline() {
            return earliestTimeoutDeadline();
        }

        @Override
        public TimeoutCheckResult checkTimeouts(long nowNs) {
            checks++;
            TimeoutCheckResult due = consumeDueTimeouts(nowNs);
            eventsFired += due.eventCount();
            return due;
        }

        @Override
        public TimeoutLayerStats stats() {
            return new TimeoutLayerStats(LAYER_NAME, activeTimeoutCount(), checks, eventsFired, 0);
        }

        @Override
        public void attach(DeadlineObserver observer) {
            Objects.requireNonNull(observer, "observer");
            if (this.observer != null) {
                throw new IllegalStateException("the typed timeouts of a TimerManager report to its own scheduler only");
            }
            this.observer = observer;
        }

        @Override
        public String toString() {
            return describeTimeouts();
        }
    }
}
