package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;

/**
 * One decoded datagram: the header and the fields of its frame type. The payload of a DATA frame
 * stays in the datagram's buffer; {@link #payloadIndex} and {@link #payloadLength} locate it.
 *
 * <p>Not thread-safe: an endpoint owns one and refills it for every datagram, on its event loop;
 * the fields are valid until the next datagram.
 */
final class Packet {

    FrameType type;
    long destinationId;
    int packetNumber;
    /** HELLO and WELCOME: the sender's connection id. */
    long sourceId;
    /** DATA: the frame's sequence number. */
    int sequence;
    /** DATA, ACK and CLOSE: the highest sequence number the sender has received in order. */
    int ack;
    /** DATA: where the payload starts in the datagram buffer. */
    int payloadIndex;
    /** DATA: the payload's length in bytes. */
    int payloadLength;
    /** PATH_CHALLENGE and PATH_RESPONSE: the token. */
    long token;

    /**
     * @param datagram the buffer this packet was decoded from
     * @return the DATA payload, a slice of {@code datagram} valid while the datagram is
     */
    ByteBuf payload(ByteBuf datagram) {
        return datagram.slice(payloadIndex, payloadLength);
    }

    @Override
    public String toString() {
        return "Packet[" + type + " to " + destinationId + " #" + packetNumber + "]";
    }
}
