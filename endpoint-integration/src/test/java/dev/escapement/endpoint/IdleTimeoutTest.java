package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.connection.TimeoutEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The idle timeout on loopback: silence closes a connection, traffic keeps it open. */
class IdleTimeoutTest {

    @Test
    void aConnectionWhosePeerFallsSilentIsClosedOnBothSides() throws Exception {
        try (Loopback loopback = new Loopback()) {
            RecordingHandler serverSide = RecordingHandler.recording();
            Endpoint server = loopback.endpoint(b -> b.accept(() -> serverSide).idleTimeout(Duration.ofMillis(300)));
            Endpoint client = loopback.endpoint(b -> b.idleTimeout(Duration.ofMillis(300)));
            RecordingHandler clientSide = RecordingHandler.recording();
            client.connect(server.localAddress(), clientSide).get(30, TimeUnit.SECONDS);

            Loopback.await("both sides to idle out", () -> clientSide.closed.get() != null && serverSide.closed.get() != null);
            assertThat(clientSide.closed.get()).isEqualTo(CloseReason.IDLE_TIMEOUT);
            assertThat(serverSide.closed.get()).isEqualTo(CloseReason.IDLE_TIMEOUT);
            EndpointStats total = client.stats().plus(server.stats());
            assertThat(total.timeouts(TimeoutEvent.IDLE)).isEqualTo(2);
            assertThat(total.closed(CloseReason.IDLE_TIMEOUT)).isEqualTo(2);
            assertThat(total.badDatagrams(BadDatagram.UNKNOWN_CONNECTION)).as("an idle close sends nothing").isZero();
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }

    @Test
    void trafficKeepsAConnectionOpenForLongerThanItsIdleTimeout() throws Exception {
        Duration idle = Duration.ofSeconds(2);
        try (Loopback loopback = new Loopback()) {
            Loopback.EchoPair pair = loopback.echoPair(b -> b.idleTimeout(idle));

            // A frame every 100 ms for three idle timeouts' worth; the server echoes, so both sides hear traffic.
            int[] sent = {0};
            ScheduledFuture<?> ticking = pair.connection().eventLoop().scheduleAtFixedRate(
                    () -> Exchange.sendOnLoop(pair.connection(), sent[0]++), 0, 100, TimeUnit.MILLISECONDS);
            Loopback.await("60 echoes", () -> pair.clientSide().frames.size() >= 60);
            ticking.cancel(false);

            assertThat(pair.clientSide().closed.get()).isNull();
            assertThat(pair.serverSide().closed.get()).isNull();
            assertThat(pair.client().stats().plus(pair.server().stats()).timeouts(TimeoutEvent.IDLE)).isZero();
            DefaultConnection internals = (DefaultConnection) pair.connection();
            assertThat(Loopback.onLoop(pair.connection(), () -> internals.timing().timers().stats().resets()))
                    .as("each packet from the server reset the idle timeout").isGreaterThanOrEqualTo(60);
            loopback.closeEndpointsAndExpectNoTimers();
        }
    }
}
