package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Thousands of connections that each open, exchange one frame and close: afterwards, with the
 * endpoints still running, no connection is left and the timer holds no entry and no registration.
 */
class ShortLivedConnectionsTest {

    private static final int CLIENT_ENDPOINTS = 4;
    private static final int CONNECTIONS = 2_000;
    /** Handshakes in flight at once: enough to overlap, few enough not to overflow a socket buffer. */
    private static final int CONCURRENT = 200;

    @Test
    void thousandsOfShortLivedConnectionsLeaveNoTimerBehind() throws Exception {
        try (Loopback loopback = new Loopback()) {
            Endpoint server = loopback.endpoint(b -> b.accept(RecordingHandler::echoing));
            List<Endpoint> clients = new ArrayList<>();
            for (int i = 0; i < CLIENT_ENDPOINTS; i++) {
                clients.add(loopback.endpoint(b -> b));
            }
            Semaphore inFlight = new Semaphore(CONCURRENT);
            ConcurrentMap<CloseReason, AtomicInteger> reasons = new ConcurrentHashMap<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(inFlight.tryAcquire(Loopback.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
                clients.get(i % CLIENT_ENDPOINTS).connect(server.localAddress(), new ConnectionHandler() {
                    @Override
                    public void onEstablished(Connection connection) {
                        Exchange.sendOnLoop(connection, 1);
                    }

                    @Override
                    public void onFrame(Connection connection, ByteBuf payload) {
                        connection.close();
                    }

                    @Override
                    public void onClosed(Connection connection, CloseReason reason) {
                        reasons.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
                        inFlight.release();
                    }
                });
            }
            Loopback.await("every client connection to close", () -> inFlight.availablePermits() == CONCURRENT);
            Loopback.await("every server connection to close", () -> server.connectionCount() == 0);

            assertThat(reasons).containsOnlyKeys(CloseReason.CLOSED_LOCALLY);
            assertThat(reasons.get(CloseReason.CLOSED_LOCALLY)).hasValue(CONNECTIONS);
            EndpointStats serverStats = server.stats();
            assertThat(serverStats.connectionsOpened()).isEqualTo(CONNECTIONS);
            assertThat(serverStats.closed(CloseReason.CLOSED_BY_PEER)).isEqualTo(CONNECTIONS);
            assertThat(serverStats.framesDelivered()).isEqualTo(CONNECTIONS);
            assertThat(clients).allSatisfy(client -> assertThat(client.connectionCount()).isZero());

            Loopback.awaitNoPendingTimers(loopback.timer);
            assertThat(loopback.timer.stats().activeConnections()).isZero();
            assertThat(loopback.timer.stats().scheduled()).as("the connections used the wheel")
                    .isGreaterThanOrEqualTo(2L * CONNECTIONS);
        }
    }
}
