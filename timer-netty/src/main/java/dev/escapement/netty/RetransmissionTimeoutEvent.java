package dev.escapement.netty;

/**
 * A message sent through a {@link RetransmissionTimeoutHandler} was not acknowledged within its
 * retransmission timeout: the application should send it again. Fired as a user event on the
 * channel's event loop.
 *
 * <p>Thread-safety: immutable.
 *
 * @param messageId the message
 * @param attempt   the attempt the retransmission will be (2 for the first retransmission)
 * @param rtoNs     the retransmission timeout now in force, back-off included
 */
public record RetransmissionTimeoutEvent(long messageId, int attempt, long rtoNs) {
}
