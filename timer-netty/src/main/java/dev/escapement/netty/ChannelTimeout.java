package dev.escapement.netty;

/**
 * The timeout types of a channel's {@link ChannelTimers timer manager}. When one is due, the
 * constant itself travels the channel's pipeline as a user event (no allocation), on the
 * channel's event loop; the handler that registered it consumes it. Idle timeouts are not here:
 * {@link EscapementIdleStateHandler} keeps its own.
 *
 * <p>Thread-safety: an enum, immutable.
 */
public enum ChannelTimeout {
    /** An unacknowledged message's retransmission timeout: {@link RetransmissionTimeoutHandler}. */
    RETRANSMISSION,
    /** Free for the application: a connection or handshake deadline. */
    CONNECT,
    /** Free for the application: a handshake deadline. */
    HANDSHAKE,
    /** Free for the application: a keep-alive. */
    KEEP_ALIVE,
    /** Free for the application. */
    APPLICATION
}
