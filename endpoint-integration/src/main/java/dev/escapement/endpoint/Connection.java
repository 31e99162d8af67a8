package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;

/**
 * One reliable-datagram connection of an {@link Endpoint}: frames sent on it arrive at the peer
 * once each and in order, or the connection closes with a {@linkplain CloseReason reason} that
 * says it failed.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>A connection lives on its endpoint's event loop ({@link #eventLoop()}): its handler is
 *       called there and its timeouts are handled there. Call {@link #send}, {@link #stats()},
 *       {@link #peerId()}, {@link #peerAddress()}, {@link #isEstablished()},
 *       {@link #closeReason()} and {@link #unacknowledgedFrames()} on that event loop;
 *       {@link #id()}, {@link #isClient()}, {@link #eventLoop()}, {@link #isClosed()} and
 *       {@link #close()} from any thread.</li>
 *   <li>Its timeouts (handshake, idle, path validation, retransmission) cost the global timer's
 *       wheel one entry, whatever they are and however often traffic resets them.</li>
 * </ul>
 */
public interface Connection {

    /** The largest payload of one frame, in bytes. */
    int MAX_PAYLOAD_BYTES = FrameCodec.MAX_PAYLOAD_BYTES;

    /** @return the id this side chose for the connection; the peer addresses its packets to it. Any thread. */
    long id();

    /** @return the id the peer chose, or 0 while a client's handshake is in progress */
    long peerId();

    /** @return true if this side opened the connection with {@link Endpoint#connect}. Any thread. */
    boolean isClient();

    /** @return the address the connection sends to: the peer's, as last seen by a validated or validating path */
    InetSocketAddress peerAddress();

    /** @return the event loop the connection lives on. Any thread. */
    EventLoop eventLoop();

    /** @return true once the handshake has completed, until the connection closes */
    boolean isEstablished();

    /** @return true once the connection has closed. Any thread. */
    boolean isClosed();

    /** @return why the connection closed, or null while it is open */
    CloseReason closeReason();

    /**
     * Sends a frame: its readable bytes are copied (the buffer is neither moved nor released). The
     * frame goes out at once if the window has room, or waits in a bounded queue.
     *
     * @param payload at most {@link #MAX_PAYLOAD_BYTES} bytes
     * @return true if the frame was accepted: it will be delivered, or the connection will close
     *         with a failure; false if the connection is not established (yet, or any more) or the
     *         queue is full
     * @throws NullPointerException     if {@code payload} is null
     * @throws IllegalArgumentException if {@code payload} is longer than {@link #MAX_PAYLOAD_BYTES}
     * @throws IllegalStateException    if called off the connection's event loop
     */
    boolean send(ByteBuf payload);

    /** @return DATA frames accepted by {@link #send} and not yet acknowledged: in flight or queued */
    int unacknowledgedFrames();

    /** @return a snapshot of the connection's counters */
    ConnectionStats stats();

    /**
     * Closes the connection and tells the peer (best effort: one CLOSE datagram, carrying the final
     * acknowledgement). Frames not yet acknowledged are abandoned. Any thread; idempotent. The
     * handler's {@link ConnectionHandler#onClosed} hears {@link CloseReason#CLOSED_LOCALLY}.
     */
    void close();
}
