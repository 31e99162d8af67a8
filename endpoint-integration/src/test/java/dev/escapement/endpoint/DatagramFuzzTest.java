package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated datagrams through a real endpoint's pipeline: nothing escapes as an
 * exception, every datagram is accounted for, a connection not addressed by the fuzz is unharmed,
 * one that is fuzzed may be disturbed but not broken, and every timer the fuzz caused (half-open
 * handshakes from mutated HELLOs) is gone once they time out.
 */
class DatagramFuzzTest {

    private static final int DATAGRAMS = 3_000;
    /** Sent in batches, each read before the next, so the socket's buffer never overflows. */
    private static final int BATCH = 50;

    @Test
    void fuzzedDatagramsNeverThrowNeverLeakATimerAndSpareOtherConnections() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer fuzzer = new RawPeer(loopback.group)) {
            RecordingHandler bystanderSide = RecordingHandler.echoing();
            RecordingHandler victimSide = RecordingHandler.echoing();
            RecordingHandler[] next = {bystanderSide, victimSide};
            int[] accepted = {0};
            Endpoint server = loopback.endpoint(b -> b
                    .accept(() -> accepted[0] < 2 ? next[accepted[0]++] : RecordingHandler.recording())
                    .connectionTimeout(Duration.ofMillis(300)));
            Endpoint client = loopback.endpoint(b -> b);
            RecordingHandler bystander = RecordingHandler.recording();
            Connection bystanderConnection = client.connect(server.localAddress(), bystander).get(30, TimeUnit.SECONDS);
            Loopback.await("the bystander's server side", () -> bystanderSide.established.get() != null);
            client.connect(server.localAddress(), RecordingHandler.recording())
                    .get(30, TimeUnit.SECONDS);
            Loopback.await("the victim's server side", () -> victimSide.established.get() != null);
            long victimId = victimSide.established.get().id();
            long bystanderId = bystanderSide.established.get().id();

            SplittableRandom random = new SplittableRandom(1234);
            byte[][] strangers = Frames.templates(0x5eed);
            byte[][] victims = Frames.templates(victimId);
            long receivedBefore = server.stats().datagramsReceived();
            int sent = 0;
            for (int made = 0; sent < DATAGRAMS; ) {
                for (int i = 0; i < BATCH; i++, made++) {
                    byte[] datagram = switch (made % 3) {
                        case 0 -> Frames.garbage(random);
                        case 1 -> Frames.mutate(strangers[random.nextInt(strangers.length)], random);
                        default -> Frames.mutate(victims[random.nextInt(victims.length)], random);
                    };
                    if (destinationId(datagram) == bystanderId) {
                        continue;  // the bystander must be spared: nothing is addressed to it
                    }
                    fuzzer.send(datagram, server.localAddress());
                    sent++;
                }
                int expected = sent;
                Loopback.await(expected + " datagrams to be read",
                        () -> server.stats().datagramsReceived() - receivedBefore == expected);
            }

            EndpointStats stats = server.stats();
            assertThat(stats.handlerFailures()).as("nothing escaped as an exception").isZero();
            for (BadDatagram kind : new BadDatagram[] {BadDatagram.TRUNCATED, BadDatagram.WRONG_VERSION,
                    BadDatagram.UNKNOWN_TYPE, BadDatagram.BAD_LENGTH, BadDatagram.UNKNOWN_CONNECTION}) {
                assertThat(stats.badDatagrams(kind)).as("the fuzz reached %s", kind).isPositive();
            }
            assertThat(stats.connectionsOpened()).as("mutated HELLOs opened half-open connections").isGreaterThan(2);

            // They can close no other way: nothing is addressed to them. (The victim may have been closed by a CLOSE.)
            Loopback.await("the half-open connections to time out",
                    () -> server.stats().closed(CloseReason.CONNECTION_TIMEOUT) == stats.connectionsOpened() - 2);

            assertThat(bystanderConnection.isClosed()).isFalse();
            Exchange.send(bystanderConnection, 0, 20);
            Loopback.await("the bystander's echoes", () -> bystander.frames.size() == 20);
            Exchange.assertNumberedInOrder(bystander.frames, 20);
            Exchange.assertNumberedInOrder(bystanderSide.frames, 20);

            loopback.closeEndpointsAndExpectNoTimers();
            assertThat(server.stats().handlerFailures()).isZero();
            assertThat(client.stats().handlerFailures()).isZero();
        }
    }

    private static long destinationId(byte[] datagram) {
        return datagram.length >= 10 ? io.netty.buffer.Unpooled.wrappedBuffer(datagram).getLong(2) : 0;
    }
}
