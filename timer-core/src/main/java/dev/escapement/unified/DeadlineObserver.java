package dev.escapement.unified;

/**
 * Told by a {@link TimeoutLayer} each time one of its deadlines changes, so that whoever caches
 * the earliest deadline over several layers stays exact without asking again.
 *
 * <p>Not thread-safe: called on the connection's thread, by the layer, synchronously, after the
 * layer's own state is updated (so the observer may query the layer from inside the call).
 */
@FunctionalInterface
public interface DeadlineObserver {

    /** An observer that ignores every change: the observer of a layer that is not attached yet. */
    DeadlineObserver NONE = (layer, deadlineNs) -> { };

    /**
     * A deadline of {@code layer} changed.
     *
     * @param layer      the layer that changed
     * @param deadlineNs the deadline the layer has just set (a new one, or one moved earlier or
     *                   later); or {@link TimeoutLayer#NO_DEADLINE} when it removed one (cancelled
     *                   it, or consumed it in {@link TimeoutLayer#checkTimeouts})
     */
    void deadlineChanged(TimeoutLayer layer, long deadlineNs);
}
