package dev.escapement.endpoint;

import dev.escapement.connection.TimeoutEvent;

/**
 * Why a {@link Connection} closed. Each connection closes exactly once, and its
 * {@link ConnectionHandler#onClosed} hears the reason.
 *
 * <p>Thread-safety: immutable constants.
 */
public enum CloseReason {

    /** The application called {@link Connection#close()}; the peer was told. */
    CLOSED_LOCALLY(null),

    /** The peer closed the connection and said so. */
    CLOSED_BY_PEER(null),

    /** Nothing arrived from the peer for the idle timeout. */
    IDLE_TIMEOUT(TimeoutEvent.IDLE),

    /** The handshake did not complete within the connection timeout. */
    CONNECTION_TIMEOUT(TimeoutEvent.CONNECTION),

    /** A frame was retransmitted the maximum number of times and still not acknowledged. */
    RETRANSMISSION_LIMIT(TimeoutEvent.RETRANSMISSION),

    /** The endpoint was closed while the connection was open; the peer was told. */
    ENDPOINT_CLOSED(null);

    private final TimeoutEvent timeout;

    CloseReason(TimeoutEvent timeout) {
        this.timeout = timeout;
    }

    /** @return true if a timeout closed the connection: the peer stopped answering */
    public boolean isTimeout() {
        return timeout != null;
    }

    /** @return the timeout that closed the connection, or null if it was closed by either side */
    public TimeoutEvent timeoutEvent() {
        return timeout;
    }
}
