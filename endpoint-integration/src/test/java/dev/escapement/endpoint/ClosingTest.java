package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing: the CLOSE carries the final acknowledgement, and a peer that missed it is told again. */
class ClosingTest {

    @Test
    void aLatePacketForAClosedConnectionIsAnsweredWithAClose() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer server = new RawPeer(loopback.group)) {
            long serverId = 777;
            server.answer(datagram -> datagram.is(FrameType.HELLO)
                    ? Frames.welcome(datagram.packet().sourceId, 0, serverId)
                    : null);
            Endpoint client = loopback.endpoint(b -> b);
            RecordingHandler handler = RecordingHandler.recording();
            Connection connection = client.connect(server.address(), handler).get(30, TimeUnit.SECONDS);
            server.send(Frames.data(connection.id(), 1, 1, 0, new byte[] {42}), client.localAddress());
            Loopback.await("the frame", () -> handler.frames.size() == 1);
            connection.close();

            RawPeer.Received close = server.next(FrameType.CLOSE);
            assertThat(close.packet().destinationId).isEqualTo(serverId);
            assertThat(close.packet().ack).as("the final acknowledgement").isEqualTo(1);

            // The server missed it and sends again: it is told again, with a newer packet number.
            server.send(Frames.data(connection.id(), 2, 2, 0, new byte[] {43}), client.localAddress());
            RawPeer.Received again = server.next(FrameType.CLOSE);
            assertThat(again.packet().destinationId).isEqualTo(serverId);
            assertThat(again.packet().ack).isEqualTo(1);
            assertThat(again.packet().packetNumber).isGreaterThan(close.packet().packetNumber);

            // A CLOSE is never answered (no ping-pong): the next answer is to the DATA sent after it.
            server.send(Frames.close(connection.id(), 3, 0), client.localAddress());
            server.send(Frames.data(connection.id(), 4, 3, 0, new byte[] {44}), client.localAddress());
            RawPeer.Received third = server.next(FrameType.CLOSE);
            assertThat(third.packet().packetNumber).as("nothing was sent for the CLOSE")
                    .isEqualTo(again.packet().packetNumber + 1);
            Loopback.await("the late packets to be counted", () -> client.stats().latePackets() == 3);
            assertThat(client.stats().badDatagrams()).as("late packets are not bad ones").isZero();
            assertThat(handler.frames).hasSize(1);
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
