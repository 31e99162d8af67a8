package dev.escapement.endpoint;

/**
 * The frame types of the wire format, each with its type byte and the size of its fixed fields
 * (what follows the common header before any payload). See {@link FrameCodec}.
 *
 * <p>Thread-safety: immutable constants.
 */
enum FrameType {

    /** Client to server, opens a connection: the client's connection id (8). */
    HELLO(1, 8),
    /** Server to client, accepts it: the server's connection id (8). Acknowledges the HELLO. */
    WELCOME(2, 8),
    /** Sequence number (4), cumulative acknowledgement (4), payload length (2), payload. */
    DATA(3, 10),
    /** Cumulative acknowledgement (4). */
    ACK(4, 4),
    /** A path-validation challenge: a token (8) the peer must echo. */
    PATH_CHALLENGE(5, 8),
    /** The answer to a challenge: its token (8). */
    PATH_RESPONSE(6, 8),
    /** The sender closed the connection; its final cumulative acknowledgement (4). */
    CLOSE(7, 4);

    private static final FrameType[] BY_CODE = new FrameType[8];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    final byte code;
    final int fixedBytes;

    FrameType(int code, int fixedBytes) {
        this.code = (byte) code;
        this.fixedBytes = fixedBytes;
    }

    /**
     * @param code a type byte off the wire
     * @return its frame type, or null if it is not one
     */
    static FrameType of(byte code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** @return true for frames that only probe a path; they never move a connection to a new address */
    boolean isProbing() {
        return this == PATH_CHALLENGE || this == PATH_RESPONSE;
    }
}
