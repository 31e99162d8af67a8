package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.SplittableRandom;

/** Encoded frames as byte arrays, for tests that send or decode raw datagrams. */
final class Frames {

    static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private Frames() {
    }

    static byte[] bytes(ByteBuf buffer) {
        try {
            return ByteBufUtil.getBytes(buffer);
        } finally {
            buffer.release();
        }
    }

    static byte[] hello(int packetNumber, long clientId) {
        return bytes(FrameCodec.hello(ALLOC, packetNumber, clientId));
    }

    static byte[] welcome(long clientId, int packetNumber, long serverId) {
        return bytes(FrameCodec.welcome(ALLOC, clientId, packetNumber, serverId));
    }

    static byte[] data(long destinationId, int packetNumber, int sequence, int ack, byte[] payload) {
        return bytes(FrameCodec.data(ALLOC, destinationId, packetNumber, sequence, ack, payload));
    }

    static byte[] ack(long destinationId, int packetNumber, int ack) {
        return bytes(FrameCodec.ack(ALLOC, destinationId, packetNumber, ack));
    }

    static byte[] close(long destinationId, int packetNumber, int ack) {
        return bytes(FrameCodec.close(ALLOC, destinationId, packetNumber, ack));
    }

    static byte[] pathChallenge(long destinationId, int packetNumber, long token) {
        return bytes(FrameCodec.pathChallenge(ALLOC, destinationId, packetNumber, token));
    }

    static byte[] pathResponse(long destinationId, int packetNumber, long token) {
        return bytes(FrameCodec.pathResponse(ALLOC, destinationId, packetNumber, token));
    }

    /** One well-formed datagram of each frame type, addressed to {@code destinationId} (HELLO to 0). */
    static byte[][] templates(long destinationId) {
        return new byte[][] {
            hello(1, 77),
            welcome(destinationId, 2, 88),
            data(destinationId, 3, 1, 0, new byte[] {10, 20, 30}),
            ack(destinationId, 4, 1),
            pathChallenge(destinationId, 5, 99),
            pathResponse(destinationId, 6, 99),
            close(destinationId, 7, 1),
        };
    }

    /**
     * Random bytes, half of them starting with the right version byte so that more of the decoder
     * is reached. Never empty: Netty does not send an empty datagram (the codec test covers it).
     */
    static byte[] garbage(SplittableRandom random) {
        byte[] bytes = new byte[random.nextInt(1, 64)];
        random.nextBytes(bytes);
        if (bytes.length > 1 && random.nextBoolean()) {
            bytes[0] = FrameCodec.VERSION;
            bytes[1] = (byte) random.nextInt(0, 9);
        }
        return bytes;
    }

    /** A template mutated: bytes flipped, the datagram cut short (never to nothing) or lengthened. */
    static byte[] mutate(byte[] template, SplittableRandom random) {
        byte[] bytes = template.clone();
        switch (random.nextInt(4)) {
            case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> {
                for (int i = random.nextInt(1, 4); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(1, bytes.length));
            default -> {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length + random.nextInt(1, 8));
                for (int i = template.length; i < bytes.length; i++) {
                    bytes[i] = (byte) random.nextInt(256);
                }
            }
        }
        return bytes;
    }
}
