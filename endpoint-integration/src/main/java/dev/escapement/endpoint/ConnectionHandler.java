package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;

/**
 * The application's side of a {@link Connection}: told when the connection is established, of
 * every frame that arrives (each once, in order), and when it closes.
 *
 * <p>Called on the connection's event loop. An exception a callback throws is caught, logged and
 * counted in {@link EndpointStats#applicationFailures()}; the connection carries on.
 */
public interface ConnectionHandler {

    /**
     * The handshake completed; frames may be sent from now on.
     *
     * @param connection the connection
     */
    default void onEstablished(Connection connection) {
    }

    /**
     * A frame arrived; frames arrive once each, in the order they were sent.
     *
     * @param connection the connection
     * @param payload    the frame's bytes, valid during this call only (copy what must outlive it;
     *                   do not release it)
     */
    void onFrame(Connection connection, ByteBuf payload);

    /**
     * The connection closed; called once, whether or not it was ever established. Frames sent and
     * not yet acknowledged are counted in {@link Connection#unacknowledgedFrames()}, still
     * readable here: the peer may or may not have them.
     *
     * @param connection the connection
     * @param reason     why it closed
     */
    default void onClosed(Connection connection, CloseReason reason) {
    }
}
