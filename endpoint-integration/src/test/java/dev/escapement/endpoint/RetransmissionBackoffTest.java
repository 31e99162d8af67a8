package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.connection.TimeoutEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client against a peer played by hand: it completes the handshake, then withholds its
 * acknowledgements, so the client's retransmissions and their back-off can be watched on the wire.
 */
class RetransmissionBackoffTest {

    /** The RTO after the handshake's sample (a loopback round trip) is this minimum. */
    private static final Duration MIN_RTO = Duration.ofMillis(50);
    /** The handshake itself is never retried: its first RTO is long. */
    private static final Duration INITIAL_RTO = Duration.ofSeconds(20);
    private static final long SERVER_ID = 31337;

    private record Established(Connection connection, long clientId, long rtoAfterHandshakeNs) {
    }

    /** Connects to {@code server}, which answers the HELLO at once on its event loop and then stays silent. */
    private static Established connect(Endpoint client, RawPeer server, RecordingHandler handler) throws Exception {
        server.answer(datagram -> datagram.is(FrameType.HELLO)
                ? Frames.welcome(datagram.packet().sourceId, 0, SERVER_ID)
                : null);
        // A first connection loads and compiles the paths, so that the measured one's RTT sample is a
        // loopback round trip and not class loading.
        Connection warmUp = client.connect(server.address(), RecordingHandler.recording()).get(30, TimeUnit.SECONDS);
        warmUp.close();
        server.next(FrameType.CLOSE);
        Connection connection = client.connect(server.address(), handler).get(30, TimeUnit.SECONDS);
        long clientId = server.next("the second HELLO", datagram -> datagram.is(FrameType.HELLO)
                && datagram.packet().sourceId != warmUp.id()).packet().sourceId;
        server.next("the acknowledgement of the WELCOME", datagram -> datagram.is(FrameType.ACK) && datagram.packet().ack == 0);
        server.answer(datagram -> null);
        return new Established(connection, clientId, Loopback.onLoop(connection, connection::stats).rtoNs());
    }

    /** The RTO after {@code backoffs} doublings of the one the handshake set, capped at the maximum. */
    private static long backedOff(Established established, int backoffs) {
        long rtoNs = established.rtoAfterHandshakeNs();
        for (int i = 0; i < backoffs; i++) {
            rtoNs = Math.min(INITIAL_RTO.toNanos(), 2 * rtoNs);
        }
        return rtoNs;
    }

    @Test
    void anUnacknowledgedFrameIsSentAgainWithADoublingRtoUntilTheConnectionGivesUp() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer server = new RawPeer(loopback.group)) {
            Endpoint client = loopback.endpoint(b -> b.rto(INITIAL_RTO, MIN_RTO, INITIAL_RTO).maxRetransmissions(5)
                    .idleTimeout(Duration.ofMinutes(5)));
            RecordingHandler handler = RecordingHandler.recording();
            Established established = connect(client, server, handler);
            Exchange.send(established.connection(), 0, 1);

            for (int copy = 0; copy < 6; copy++) {
                RawPeer.Received data = server.next(FrameType.DATA);
                assertThat(data.packet().sequence).as("copy %d is frame 1 again", copy).isEqualTo(1);
                assertThat(data.packet().destinationId).isEqualTo(SERVER_ID);
            }
            Loopback.await("the connection to give up", () -> handler.closed.get() != null);
            assertThat(handler.closed.get()).isEqualTo(CloseReason.RETRANSMISSION_LIMIT);
            assertThat(handler.unacknowledgedAtClose).containsExactly(1);

            ConnectionStats stats = handler.statsAtClose.get();
            assertThat(stats.framesRetransmitted()).isEqualTo(5);
            assertThat(stats.retransmissionTimeouts()).as("five retransmissions, then the sixth timeout gives up")
                    .isEqualTo(6);
            assertThat(stats.backoffs()).isEqualTo(6);
            assertThat(stats.rtoNs()).as("doubled six times").isEqualTo(backedOff(established, 6));
            EndpointStats endpointStats = client.stats();
            assertThat(endpointStats.timeouts(TimeoutEvent.RETRANSMISSION)).isEqualTo(6);
            assertThat(endpointStats.closed(CloseReason.RETRANSMISSION_LIMIT)).isEqualTo(1);
            assertThat(endpointStats.framesUnconfirmedAtClose()).isEqualTo(1);
            // Each handshake's sample (the warm-up's and this one's) set an RTO, each back-off another.
            org.HdrHistogram.Histogram rtos = client.rtoHistogram();
            assertThat(rtos.getTotalCount()).isEqualTo(2 + 6);
            assertThat(rtos.valuesAreEquivalent(rtos.getMaxValue(), backedOff(established, 6))).isTrue();
            assertThat(server.received.stream().filter(d -> d.is(FrameType.DATA))).as("no copy after giving up").isEmpty();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void anAcknowledgementOfARetransmittedFrameTakesNoSampleAndKeepsTheBackOff() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer server = new RawPeer(loopback.group)) {
            Endpoint client = loopback.endpoint(b -> b.rto(INITIAL_RTO, MIN_RTO, INITIAL_RTO).maxRetransmissions(20));
            Established established = connect(client, server, RecordingHandler.recording());
            Connection connection = established.connection();
            long samplesAfterHandshake = Loopback.onLoop(connection, connection::stats).rttSamples();

            Exchange.send(connection, 0, 1);
            server.next(FrameType.DATA);
            server.next(FrameType.DATA);
            server.send(Frames.ack(established.clientId(), 1, 1), client.localAddress());
            Loopback.await("the acknowledgement", () -> Loopback.onLoop(connection, connection::unacknowledgedFrames) == 0);

            ConnectionStats afterAmbiguousAck = Loopback.onLoop(connection, connection::stats);
            assertThat(afterAmbiguousAck.rttSamples()).as("Karn's rule").isEqualTo(samplesAfterHandshake);
            assertThat(afterAmbiguousAck.samplesSkippedByKarn()).isEqualTo(1);
            assertThat(afterAmbiguousAck.backoffs()).isPositive();
            assertThat(afterAmbiguousAck.rtoNs()).as("the backed-off RTO stands")
                    .isEqualTo(backedOff(established, afterAmbiguousAck.backoffs()));

            Exchange.send(connection, 1, 2);
            RawPeer.Received fresh = server.next(FrameType.DATA);
            assertThat(fresh.packet().sequence).isEqualTo(2);
            server.send(Frames.ack(established.clientId(), 2, 2), client.localAddress());
            Loopback.await("a valid sample", () -> Loopback.onLoop(connection, connection::stats).rttSamples() > samplesAfterHandshake);
            ConnectionStats afterSample = Loopback.onLoop(connection, connection::stats);
            assertThat(afterSample.backoffs()).as("a valid sample ends the back-off").isZero();
            assertThat(afterSample.rtoNs()).isLessThan(afterAmbiguousAck.rtoNs());
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
