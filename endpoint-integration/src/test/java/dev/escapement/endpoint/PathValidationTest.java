package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.connection.TimeoutEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A peer's address changes: the new path is challenged, and validated or abandoned. */
class PathValidationTest {

    @Test
    void aClientThatMovesToANewPortIsValidatedAndKeepsItsConnection() throws Exception {
        try (Loopback loopback = new Loopback()) {
            RecordingHandler serverSide = RecordingHandler.echoing();
            // RTOs far above a loopback round trip: a migration must cost no retransmission.
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide)
                    .rto(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)));
            Endpoint client = loopback.endpoint(b -> b.rto(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10)));
            RecordingHandler clientSide = RecordingHandler.recording();
            Connection connection = client.connect(server.localAddress(), clientSide).get(30, TimeUnit.SECONDS);
            Exchange.send(connection, 0, 50);
            Loopback.await("the first echoes", () -> clientSide.frames.size() == 50);

            InetSocketAddress before = client.localAddress();
            InetSocketAddress after = client.rebind().get(30, TimeUnit.SECONDS);
            assertThat(after.getPort()).isNotEqualTo(before.getPort());
            Exchange.send(connection, 50, 100);
            Loopback.await("the echoes after the move", () -> clientSide.frames.size() == 100);

            Connection accepted = serverSide.established.get();
            Loopback.await("the server to validate the new path",
                    () -> server.stats().pathValidationsSucceeded() == 1);
            assertThat(Loopback.onLoop(accepted, accepted::peerAddress)).isEqualTo(after);
            EndpointStats stats = server.stats();
            assertThat(stats.pathValidationsStarted()).isEqualTo(1);
            assertThat(stats.pathValidationsFailed()).isZero();
            assertThat(stats.timeouts(TimeoutEvent.PATH_VALIDATION)).isZero();
            Exchange.assertNumberedInOrder(serverSide.frames, 100);
            Exchange.assertNumberedInOrder(clientSide.frames, 100);
            assertThat(client.stats().plus(stats).framesRetransmitted()).isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void anUnansweredChallengeTimesOutAndTheConnectionReturnsToItsValidatedAddress() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer spoofer = new RawPeer(loopback.group)) {
            RecordingHandler serverSide = RecordingHandler.echoing();
            // Initial RTO 100 ms: the challenge gets 3 x 100 ms (the measured PTO is smaller).
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide)
                    .rto(Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofSeconds(1)).maxRetransmissions(30));
            Endpoint client = loopback.endpoint(b -> b.rto(Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofSeconds(1))
                    .maxRetransmissions(30));
            RecordingHandler clientSide = RecordingHandler.recording();
            Connection connection = client.connect(server.localAddress(), clientSide).get(30, TimeUnit.SECONDS);
            Exchange.send(connection, 0, 10);
            Loopback.await("the first echoes", () -> clientSide.frames.size() == 10);
            Connection accepted = serverSide.established.get();

            // A packet for the connection from another address, newer than any the client sent.
            spoofer.send(Frames.ack(accepted.id(), 1_000_000, 0), server.localAddress());
            RawPeer.Received challenge = spoofer.next(FrameType.PATH_CHALLENGE);
            assertThat(challenge.packet().destinationId).isEqualTo(connection.id());

            Loopback.await("the validation to time out", () -> server.stats().pathValidationsFailed() == 1);
            assertThat(Loopback.onLoop(accepted, accepted::peerAddress)).isEqualTo(client.localAddress());
            assertThat(server.stats().timeouts(TimeoutEvent.PATH_VALIDATION)).isEqualTo(1);
            assertThat(server.stats().pathValidationsSucceeded()).isZero();

            Exchange.send(connection, 10, 20);
            Loopback.await("echoes on the validated path again", () -> clientSide.frames.size() == 20);
            Exchange.assertNumberedInOrder(clientSide.frames, 20);
            assertThat(accepted.isClosed()).isFalse();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
