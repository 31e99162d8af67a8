package dev.escapement.connection;

import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerStats;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A connection's typed timeouts as a {@link TimeoutLayer}: at most one deadline per enum
 * constant, indexed by ordinal (the first four in fields, any further ones in an array), with a
 * bitmask of the active ones (no map, no boxing). Setting a deadline is a field write plus one call to the observer.
 *
 * <p>Not thread-safe: confined to the connection's thread.
 *
 * <h2>Spread</h2>
 * A type may be given a spread: each {@link #register} adds an offset drawn uniformly from
 * {@code [0, spread)}, so that connections accepted together do not all time out in the same
 * tick. The offset is kept for the registration's {@link #reset}s, so that resetting with the
 * same delay only ever moves the deadline later. A spread never makes a timeout shorter than its
 * delay.
 *
 * @param <E> the event type, at most {@value #MAX_TYPES} constants
 */
final class TypedTimeouts<E extends Enum<E>> implements TimeoutLayer {

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
    long register(E type, long nowNs, long delayNs) {
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
    boolean reset(E type, long nowNs, long delayNs) {
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
        observer.deadlineChanged(this, deadlineNs);
        return deadlineNs;
    }

    /** @return true if {@code type} was active */
    boolean cancel(E type) {
        long bit = bit(type.ordinal());
        if ((activeMask & bit) == 0) {
            return false;
        }
        activeMask &= ~bit;
        observer.deadlineChanged(this, NO_DEADLINE);
        return true;
    }

    /** @return how many timeouts were active */
    int cancelAll() {
        int cancelled = Long.bitCount(activeMask);
        if (cancelled > 0) {
            activeMask = 0;
            observer.deadlineChanged(this, NO_DEADLINE);
        }
        return cancelled;
    }

    boolean isActive(E type) {
        return (activeMask & bit(type.ordinal())) != 0;
    }

    long deadline(E type) {
        int ordinal = type.ordinal();
        return (activeMask & bit(ordinal)) == 0 ? NO_DEADLINE : deadlineOf(ordinal);
    }

    /** @return how many {@link #reset}s moved an active timeout */
    long resets() {
        return resets;
    }

    int activeCount() {
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

    // ------------------------------------------------------------------ TimeoutLayer

    @Override
    public String layerName() {
        return LAYER_NAME;
    }

    @Override
    public long nextDeadline() {
        long earliestNs = NO_DEADLINE;
        for (long mask = activeMask; mask != 0; mask &= mask - 1) {
            earliestNs = TimeoutLayer.earlier(earliestNs, deadlineOf(Long.numberOfTrailingZeros(mask)));
        }
        return earliestNs;
    }

    @Override
    public TimeoutCheckResult checkTimeouts(long nowNs) {
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
            observer.deadlineChanged(this, NO_DEADLINE);
        }
        return result;
    }

    @Override
    public TimeoutLayerStats stats() {
        return new TimeoutLayerStats(LAYER_NAME, activeCount(), checks, eventsFired, 0);
    }

    @Override
    public void attach(DeadlineObserver observer) {
        if (attached) {
            throw new IllegalStateException("the typed timeouts of a TimerManager report to its own scheduler only");
        }
        this.observer = Objects.requireNonNull(observer, "observer");
        attached = true;
    }

    /**
     * Disconnects the observer, so that the layer can be {@linkplain #attach attached} to another:
     * the manager's own step when it hands its typed timeouts from itself to its scheduler.
     */
    void detach() {
        observer = DeadlineObserver.NONE;
        attached = false;
    }

    @Override
    public String toString() {
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
