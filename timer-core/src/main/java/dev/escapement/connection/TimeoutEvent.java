package dev.escapement.connection;

/**
 * The typed timeouts of a connection, the default event type of a {@link TimerManager}. A
 * protocol with other timeouts brings its own enum instead.
 *
 * <p>Thread-safety: immutable constants.
 */
public enum TimeoutEvent {

    /** No traffic for too long: the connection is considered dead. Reset on every packet. */
    IDLE,

    /** The connection (its handshake) was not established in time. */
    CONNECTION,

    /** A path challenge got no response in time. */
    PATH_VALIDATION,

    /** An unacknowledged packet is due for retransmission. */
    RETRANSMISSION
}
