package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.connection.TimeoutEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Data on loopback: every frame once, in order, both ways (the server echoes), on good and bad links. */
class DeliveryTest {

    private static final int FRAMES = 500;

    @Test
    void onAPerfectLinkEveryFrameArrivesOnceInOrderWithoutARetransmission() throws Exception {
        try (Loopback loopback = new Loopback()) {
            Loopback.EchoPair pair = loopback.echoPair(Loopback.SLOW_RTO);

            assertThat(Exchange.send(pair.connection(), 0, FRAMES)).isEqualTo(FRAMES);
            Loopback.await("every echo", () -> pair.clientSide().frames.size() == FRAMES);
            Loopback.await("every acknowledgement", () -> Loopback.onLoop(pair.connection(), pair.connection()::unacknowledgedFrames) == 0);

            Exchange.assertNumberedInOrder(pair.serverSide().frames, FRAMES);
            Exchange.assertNumberedInOrder(pair.clientSide().frames, FRAMES);
            EndpointStats total = pair.client().stats().plus(pair.server().stats());
            assertThat(total.framesSent()).isEqualTo(2 * FRAMES);
            assertThat(total.framesDelivered()).isEqualTo(2 * FRAMES);
            assertThat(total.framesRetransmitted()).isZero();
            assertThat(total.duplicateFrames()).isZero();
            assertThat(total.timeouts(TimeoutEvent.RETRANSMISSION)).isZero();
            assertThat(total.badDatagrams()).isZero();
            ConnectionStats stats = Loopback.onLoop(pair.connection(), pair.connection()::stats);
            assertThat(stats.framesSent()).isEqualTo(FRAMES);
            assertThat(stats.framesAcked()).isEqualTo(FRAMES);
            assertThat(stats.framesDelivered()).isEqualTo(FRAMES);
            assertThat(stats.rttSamples()).isPositive();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void underTwentyPercentLossEachWayEveryFrameStillArrivesOnceInOrder() throws Exception {
        SimulatedLink lossy = new SimulatedLink(0.2, Duration.ofMillis(1), Duration.ofMillis(2));
        try (Loopback loopback = new Loopback()) {
            Loopback.EchoPair pair = loopback.echoPair(b -> lossyTimings(b.simulatedLink(lossy)));

            assertThat(Exchange.send(pair.connection(), 0, FRAMES)).isEqualTo(FRAMES);
            Loopback.await("every echo", () -> pair.clientSide().frames.size() == FRAMES);

            Exchange.assertNumberedInOrder(pair.serverSide().frames, FRAMES);
            Exchange.assertNumberedInOrder(pair.clientSide().frames, FRAMES);
            EndpointStats total = pair.client().stats().plus(pair.server().stats());
            assertThat(total.datagramsDroppedByLink()).isPositive();
            assertThat(total.framesRetransmitted()).isPositive();
            assertThat(total.timeouts(TimeoutEvent.RETRANSMISSION)).isPositive();
            assertThat(total.framesDelivered()).isEqualTo(2 * FRAMES);
            assertThat(total.handlerFailures()).isZero();
            assertThat(pair.connection().isClosed()).isFalse();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    /** Short RTOs so that loss is repaired quickly; enough retransmissions that 20 % loss never exhausts them. */
    private static Endpoint.Builder lossyTimings(Endpoint.Builder builder) {
        return builder.rto(Duration.ofMillis(50), Duration.ofMillis(20), Duration.ofMillis(200)).maxRetransmissions(60);
    }

    @Test
    void aFullWindowQueuesFramesAndABoundedQueueRefusesTheRest() throws Exception {
        try (Loopback loopback = new Loopback()) {
            RecordingHandler serverSide = RecordingHandler.recording();
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide));
            Endpoint client = loopback.endpoint(b -> b.window(4).maxQueuedFrames(10));
            Connection connection = client.connect(server.localAddress(), RecordingHandler.recording())
                    .get(30, TimeUnit.SECONDS);

            assertThat(Exchange.send(connection, 0, 20)).as("4 in flight and 10 queued").isEqualTo(14);
            Loopback.await("the queued frames to follow as acknowledgements arrive", () -> serverSide.frames.size() == 14);
            Exchange.assertNumberedInOrder(serverSide.frames, 14);
            Loopback.await("every acknowledgement", () -> Loopback.onLoop(connection, connection::unacknowledgedFrames) == 0);
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void sendingOffTheEventLoopOrTooMuchIsRefusedLoudly() throws Exception {
        try (Loopback loopback = new Loopback()) {
            Endpoint server = loopback.endpoint(b -> b.accept(RecordingHandler::recording));
            Endpoint client = loopback.endpoint(b -> b);
            Connection connection = client.connect(server.localAddress(), RecordingHandler.recording())
                    .get(30, TimeUnit.SECONDS);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> connection.send(io.netty.buffer.Unpooled.EMPTY_BUFFER))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("send must be called on the connection's event loop");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Loopback.onLoop(connection,
                    () -> connection.send(io.netty.buffer.Unpooled.wrappedBuffer(new byte[Connection.MAX_PAYLOAD_BYTES + 1]))))
                    .hasRootCauseInstanceOf(IllegalArgumentException.class)
                    .hasRootCauseMessage("payload must be at most 1200 bytes: 1201");
            connection.close();
            Loopback.await("the close", connection::isClosed);
            assertThat(Loopback.onLoop(connection, () -> connection.send(io.netty.buffer.Unpooled.EMPTY_BUFFER)))
                    .as("a closed connection accepts nothing").isFalse();
        }
    }
}
