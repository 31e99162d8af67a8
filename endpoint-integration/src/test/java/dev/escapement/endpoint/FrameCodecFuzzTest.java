package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decoder against random and mutated datagrams: it never throws, never reads past the
 * datagram, and accepts only what re-encodes to the same bytes (one encoding per frame, so a
 * mutation is either caught or is another well-formed frame).
 */
class FrameCodecFuzzTest {

    private static final int DATAGRAMS = 200_000;

    private final Packet packet = new Packet();
    private final Map<BadDatagram, Integer> verdicts = new EnumMap<>(BadDatagram.class);
    private int wellFormed;

    @Test
    void randomAndMutatedDatagramsAreRefusedOrAreCanonicalFrames() {
        SplittableRandom random = new SplittableRandom(20240607L);
        byte[][] templates = Frames.templates(0x0102030405060708L);
        for (int i = 0; i < DATAGRAMS; i++) {
            byte[] bytes = i % 2 == 0
                    ? Frames.garbage(random)
                    : Frames.mutate(templates[random.nextInt(templates.length)], random);
            check(bytes);
        }
        // Every verdict was reached, and some mutations were still frames.
        assertThat(verdicts.keySet()).contains(BadDatagram.TRUNCATED, BadDatagram.WRONG_VERSION,
                BadDatagram.UNKNOWN_TYPE, BadDatagram.BAD_LENGTH, BadDatagram.BAD_FIELD);
        assertThat(wellFormed).isPositive();
    }

    private void check(byte[] bytes) {
        // The datagram sits inside a larger buffer: the decoder must stay within its readable bytes.
        ByteBuf datagram = Unpooled.buffer(bytes.length + 32).writerIndex(16).writeBytes(bytes);
        datagram.readerIndex(16);
        datagram.setByte(bytes.length + 16, 0x7f);
        BadDatagram verdict = FrameCodec.decode(datagram, packet);
        assertThat(datagram.readerIndex()).isEqualTo(16);
        if (verdict != null) {
            verdicts.merge(verdict, 1, Integer::sum);
            return;
        }
        wellFormed++;
        assertThat(reencode(datagram)).as("a well-formed datagram re-encodes to itself").isEqualTo(bytes);
    }

    private byte[] reencode(ByteBuf datagram) {
        return switch (packet.type) {
            case HELLO -> Frames.hello(packet.packetNumber, packet.sourceId);
            case WELCOME -> Frames.welcome(packet.destinationId, packet.packetNumber, packet.sourceId);
            case DATA -> Frames.data(packet.destinationId, packet.packetNumber, packet.sequence, packet.ack,
                    Frames.bytes(packet.payload(datagram).retain()));
            case ACK -> Frames.ack(packet.destinationId, packet.packetNumber, packet.ack);
            case CLOSE -> Frames.close(packet.destinationId, packet.packetNumber, packet.ack);
            case PATH_CHALLENGE -> Frames.pathChallenge(packet.destinationId, packet.packetNumber, packet.token);
            case PATH_RESPONSE -> Frames.pathResponse(packet.destinationId, packet.packetNumber, packet.token);
        };
    }
}
