package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bad settings fail in build() with the setting's name and value; lifecycle edges. */
class EndpointBuilderTest {

    @Test
    void badSettingsAreRefusedWithTheirNameAndValue() {
        try (Loopback loopback = new Loopback()) {
            assertRefused(loopback, b -> b.idleTimeout(Duration.ZERO), "idleTimeout must be positive: PT0S");
            assertRefused(loopback, b -> b.connectionTimeout(Duration.ofSeconds(-1)), "connectionTimeout must be positive: PT-1S");
            assertRefused(loopback, b -> b.rto(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(1)),
                    "initialRto must be between minRto and maxRto (20000000..1000000000 ns): 10000000 ns");
            assertRefused(loopback, b -> b.maxRetransmissions(-1), "maxRetransmissions must not be negative: -1");
            assertRefused(loopback, b -> b.window(3), "window must be a power of two from 1 to 16384: 3");
            assertRefused(loopback, b -> b.window(1 << 15), "window must be a power of two from 1 to 16384: 32768");
            assertRefused(loopback, b -> b.maxQueuedFrames(-1), "maxQueuedFrames must not be negative: -1");
            assertRefused(loopback, b -> b.maxConnections(0), "maxConnections must be at least 1: 0");
            assertThatThrownBy(() -> Endpoint.builder(loopback.group).timer(null)).hasMessage("timer");
            assertThatThrownBy(() -> Endpoint.builder(null)).hasMessage("group");
            assertThatThrownBy(() -> new SimulatedLink(1.5, Duration.ZERO, Duration.ZERO))
                    .hasMessage("lossRate must be between 0 and 1: 1.5");
            assertThatThrownBy(() -> new SimulatedLink(Double.NaN, Duration.ZERO, Duration.ZERO))
                    .hasMessage("lossRate must be between 0 and 1: NaN");
            assertThatThrownBy(() -> new SimulatedLink(0, Duration.ofMillis(-1), Duration.ZERO))
                    .hasMessage("delay must not be negative: PT-0.001S");
        }
    }

    private static void assertRefused(Loopback loopback, java.util.function.UnaryOperator<Endpoint.Builder> settings,
                                      String message) {
        assertThatThrownBy(() -> settings.apply(Endpoint.builder(loopback.group)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void anAddressInUseIsReportedWithTheAddress() {
        try (Loopback loopback = new Loopback()) {
            Endpoint first = loopback.endpoint(b -> b);
            assertThatThrownBy(() -> Endpoint.builder(loopback.group).bindAddress(first.localAddress()).build())
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("could not bind an endpoint to " + first.localAddress());
        }
    }

    @Test
    void aClosedEndpointConnectsNothingAndClosesOnce() throws Exception {
        try (Loopback loopback = new Loopback()) {
            Endpoint server = loopback.endpoint(b -> b.accept(RecordingHandler::recording));
            Endpoint client = loopback.endpoint(b -> b);
            RecordingHandler handler = RecordingHandler.recording();
            Connection connection = client.connect(server.localAddress(), handler).get(30, TimeUnit.SECONDS);
            client.close();
            client.close();
            assertThat(handler.closed.get()).isEqualTo(CloseReason.ENDPOINT_CLOSED);
            assertThat(connection.isClosed()).isTrue();
            assertThatThrownBy(() -> client.connect(server.localAddress(), handler).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
            Loopback.await("the peer to hear the close", () -> server.connectionCount() == 0);
            assertThat(server.stats().closed(CloseReason.CLOSED_BY_PEER)).isEqualTo(1);
        }
    }
}
