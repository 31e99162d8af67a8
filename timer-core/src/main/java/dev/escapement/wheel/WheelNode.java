package dev.escapement.wheel;

/**
 * Something a {@link TimingWheel} can hold: a node of the intrusive, doubly linked lists its
 * slots are made of, with the deadline it was linked at. A timer extends this class, so that
 * the wheel allocates nothing per timer and a timer is one object.
 *
 * <p>Not thread-safe: the fields belong to the wheel's owner thread. Subclasses may add state
 * that other threads share; the wheel never reads it.
 */
public abstract class WheelNode {

    /** The deadline the node is linked at, in the wheel's nanoseconds; meaningful while linked. */
    long deadlineNs;
    /** The neighbours in the node's list; both null while the node is not in the wheel. */
    WheelNode next;
    WheelNode prev;

    /** For subclasses. */
    protected WheelNode() {
    }

    /**
     * Owner thread.
     *
     * @return true while the node is in a wheel (a slot, or the list of the current tick)
     */
    public final boolean isLinked() {
        return next != null;
    }

    /**
     * Owner thread.
     *
     * @return the deadline the node was last linked at, in the wheel's nanoseconds
     */
    public final long linkedDeadlineNs() {
        return deadlineNs;
    }
}
