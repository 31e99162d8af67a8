package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private final Packet packet = new Packet();

    private BadDatagram decode(byte[] bytes) {
        return FrameCodec.decode(Unpooled.wrappedBuffer(bytes), packet);
    }

    @Test
    void everyFrameTypeRoundTrips() {
        assertThat(decode(Frames.hello(7, 123))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.HELLO);
        assertThat(packet.destinationId).isZero();
        assertThat(packet.packetNumber).isEqualTo(7);
        assertThat(packet.sourceId).isEqualTo(123);

        assertThat(decode(Frames.welcome(123, 8, 456))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.WELCOME);
        assertThat(packet.destinationId).isEqualTo(123);
        assertThat(packet.sourceId).isEqualTo(456);

        byte[] data = Frames.data(Long.MIN_VALUE, -1, Integer.MAX_VALUE, -5, new byte[] {1, 2, 3});
        ByteBuf datagram = Unpooled.wrappedBuffer(data);
        assertThat(FrameCodec.decode(datagram, packet)).isNull();
        assertThat(packet.type).isEqualTo(FrameType.DATA);
        assertThat(packet.destinationId).isEqualTo(Long.MIN_VALUE);
        assertThat(packet.packetNumber).isEqualTo(-1);
        assertThat(packet.sequence).isEqualTo(Integer.MAX_VALUE);
        assertThat(packet.ack).isEqualTo(-5);
        assertThat(Unpooled.copiedBuffer(packet.payload(datagram)).array()).containsExactly(1, 2, 3);
        assertThat(datagram.readerIndex()).as("decoding reads in place").isZero();

        assertThat(decode(Frames.ack(9, 1, 41))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.ACK);
        assertThat(packet.ack).isEqualTo(41);

        assertThat(decode(Frames.close(9, 1, 42))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.CLOSE);
        assertThat(packet.ack).isEqualTo(42);

        assertThat(decode(Frames.pathChallenge(9, 1, -77))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.PATH_CHALLENGE);
        assertThat(packet.token).isEqualTo(-77);

        assertThat(decode(Frames.pathResponse(9, 1, 78))).isNull();
        assertThat(packet.type).isEqualTo(FrameType.PATH_RESPONSE);
        assertThat(packet.token).isEqualTo(78);
    }

    @Test
    void aDataFrameCarriesUpTo1200BytesAndNoMore() {
        assertThat(decode(Frames.data(9, 1, 1, 0, new byte[FrameCodec.MAX_PAYLOAD_BYTES]))).isNull();
        assertThat(packet.payloadLength).isEqualTo(1200);
        byte[] tooLong = Frames.data(9, 1, 1, 0, new byte[FrameCodec.MAX_PAYLOAD_BYTES + 1]);
        assertThat(decode(tooLong)).isEqualTo(BadDatagram.BAD_LENGTH);
        assertThat(decode(Frames.data(9, 1, 1, 0, new byte[0]))).as("an empty frame is fine").isNull();
    }

    @Test
    void everyShortenedFrameIsTruncated() {
        for (byte[] template : Frames.templates(9)) {
            for (int length = 0; length < template.length; length++) {
                assertThat(decode(Arrays.copyOf(template, length)))
                        .as("%d of %d bytes of %s", length, template.length, template[1])
                        .isEqualTo(BadDatagram.TRUNCATED);
            }
        }
    }

    @Test
    void aDataFrameShorterThanItsLengthFieldIsTruncatedAndLongerIsBadLength() {
        byte[] data = Frames.data(9, 1, 1, 0, new byte[] {1, 2, 3});
        assertThat(decode(Arrays.copyOf(data, data.length - 1))).isEqualTo(BadDatagram.TRUNCATED);
        assertThat(decode(Arrays.copyOf(data, data.length + 1))).isEqualTo(BadDatagram.BAD_LENGTH);
    }

    @Test
    void trailingBytesMakeAnyFrameBadLength() {
        for (byte[] template : Frames.templates(9)) {
            assertThat(decode(Arrays.copyOf(template, template.length + 1))).isEqualTo(BadDatagram.BAD_LENGTH);
        }
    }

    @Test
    void anotherVersionIsRefusedWhateverFollows() {
        byte[] ack = Frames.ack(9, 1, 1);
        for (int version : new int[] {0, 2, 0x7f, 0xff}) {
            ack[0] = (byte) version;
            assertThat(decode(ack)).isEqualTo(BadDatagram.WRONG_VERSION);
        }
        assertThat(decode(new byte[] {2})).isEqualTo(BadDatagram.WRONG_VERSION);
    }

    @Test
    void anUnknownFrameTypeIsRefused() {
        byte[] ack = Frames.ack(9, 1, 1);
        for (int type : new int[] {0, 8, 9, 0x7f, 0x80, 0xff}) {
            ack[1] = (byte) type;
            assertThat(decode(ack)).as("type %d", type).isEqualTo(BadDatagram.UNKNOWN_TYPE);
        }
    }

    @Test
    void connectionIdsMustBeWhereTheFormatSays() {
        byte[] helloToSomeone = Frames.hello(1, 5);
        helloToSomeone[9] = 1;
        assertThat(decode(helloToSomeone)).as("a HELLO is addressed to no one yet").isEqualTo(BadDatagram.BAD_FIELD);
        assertThat(decode(Frames.hello(1, 0))).as("a HELLO needs the client's id").isEqualTo(BadDatagram.BAD_FIELD);
        assertThat(decode(Frames.welcome(5, 1, 0))).isEqualTo(BadDatagram.BAD_FIELD);
        assertThat(decode(Frames.ack(0, 1, 1))).as("only a HELLO goes to id 0").isEqualTo(BadDatagram.BAD_FIELD);
        assertThat(decode(Frames.data(0, 1, 1, 0, new byte[1]))).isEqualTo(BadDatagram.BAD_FIELD);
    }
}
