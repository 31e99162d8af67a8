package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Datagrams an endpoint must drop: each is counted by kind, and the connection beside them is unharmed. */
class BadDatagramTest {

    @Test
    void badDatagramsAreCountedByKindAndHarmNoConnection() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer attacker = new RawPeer(loopback.group)) {
            Loopback.EchoPair pair = loopback.echoPair(b -> b);
            long liveId = pair.accepted().id();
            long receivedBefore = pair.server().stats().datagramsReceived();

            byte[] wrongVersion = Frames.ack(liveId, 0, 0);
            wrongVersion[0] = 2;
            byte[] unknownType = Frames.ack(liveId, 0, 0);
            unknownType[1] = 0x55;
            byte[] tooLong = Frames.data(liveId, 0, 1, 0, new byte[3]);
            tooLong[22] = 0x7f;
            byte[] trailing = java.util.Arrays.copyOf(Frames.ack(liveId, 0, 0), 19);
            byte[][] bad = {
                new byte[] {1},
                new byte[] {1, 3},
                java.util.Arrays.copyOf(Frames.ack(liveId, 0, 0), 16),
                wrongVersion,
                unknownType,
                tooLong,
                trailing,
                Frames.hello(0, 0),
                Frames.ack(liveId + 1, 0, 0),
                // Well formed and for the live connection, but it acknowledges a frame never sent
                // (packet number 0 is not newer than the client's, so the path does not move).
                Frames.ack(liveId, 0, 1_000),
            };
            for (byte[] datagram : bad) {
                attacker.send(datagram, pair.server().localAddress());
            }
            Loopback.await("every bad datagram to be read", () -> pair.server().stats().datagramsReceived() - receivedBefore == bad.length);
            EndpointStats stats = pair.server().stats();
            assertThat(stats.badDatagrams(BadDatagram.TRUNCATED)).isEqualTo(3);
            assertThat(stats.badDatagrams(BadDatagram.WRONG_VERSION)).isEqualTo(1);
            assertThat(stats.badDatagrams(BadDatagram.UNKNOWN_TYPE)).isEqualTo(1);
            assertThat(stats.badDatagrams(BadDatagram.BAD_LENGTH)).isEqualTo(2);
            assertThat(stats.badDatagrams(BadDatagram.BAD_FIELD)).isEqualTo(1);
            assertThat(stats.badDatagrams(BadDatagram.UNKNOWN_CONNECTION)).isEqualTo(1);
            assertThat(stats.badDatagrams(BadDatagram.PROTOCOL_VIOLATION)).isEqualTo(1);

            SplittableRandom random = new SplittableRandom(7);
            int garbage = 1_000;
            for (int i = 0; i < garbage; i++) {
                byte[] datagram = Frames.garbage(random);
                if (datagram.length > 1 && datagram[0] == FrameCodec.VERSION && datagram[1] == FrameType.HELLO.code) {
                    datagram[1] = 0;  // no handshakes here: the fuzz test covers those
                }
                attacker.send(datagram, pair.server().localAddress());
            }
            Loopback.await("the garbage to be read",
                    () -> pair.server().stats().datagramsReceived() - receivedBefore == bad.length + garbage);
            assertThat(pair.server().stats().badDatagrams()).isEqualTo(bad.length + garbage);
            assertThat(pair.server().stats().handlerFailures()).isZero();
            assertThat(pair.server().stats().connectionsOpened()).isEqualTo(1);

            Exchange.send(pair.connection(), 0, 20);
            Loopback.await("the live connection's echoes", () -> pair.clientSide().frames.size() == 20);
            Exchange.assertNumberedInOrder(pair.serverSide().frames, 20);
            assertThat(pair.connection().isClosed()).isFalse();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
