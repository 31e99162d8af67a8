package dev.escapement.netty;

/**
 * A message sent through a {@link RetransmissionTimeoutHandler} was not acknowledged after the
 * maximum number of attempts: the handler forgot it, and the application should treat the peer as
 * unreachable. Fired as a user event on the channel's event loop.
 *
 * <p>Thread-safety: immutable.
 *
 * @param messageId the message
 * @param attempts  how many times it was sent
 */
public record RetransmissionGiveUpEvent(long messageId, int attempts) {
}
