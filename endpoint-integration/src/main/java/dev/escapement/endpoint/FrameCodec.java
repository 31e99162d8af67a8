package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The wire format: one frame per datagram behind a fixed, versioned header. Big-endian throughout.
 *
 * <pre>
 *  0         1         2                           10                14
 *  +---------+---------+---------------------------+-----------------+----------------------+
 *  | version |  type   | destination connection id |  packet number  | fixed fields, payload |
 *  +---------+---------+---------------------------+-----------------+----------------------+
 *
 *  HELLO           client id (8)                          destination id 0: not known yet
 *  WELCOME         server id (8)
 *  DATA            sequence (4)  ack (4)  length (2)  payload (length, at most 1200)
 *  ACK             ack (4)
 *  PATH_CHALLENGE  token (8)
 *  PATH_RESPONSE   token (8)
 *  CLOSE           ack (4)
 * </pre>
 *
 * The destination id is the id the receiver chose for the connection (as in QUIC), so a
 * connection survives a change of the peer's address. The packet number counts the sender's
 * datagrams on the connection; only the newest packet may move a connection to a new address.
 * "ack" is the highest sequence number received in order (cumulative).
 *
 * <p>Decoding checks every length before it reads and reports what is wrong instead of throwing;
 * a datagram is accepted only if it is exactly as long as its frame says.
 *
 * <p>Thread-safety: stateless; encoders allocate from the allocator they are given.
 */
final class FrameCodec {

    /** The protocol version this endpoint speaks. */
    static final byte VERSION = 1;
    /** Version, type, destination id, packet number. */
    static final int HEADER_BYTES = 14;
    /** The largest DATA payload, in bytes: a datagram then fits a 1280-byte IPv6 minimum MTU. */
    static final int MAX_PAYLOAD_BYTES = 1200;

    private static final int TYPE_OFFSET = 1;
    private static final int DESTINATION_OFFSET = 2;
    private static final int PACKET_NUMBER_OFFSET = 10;

    private FrameCodec() {
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes a datagram without moving its reader index.
     *
     * @param datagram the datagram's bytes, from its reader index to its writer index
     * @param into     filled with the header and the frame's fields when the datagram is well formed
     * @return null if the datagram is well formed; otherwise what is wrong with it
     */
    static BadDatagram decode(ByteBuf datagram, Packet into) {
        int start = datagram.readerIndex();
        int length = datagram.readableBytes();
        if (length == 0) {
            return BadDatagram.TRUNCATED;
        }
        if (datagram.getByte(start) != VERSION) {
            return BadDatagram.WRONG_VERSION;
        }
        if (length < HEADER_BYTES) {
            return BadDatagram.TRUNCATED;
        }
        FrameType type = FrameType.of(datagram.getByte(start + TYPE_OFFSET));
        if (type == null) {
            return BadDatagram.UNKNOWN_TYPE;
        }
        int body = start + HEADER_BYTES;
        int bodyLength = length - HEADER_BYTES;
        if (bodyLength < type.fixedBytes) {
            return BadDatagram.TRUNCATED;
        }
        into.type = type;
        into.destinationId = datagram.getLong(start + DESTINATION_OFFSET);
        into.packetNumber = datagram.getInt(start + PACKET_NUMBER_OFFSET);
        int expectedBodyLength = type.fixedBytes;
        // Only a HELLO comes before the receiver has chosen an id.
        if ((type == FrameType.HELLO) != (into.destinationId == 0)) {
            return BadDatagram.BAD_FIELD;
        }
        switch (type) {
            case HELLO, WELCOME -> {
                into.sourceId = datagram.getLong(body);
                if (into.sourceId == 0) {
                    return BadDatagram.BAD_FIELD;
                }
            }
            case DATA -> {
                into.sequence = datagram.getInt(body);
                into.ack = datagram.getInt(body + 4);
                into.payloadLength = datagram.getUnsignedShort(body + 8);
                into.payloadIndex = body + type.fixedBytes;
                if (into.payloadLength > MAX_PAYLOAD_BYTES) {
                    return BadDatagram.BAD_LENGTH;
                }
                expectedBodyLength += into.payloadLength;
                if (bodyLength < expectedBodyLength) {
                    return BadDatagram.TRUNCATED;
                }
            }
            case ACK, CLOSE -> into.ack = datagram.getInt(body);
            case PATH_CHALLENGE, PATH_RESPONSE -> into.token = datagram.getLong(body);
        }
        return bodyLength == expectedBodyLength ? null : BadDatagram.BAD_LENGTH;
    }

    // ------------------------------------------------------------------ encoding

    static ByteBuf hello(ByteBufAllocator alloc, int packetNumber, long clientId) {
        return header(alloc, FrameType.HELLO, 0, packetNumber, 0).writeLong(clientId);
    }

    static ByteBuf welcome(ByteBufAllocator alloc, long clientId, int packetNumber, long serverId) {
        return header(alloc, FrameType.WELCOME, clientId, packetNumber, 0).writeLong(serverId);
    }

    static ByteBuf data(ByteBufAllocator alloc, long destinationId, int packetNumber, int sequence, int ack,
                        byte[] payload) {
        return header(alloc, FrameType.DATA, destinationId, packetNumber, payload.length)
                .writeInt(sequence).writeInt(ack).writeShort(payload.length).writeBytes(payload);
    }

    static ByteBuf ack(ByteBufAllocator alloc, long destinationId, int packetNumber, int ack) {
        return header(alloc, FrameType.ACK, destinationId, packetNumber, 0).writeInt(ack);
    }

    static ByteBuf close(ByteBufAllocator alloc, long destinationId, int packetNumber, int ack) {
        return header(alloc, FrameType.CLOSE, destinationId, packetNumber, 0).writeInt(ack);
    }

    static ByteBuf pathChallenge(ByteBufAllocator alloc, long destinationId, int packetNumber, long token) {
        return header(alloc, FrameType.PATH_CHALLENGE, destinationId, packetNumber, 0).writeLong(token);
    }

    static ByteBuf pathResponse(ByteBufAllocator alloc, long destinationId, int packetNumber, long token) {
        return header(alloc, FrameType.PATH_RESPONSE, destinationId, packetNumber, 0).writeLong(token);
    }

    private static ByteBuf header(ByteBufAllocator alloc, FrameType type, long destinationId, int packetNumber,
                                  int payloadBytes) {
        return alloc.buffer(HEADER_BYTES + type.fixedBytes + payloadBytes)
                .writeByte(VERSION).writeByte(type.code).writeLong(destinationId).writeInt(packetNumber);
    }
}
