package dev.escapement.endpoint;

/**
 * Why an endpoint dropped a datagram. Every datagram that is not acted on is counted under one of
 * these in {@link EndpointStats#badDatagrams(BadDatagram)}; none of them harms another connection
 * or makes the endpoint throw.
 *
 * <p>Thread-safety: immutable constants.
 */
public enum BadDatagram {

    /** Shorter than its header or than its frame type's fixed fields. */
    TRUNCATED,

    /** The version byte is not the one this endpoint speaks. */
    WRONG_VERSION,

    /** The frame type byte is not a known frame type. */
    UNKNOWN_TYPE,

    /** A length is wrong: a payload longer than the maximum, or bytes left after the frame. */
    BAD_LENGTH,

    /** A field holds a value the format forbids, such as a connection id of 0 where one is required. */
    BAD_FIELD,

    /** Well formed, but addressed to no connection of this endpoint (or a handshake it does not accept). */
    UNKNOWN_CONNECTION,

    /**
     * Well formed and addressed to a live connection, but not valid in its state: an acknowledgement
     * of a frame never sent, data before the handshake, a handshake frame after it.
     */
    PROTOCOL_VIOLATION
}
