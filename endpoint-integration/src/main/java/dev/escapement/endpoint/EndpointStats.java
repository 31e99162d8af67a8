package dev.escapement.endpoint;

import dev.escapement.connection.TimeoutEvent;
import dev.escapement.endpoint.EndpointCounters.Counter;
import java.util.Arrays;

/**
 * A snapshot of an {@link Endpoint}'s counters, from {@link Endpoint#stats()}. Snapshots of
 * several endpoints add up with {@link #plus(EndpointStats)}.
 *
 * <p>Thread-safety: immutable. Each counter is read whole, but the snapshot is not atomic across
 * counters: taken while the endpoint works, related counters may be a few events apart.
 */
public final class EndpointStats {

    private final long[] values;

    EndpointStats(long[] values) {
        this.values = values;
    }

    /** @return an all-zero snapshot, the start of a sum */
    public static EndpointStats zero() {
        return new EndpointStats(new long[EndpointCounters.SIZE]);
    }

    /**
     * @param other another snapshot
     * @return a snapshot whose every counter is the sum of the two
     */
    public EndpointStats plus(EndpointStats other) {
        long[] sum = values.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.values[i];
        }
        return new EndpointStats(sum);
    }

    private long value(Counter counter) {
        return values[counter.ordinal()];
    }

    /** @return datagrams handed to the channel (before any simulated loss) */
    public long datagramsSent() {
        return value(Counter.DATAGRAMS_SENT);
    }

    /** @return datagrams read from the channel, good or bad */
    public long datagramsReceived() {
        return value(Counter.DATAGRAMS_RECEIVED);
    }

    /** @return outgoing datagrams a {@link SimulatedLink} dropped */
    public long datagramsDroppedByLink() {
        return value(Counter.DATAGRAMS_DROPPED_BY_LINK);
    }

    /** @return connections created: by {@link Endpoint#connect} or by accepting a handshake */
    public long connectionsOpened() {
        return value(Counter.CONNECTIONS_OPENED);
    }

    /** @return connections whose handshake completed */
    public long connectionsEstablished() {
        return value(Counter.CONNECTIONS_ESTABLISHED);
    }

    /** @return connections open now: opened minus closed */
    public long connectionsOpen() {
        return connectionsOpened() - connectionsClosed();
    }

    /** @return connections closed, for any reason */
    public long connectionsClosed() {
        long closed = 0;
        for (CloseReason reason : CloseReason.values()) {
            closed += closed(reason);
        }
        return closed;
    }

    /**
     * @param reason a reason
     * @return connections closed for it
     */
    public long closed(CloseReason reason) {
        return values[EndpointCounters.CLOSE_BASE + reason.ordinal()];
    }

    /** @return handshakes turned away: no acceptor, or the connection limit reached */
    public long handshakesRefused() {
        return value(Counter.HANDSHAKES_REFUSED);
    }

    /** @return DATA frames sent for the first time */
    public long framesSent() {
        return value(Counter.FRAMES_SENT);
    }

    /** @return frames sent again after a retransmission timeout, handshake frames included */
    public long framesRetransmitted() {
        return value(Counter.FRAMES_RETRANSMITTED);
    }

    /** @return DATA frames the peers acknowledged */
    public long framesAcked() {
        return value(Counter.FRAMES_ACKED);
    }

    /** @return DATA frames delivered to the applications, each once and in order */
    public long framesDelivered() {
        return value(Counter.FRAMES_DELIVERED);
    }

    /** @return DATA frames that arrived ahead of a gap and were held */
    public long framesHeldOutOfOrder() {
        return value(Counter.FRAMES_HELD_OUT_OF_ORDER);
    }

    /** @return DATA frames too far ahead of the gap to hold, dropped for the peer to send again */
    public long framesBeyondWindow() {
        return value(Counter.FRAMES_BEYOND_WINDOW);
    }

    /** @return frames received more than once (a retransmission whose original arrived) */
    public long duplicateFrames() {
        return value(Counter.DUPLICATE_FRAMES);
    }

    /** @return DATA frames still unacknowledged or queued when their connection closed */
    public long framesUnconfirmedAtClose() {
        return value(Counter.FRAMES_UNCONFIRMED_AT_CLOSE);
    }

    /**
     * @return packets for a connection this endpoint had just closed, each answered with a CLOSE
     *         (unless it was one): the peer had not heard of the close yet
     */
    public long latePackets() {
        return value(Counter.LATE_PACKETS);
    }

    /** @return path validations started: a connection's peer appeared at a new address */
    public long pathValidationsStarted() {
        return value(Counter.PATH_VALIDATIONS_STARTED);
    }

    /** @return path validations answered in time */
    public long pathValidationsSucceeded() {
        return value(Counter.PATH_VALIDATIONS_SUCCEEDED);
    }

    /** @return path validations that timed out (the connection went back to the validated address) */
    public long pathValidationsFailed() {
        return value(Counter.PATH_VALIDATIONS_FAILED);
    }

    /** @return RTT samples taken (acknowledgements of frames sent once) */
    public long rttSamples() {
        return value(Counter.RTT_SAMPLES);
    }

    /**
     * @param event a timeout type
     * @return timeouts of that type that fired
     */
    public long timeouts(TimeoutEvent event) {
        return values[EndpointCounters.TIMEOUT_BASE + event.ordinal()];
    }

    /**
     * @param kind a kind of bad datagram
     * @return datagrams of that kind, dropped
     */
    public long badDatagrams(BadDatagram kind) {
        return values[EndpointCounters.BAD_BASE + kind.ordinal()];
    }

    /** @return bad datagrams of every kind */
    public long badDatagrams() {
        long bad = 0;
        for (BadDatagram kind : BadDatagram.values()) {
            bad += badDatagrams(kind);
        }
        return bad;
    }

    /**
     * @return exceptions the endpoint itself threw while handling a datagram or a timeout, caught
     *         and logged; 0 unless there is a bug
     */
    public long handlerFailures() {
        return value(Counter.HANDLER_FAILURES);
    }

    /** @return exceptions thrown by application callbacks, caught and logged */
    public long applicationFailures() {
        return value(Counter.APPLICATION_FAILURES);
    }

    /** @return errors the channel reported (a write to a closed channel, an ICMP error) */
    public long socketErrors() {
        return value(Counter.SOCKET_ERRORS);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EndpointStats that && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("EndpointStats[");
        Counter[] counters = Counter.values();
        for (Counter counter : counters) {
            text.append(counter.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(value(counter)).append(", ");
        }
        for (CloseReason reason : CloseReason.values()) {
            text.append("closed ").append(reason).append('=').append(closed(reason)).append(", ");
        }
        for (TimeoutEvent event : TimeoutEvent.values()) {
            text.append("timeouts ").append(event).append('=').append(timeouts(event)).append(", ");
        }
        for (BadDatagram kind : BadDatagram.values()) {
            text.append("bad ").append(kind).append('=').append(badDatagrams(kind)).append(", ");
        }
        text.setLength(text.length() - 2);
        return text.append(']').toString();
    }
}
