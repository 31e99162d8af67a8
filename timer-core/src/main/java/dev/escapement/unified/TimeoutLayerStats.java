package dev.escapement.unified;

/**
 * A snapshot of one {@link TimeoutLayer}'s counters, from {@link TimeoutLayer#stats()}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param layerName          the layer's {@link TimeoutLayer#layerName() name}
 * @param pendingDeadlines   deadlines the layer holds now
 * @param checks             calls of {@link TimeoutLayer#checkTimeouts(long)}
 * @param eventsFired        timeout events the checks reported
 * @param framesToRetransmit frames the checks asked to retransmit
 */
public record TimeoutLayerStats(
        String layerName,
        int pendingDeadlines,
        long checks,
        long eventsFired,
        long framesToRetransmit) {
}
