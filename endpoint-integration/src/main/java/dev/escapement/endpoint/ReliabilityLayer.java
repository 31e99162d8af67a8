package dev.escapement.endpoint;

import dev.escapement.connection.TimeoutEvent;
import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerStats;
import java.util.Objects;

/**
 * The reliability layer of a connection (SPEC U4): its {@link RetransmissionManager}'s one
 * retransmission deadline as a {@link TimeoutLayer}, so that it shares the connection's single
 * wheel entry with the connection-level timeouts.
 *
 * <p>Not thread-safe: confined to the connection's event loop.
 *
 * <p>Every operation that can move the manager's deadline (a send, an acknowledgement, a check,
 * clearing) ends by comparing the deadline with the one last reported and, if it differs, telling
 * the observer: the new deadline, or {@link #NO_DEADLINE} when nothing is in flight any more. A
 * send behind frames already in flight does not move the deadline and costs the observer nothing.
 * A check that finds the deadline passed reports {@link TimeoutEvent#RETRANSMISSION} (with the
 * deadline that passed) and the sequence numbers to send again as its frames.
 */
final class ReliabilityLayer implements TimeoutLayer {

    static final String LAYER_NAME = "reliability";

    private final RetransmissionManager manager;
    private final TimeoutCheckResult result = new TimeoutCheckResult();
    private DeadlineObserver observer = DeadlineObserver.NONE;
    private boolean attached;
    private long reportedDeadlineNs = NO_DEADLINE;
    private long checks;
    private long eventsFired;
    private long framesToRetransmit;

    ReliabilityLayer(RetransmissionManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    /** @return the manager whose deadline this layer reports */
    RetransmissionManager manager() {
        return manager;
    }

    /**
     * Sends a frame for the first time; see {@link RetransmissionManager#send}.
     *
     * @return its sequence number
     */
    int send(byte[] payload, long nowNs) {
        int sequence = manager.send(payload, nowNs);
        reportIfMoved();
        return sequence;
    }

    /**
     * An acknowledgement arrived; see {@link RetransmissionManager#acknowledge}.
     *
     * @return frames newly acknowledged, or {@link RetransmissionManager#ACK_OF_UNSENT_FRAME}
     */
    int acknowledge(int ack, long nowNs) {
        int acked = manager.acknowledge(ack, nowNs);
        if (acked > 0) {
            reportIfMoved();
        }
        return acked;
    }

    /** Forgets the frames in flight (the connection closed). */
    void clear() {
        manager.clear();
        reportIfMoved();
    }

    private void reportIfMoved() {
        long deadlineNs = manager.deadlineNs();
        if (deadlineNs != reportedDeadlineNs) {
            reportedDeadlineNs = deadlineNs;
            observer.deadlineChanged(this, deadlineNs);
        }
    }

    // ------------------------------------------------------------------ TimeoutLayer

    @Override
    public String layerName() {
        return LAYER_NAME;
    }

    @Override
    public long nextDeadline() {
        return manager.deadlineNs();
    }

    @Override
    public TimeoutCheckResult checkTimeouts(long nowNs) {
        checks++;
        result.clear();
        long deadlineNs = manager.deadlineNs();
        if (TimeoutLayer.isDue(deadlineNs, nowNs)) {
            result.addEvent(TimeoutEvent.RETRANSMISSION, deadlineNs);
            eventsFired++;
            framesToRetransmit += manager.retransmitDue(nowNs, result);
            reportIfMoved();
        }
        return result;
    }

    @Override
    public TimeoutLayerStats stats() {
        return new TimeoutLayerStats(LAYER_NAME, manager.inFlight() == 0 ? 0 : 1, checks, eventsFired,
                framesToRetransmit);
    }

    @Override
    public void attach(DeadlineObserver observer) {
        if (attached) {
            throw new IllegalStateException("the reliability layer reports to one scheduler only");
        }
        this.observer = Objects.requireNonNull(observer, "observer");
        attached = true;
    }

    @Override
    public String toString() {
        return "ReliabilityLayer[" + manager + "]";
    }
}
