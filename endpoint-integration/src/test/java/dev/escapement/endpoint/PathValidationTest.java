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
            // Slow RTOs: a migration must cost no retransmission, and none can be spurious.
            Loopback.EchoPair pair = loopback.echoPair(Loopback.SLOW_RTO);
            Exchange.send(pair.connection(), 0, 50);
            Loopback.await("the first echoes", () -> pair.clientSide().frames.size() == 50);

            InetSocketAddress before = pair.client().localAddress();
            InetSocketAddress after = pair.client().rebind().get(30, TimeUnit.SECONDS);
            assertThat(after.getPort()).isNotEqualTo(before.getPort());
            Exchange.send(pair.connection(), 50, 100);
            Loopback.await("the echoes after the move", () -> pair.clientSide().frames.size() == 100);

            Connection accepted = pair.accepted();
            Loopback.await("the server to validate the new path",
                    () -> pair.server().stats().pathValidationsSucceeded() == 1);
            assertThat(Loopback.onLoop(accepted, accepted::peerAddress)).isEqualTo(after);
            EndpointStats stats = pair.server().stats();
            assertThat(stats.pathValidationsStarted()).isEqualTo(1);
            assertThat(stats.pathValidationsFailed()).isZero();
            assertThat(stats.timeouts(TimeoutEvent.PATH_VALIDATION)).isZero();
            Exchange.assertNumberedInOrder(pair.serverSide().frames, 100);
            Exchange.assertNumberedInOrder(pair.clientSide().frames, 100);
            assertThat(pair.client().stats().plus(stats).framesRetransmitted()).isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void anUnansweredChallengeTimesOutAndTheConnectionReturnsToItsValidatedAddress() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer spoofer = new RawPeer(loopback.group)) {
            // Initial RTO 100 ms: the challenge gets 3 x 100 ms (the measured PTO is smaller).
            Loopback.EchoPair pair = loopback.echoPair(b -> b.rto(Duration.ofMillis(100), Duration.ofMillis(20),
                    Duration.ofSeconds(1)).maxRetransmissions(30));
            Exchange.send(pair.connection(), 0, 10);
            Loopback.await("the first echoes", () -> pair.clientSide().frames.size() == 10);
            Connection accepted = pair.accepted();

            // A packet for the connection from another address, newer than any the client sent.
            spoofer.send(Frames.ack(accepted.id(), 1_000_000, 0), pair.server().localAddress());
            RawPeer.Received challenge = spoofer.next(FrameType.PATH_CHALLENGE);
            assertThat(challenge.packet().destinationId).isEqualTo(pair.connection().id());

            Loopback.await("the validation to time out", () -> pair.server().stats().pathValidationsFailed() == 1);
            assertThat(Loopback.onLoop(accepted, accepted::peerAddress)).isEqualTo(pair.client().localAddress());
            assertThat(pair.server().stats().timeouts(TimeoutEvent.PATH_VALIDATION)).isEqualTo(1);
            assertThat(pair.server().stats().pathValidationsSucceeded()).isZero();

            Exchange.send(pair.connection(), 10, 20);
            Loopback.await("echoes on the validated path again", () -> pair.clientSide().frames.size() == 20);
            Exchange.assertNumberedInOrder(pair.clientSide().frames, 20);
            assertThat(accepted.isClosed()).isFalse();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
