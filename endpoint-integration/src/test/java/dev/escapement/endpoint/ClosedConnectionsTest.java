package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClosedConnectionsTest {

    @Test
    void theOldestClosedConnectionIsForgottenFirst() {
        ClosedConnections closed = new ClosedConnections(2);
        closed.remember(1, 101, 5, 7);
        closed.remember(2, 102, 6, 8);
        assertThat(closed.get(1).peerId).isEqualTo(101);
        closed.remember(3, 103, 7, 9);
        assertThat(closed.get(1)).isNull();
        assertThat(closed.get(2).finalAck).isEqualTo(6);
        assertThat(closed.get(3).nextPacketNumber).isEqualTo(9);
        assertThat(closed.size()).isEqualTo(2);
        assertThatThrownBy(() -> new ClosedConnections(0)).hasMessage("capacity must be at least 1: 0");
    }
}
