package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.connection.TimeoutEvent;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handshake on loopback: both sides established, retries on the RTO, and the connection timeout. */
class HandshakeTest {

    @Test
    void aClientConnectsAndBothSidesKnowEachOther() throws Exception {
        try (Loopback loopback = new Loopback()) {
            RecordingHandler serverSide = RecordingHandler.recording();
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide));
            Endpoint client = loopback.endpoint(b -> b);
            RecordingHandler clientSide = RecordingHandler.recording();

            Connection connection = client.connect(server.localAddress(), clientSide).get(30, TimeUnit.SECONDS);
            Loopback.await("the server side to be established", () -> serverSide.established.get() != null);
            Connection accepted = serverSide.established.get();

            assertThat(connection.isClient()).isTrue();
            assertThat(accepted.isClient()).isFalse();
            assertThat(Loopback.onLoop(connection, connection::peerId)).isEqualTo(accepted.id());
            assertThat(Loopback.onLoop(accepted, accepted::peerId)).isEqualTo(connection.id());
            assertThat(Loopback.onLoop(accepted, accepted::peerAddress)).isEqualTo(client.localAddress());
            assertThat(clientSide.established.get()).isSameAs(connection);
            assertThat(server.stats().connectionsEstablished()).isEqualTo(1);
            assertThat(client.stats().connectionsEstablished()).isEqualTo(1);
            assertThat(loopback.timer.stats().activeConnections()).isEqualTo(2);
            Loopback.await("one wheel entry per connection",
                    () -> loopback.timer.stats().pending() == 2 && loopback.timer.stats().commandQueueDepth() == 0);

            connection.close();
            Loopback.await("the server side to close", () -> serverSide.closed.get() != null);
            assertThat(serverSide.closed.get()).isEqualTo(CloseReason.CLOSED_BY_PEER);
            assertThat(clientSide.closed.get()).isEqualTo(CloseReason.CLOSED_LOCALLY);
            assertThat(loopback.timer.stats().activeConnections()).isZero();
            Loopback.awaitNoPendingTimers(loopback.timer);
        }
    }

    @Test
    void aHandshakeNobodyAnswersIsRetriedThenTimesOut() throws Exception {
        try (Loopback loopback = new Loopback(); RawPeer silent = new RawPeer(loopback.group)) {
            Endpoint client = loopback.endpoint(b -> b.connectionTimeout(Duration.ofSeconds(2))
                    .rto(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(10)));
            RecordingHandler handler = RecordingHandler.recording();
            CompletableFuture<Connection> connecting = client.connect(silent.address(), handler);

            assertThatThrownBy(() -> connecting.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ConnectException.class);
            assertThat(handler.closed.get()).isEqualTo(CloseReason.CONNECTION_TIMEOUT);
            assertThat(handler.established.get()).isNull();

            Loopback.await("every HELLO sent to arrive",
                    () -> silent.received.size() == client.stats().framesRetransmitted() + 1);
            List<RawPeer.Received> hellos = new ArrayList<>(silent.received);
            assertThat(hellos).as("the HELLO and its retries on the RTO (100, 200, 400, 800 ms apart)")
                    .hasSizeGreaterThanOrEqualTo(2).allMatch(hello -> hello.is(FrameType.HELLO));
            long clientId = hellos.get(0).packet().sourceId;
            for (int i = 1; i < hellos.size(); i++) {
                assertThat(hellos.get(i).packet().sourceId).as("the same connection").isEqualTo(clientId);
                assertThat(hellos.get(i).packet().packetNumber).isGreaterThan(hellos.get(i - 1).packet().packetNumber);
            }
            EndpointStats stats = client.stats();
            assertThat(stats.framesRetransmitted()).isEqualTo(hellos.size() - 1);
            assertThat(stats.timeouts(TimeoutEvent.CONNECTION)).isEqualTo(1);
            assertThat(stats.closed(CloseReason.CONNECTION_TIMEOUT)).isEqualTo(1);
            assertThat(stats.connectionsEstablished()).isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void theServerRetransmitsAnUnacknowledgedWelcomeAndIsEstablishedByTheAcknowledgement() {
        try (Loopback loopback = new Loopback(); RawPeer client = new RawPeer(loopback.group)) {
            RecordingHandler serverSide = RecordingHandler.recording();
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide)
                    .rto(Duration.ofMillis(50), Duration.ofMillis(50), Duration.ofSeconds(1)));
            client.send(Frames.hello(0, 4242), server.localAddress());
            RawPeer.Received first = client.next(FrameType.WELCOME);
            RawPeer.Received again = client.next(FrameType.WELCOME);
            assertThat(first.packet().destinationId).isEqualTo(4242);
            assertThat(again.packet().sourceId).isEqualTo(first.packet().sourceId);
            assertThat(again.packet().packetNumber).isGreaterThan(first.packet().packetNumber);
            assertThat(serverSide.established.get()).as("not before the WELCOME is acknowledged").isNull();

            client.send(Frames.hello(1, 4242), server.localAddress());
            client.send(Frames.ack(first.packet().sourceId, 2, 0), server.localAddress());
            Loopback.await("the server side to be established", () -> serverSide.established.get() != null);
            EndpointStats stats = server.stats();
            assertThat(stats.connectionsOpened()).as("a repeated HELLO opens nothing").isEqualTo(1);
            assertThat(stats.duplicateFrames()).isEqualTo(1);
            assertThat(stats.framesRetransmitted()).isPositive();
            assertThat(stats.badDatagrams()).isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void aServerHandshakeThatIsNeverAcknowledgedTimesOut() {
        try (Loopback loopback = new Loopback(); RawPeer client = new RawPeer(loopback.group)) {
            RecordingHandler serverSide = RecordingHandler.recording();
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide)
                    .connectionTimeout(Duration.ofMillis(300)));
            client.send(Frames.hello(0, 99), server.localAddress());
            Loopback.await("the half-open connection to time out", () -> serverSide.closed.get() != null);
            assertThat(serverSide.closed.get()).isEqualTo(CloseReason.CONNECTION_TIMEOUT);
            assertThat(serverSide.established.get()).isNull();
            assertThat(server.connectionCount()).isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void anEndpointThatAcceptsNothingCountsHandshakesAsUnknown() {
        try (Loopback loopback = new Loopback(); RawPeer client = new RawPeer(loopback.group)) {
            Endpoint clientOnly = loopback.endpoint(b -> b);
            client.send(Frames.hello(0, 5), clientOnly.localAddress());
            Loopback.await("the HELLO to be counted", () -> clientOnly.stats().badDatagrams() == 1);
            assertThat(clientOnly.stats().badDatagrams(BadDatagram.UNKNOWN_CONNECTION)).isEqualTo(1);
            assertThat(clientOnly.connectionCount()).isZero();
        }
    }

    @Test
    void handshakesPastTheConnectionLimitAreRefused() {
        try (Loopback loopback = new Loopback(); RawPeer client = new RawPeer(loopback.group)) {
            Endpoint server = loopback.endpoint(b -> b.accept(RecordingHandler::recording).maxConnections(2));
            for (int i = 1; i <= 3; i++) {
                client.send(Frames.hello(0, i), server.localAddress());
            }
            // The received count rises before the HELLO is handled: wait for the refusal itself.
            Loopback.await("three HELLOs handled", () -> server.stats().datagramsReceived() == 3
                    && server.stats().connectionsOpened() + server.stats().handshakesRefused() == 3);
            assertThat(server.stats().connectionsOpened()).isEqualTo(2);
            assertThat(server.stats().handshakesRefused()).isEqualTo(1);
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
