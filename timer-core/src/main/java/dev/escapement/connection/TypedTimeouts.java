package dev.escapement.connection;

import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerStats;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A connection's typed timeouts: at most one deadline per enum constant, indexed by ordinal (the
 * first four in fields, any further ones in an array), with a bitmask of the active ones (no map,
 * no boxing). Setting a deadline is a field write plus one call to the observer. {@link #layer()}
 * is their {@link TimeoutLayer} view, the one a {@link dev.escapement.unified.UnifiedTimeoutScheduler}
 * holds.
 *
 * <p>The {@link TimerManager} extends this class rather than holding an instance, so that a reset
 * reads one object: with many connections a reset is bound by cache misses, and every object on
 * its path is one more (see {@code docs/design-decisions.md}, C12). The methods are named so that
 * they do not collide with the manager's public ones.
 *
 * <p>Not thread-safe: confined to the connection's thread. It extends {@link TimerEntry} only so
 * that the manager can be its own wheel entry; typed timeouts alone are never scheduled.
 *
 * <h2>Spread</h2>
 * A type may be given a spread: each {@link #setTimeout} adds an offset drawn uniformly from
 * {@code [0, spread)}, so that connections accepted together do not all time out in the same
 * tick. The offset is kept for the registration's {@link #moveTimeout}s, so that resetting with
 * the same delay only ever moves the deadline later. A spread never makes a timeout shorter than
 * its delay.
 *
 * @param <E> the event type, at most {@value #MAX_TYPES} constants
 */
class TypedTimeouts<E extends Enum<E>> extends TimerEntry {

    /** The most constants an event type may have: one bit each in the active mask. */
    static final int MAX_TYPES = Long.SIZE;

    static final String LAYER_NAME = "typed";

    /** How many types keep their deadline in a field rather than in an array. */
    static final int INLINE_TYPES = 4;

    private final E[] types;
    // The deadlines of the first INLINE_TYPES ordinals live in fields, so that a reset of a
    // TimeoutEvent reads no array: one cache line fewer on the per-packet path.
    private long deadline0Ns;
    private long deadline1Ns;
    private long deadline2Ns;
    private long deadline3Ns;
    /** The deadlines of ordinals from {@link #INLINE_TYPES} on; null when there are none. */
    private final long[] moreDeadlinesNs;
    /** Per type: the largest spread, 0 for none; null when no type has one. */
    private final long[] maxSpreadNs;
    /** Per type: the offset drawn by the current registration; null when no type has a spread. */
    private final long[] spreadOffsetsNs;
    private final SplittableRandom spreadRandom;
    private final TimeoutCheckResult result = new TimeoutCheckResult();
    private final Layer layer = new Layer();

    private long activeMask;
    private DeadlineObserver observer = DeadlineObserver.NONE;
    private boolean attached;
    private long resets;
    private long checks;
    private long eventsFired;

    /**
     * @param types        the enum's constants, at most {@value #MAX_TYPES}
     * @param maxSpreadNs  per ordinal, or null for no spread at all
     * @param spreadRandom draws the offsets; null exactly when {@code maxSpreadNs} is
     */
    TypedTimeouts(E[] types, long[] maxSpreadNs, SplittableRandom spreadRandom) {
        this.types = types;
        this.moreDeadlinesNs = types.length > INLINE_TYPES ? new long[types.length - INLINE_TYPES] : null;
        this.maxSpreadNs = maxSpreadNs;
        this.spreadOffsetsNs = maxSpreadNs == null ? null : new long[types.length];
        this.spreadRandom = spreadRandom;
    }

    /**
     * Sets the deadline of {@code type} to {@code delayNs} (plus a freshly drawn spread) after
     * {@code nowNs}, replacing any deadline it had.
     *
     * @return the deadline
     */
    final long setTimeout(E type, long nowNs, long delayNs) {
        int ordinal = type.ordinal();
        long offsetNs = 0;
        if (spreadOffsetsNs != null) {
            long spreadNs = maxSpreadNs[ordinal];
            offsetNs = spreadNs == 0 ? 0 : spreadRandom.nextLong(spreadNs);
            spreadOffsetsNs[ordinal] = offsetNs;
        }
        return set(ordinal, nowNs, delayNs, offsetNs);
    }

    /**
     * Moves the deadline of an active {@code type} to {@code delayNs} (plus the spread drawn at
     * registration) after {@code nowNs}.
     *
     * @return false, doing nothing, if {@code type} is not active
     */
    final boolean moveTimeout(E type, long nowNs, long delayNs) {
        int ordinal = type.ordinal();
        if ((activeMask & bit(ordinal)) == 0) {
            return false;
        }
        set(ordinal, nowNs, delayNs, spreadOffsetsNs == null ? 0 : spreadOffsetsNs[ordinal]);
        resets++;
        return true;
    }

    private long set(int ordinal, long nowNs, long delayNs, long offsetNs) {
        long totalNs = delayNs + offsetNs;
        if (totalNs < 0) {
            totalNs = Long.MAX_VALUE;
        }
        long deadlineNs = TimeoutLayer.deadlineAfter(nowNs, totalNs);
        setDeadline(ordinal, deadlineNs);
        activeMask |= bit(ordinal);
        observer.deadlineChanged(layer, deadlineNs);
        return deadlineNs;
    }

    /** @return true if {@code type} was active */
    final boolean removeTimeout(E type) {
        long bit = bit(type.ordinal());
        if ((activeMask & bit) == 0) {
            return false;
        }
        activeMask &= ~bit;
        observer.deadlineChanged(layer, TimeoutLayer.NO_DEADLINE);
        return true;
    }

    /** @return how many timeouts were active */
    final int removeAllTimeouts() {
        int cancelled = Long.bitCount(activeMask);
        if (cancelled > 0) {
            activeMask = 0;
            observer.deadlineChanged(layer, TimeoutLayer.NO_DEADLINE);
        }
        return cancelled;
    }

    final boolean hasTimeout(E type) {
        return (activeMask & bit(type.ordinal())) != 0;
    }

    final long timeoutDeadline(E type) {
        int ordinal = type.ordinal();
        return (activeMask & bit(ordinal)) == 0 ? TimeoutLayer.NO_DEADLINE : deadlineOf(ordinal);
    }

    /** @return how many {@link #moveTimeout}s moved an active timeout */
    final long timeoutResets() {
        return resets;
    }

    final int activeTimeoutCount() {
        return Long.bitCount(activeMask);
    }

    private long deadlineOf(int ordinal) {
        return switch (ordinal) {
            case 0 -> deadline0Ns;
            case 1 -> deadline1Ns;
            case 2 -> deadline2Ns;
            case 3 -> deadline3Ns;
            default -> moreDeadlinesNs[ordinal - INLINE_TYPES];
        };
    }

    private void setDeadline(int ordinal, long deadlineNs) {
        switch (ordinal) {
            case 0 -> deadline0Ns = deadlineNs;
            case 1 -> deadline1Ns = deadlineNs;
            case 2 -> deadline2Ns = deadlineNs;
            case 3 -> deadline3Ns = deadlineNs;
            default -> moreDeadlinesNs[ordinal - INLINE_TYPES] = deadlineNs;
        }
    }

    private static long bit(int ordinal) {
        return 1L << ordinal;
    }

    /** Typed timeouts alone are never scheduled; the manager overrides this. */
    @Override
    protected void expired(TimerEngine engine, long nowNs) {
    }

    // ------------------------------------------------------------------ TimeoutLayer

    /** @return these timeouts as a layer */
    final TimeoutLayer layer() {
        return layer;
    }

    /** @return the earliest active deadline, or {@link TimeoutLayer#NO_DEADLINE} */
    final long earliestTimeoutDeadline() {
        long earliestNs = TimeoutLayer.NO_DEADLINE;
        for (long mask = activeMask; mask != 0; mask &= mask - 1) {
            earliestNs = TimeoutLayer.earlier(earliestNs, deadlineOf(Long.numberOfTrailingZeros(mask)));
        }
        return earliestNs;
    }

    /** Consumes the timeouts due at {@code nowNs}: the layer's {@link TimeoutLayer#checkTimeouts}. */
    final TimeoutCheckResult consumeDueTimeouts(long nowNs) {
        checks++;
        result.clear();
        long due = 0;
        for (long mask = activeMask; mask != 0; mask &= mask - 1) {
            int ordinal = Long.numberOfTrailingZeros(mask);
            if (deadlineOf(ordinal) - nowNs <= 0) {
                due |= bit(ordinal);
                result.addEvent(types[ordinal], deadlineOf(ordinal));
            }
        }
        if (due != 0) {
            // One-shot: a due timeout is consumed; registering it again is the caller's choice.
            activeMask &= ~due;
            eventsFired += Long.bitCount(due);
            result.sortEventsByDeadline();
            observer.deadlineChanged(layer, TimeoutLayer.NO_DEADLINE);
        }
        return result;
    }

    final TimeoutLayerStats timeoutStats() {
        return new TimeoutLayerStats(LAYER_NAME, activeTimeoutCount(), checks, eventsFired, 0);
    }

    /** Connects the one observer: the layer's {@link TimeoutLayer#attach}. */
    final void attachTimeouts(DeadlineObserver observer) {
        if (attached) {
            throw new IllegalStateException("the typed timeouts of a TimerManager report to its own scheduler only");
        }
        this.observer = Objects.requireNonNull(observer, "observer");
        attached = true;
    }

    /**
     * Disconnects the observer, so that the layer can be {@linkplain #attachTimeouts attached} to another:
     * the manager's own step when it hands its typed timeouts from itself to its scheduler.
     */
    final void detachTimeouts() {
        observer = DeadlineObserver.NONE;
        attached = false;
    }

    /** The {@link TimeoutLayer} view of these timeouts. */
    final class Layer implements TimeoutLayer {

        /** @return the timeouts this is the view of */
        TypedTimeouts<E> owner() {
            return TypedTimeouts.this;
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
            return consumeDueTimeouts(nowNs);
        }

        @Override
        public TimeoutLayerStats stats() {
            return timeoutStats();
        }

        @Override
        public void attach(DeadlineObserver observer) {
            attachTimeouts(observer);
        }

        @Override
        public String toString() {
            return describeTimeouts();
        }
    }

    final String describeTimeouts() {
        StringBuilder text = new StringBuilder("TypedTimeouts[");
        boolean first = true;
        for (long mask = activeMask; mask != 0; mask &= mask - 1) {
            int ordinal = Long.numberOfTrailingZeros(mask);
            text.append(first ? "" : ", ").append(types[ordinal]).append('@').append(deadlineOf(ordinal));
            first = false;
        }
        return text.append(']').toString();
    }
}
