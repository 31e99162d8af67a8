package dev.escapement.endpoint.demo;

import static dev.escapement.endpoint.CloseReason.CLOSED_BY_PEER;
import static dev.escapement.endpoint.CloseReason.CLOSED_LOCALLY;
import static dev.escapement.endpoint.CloseReason.CONNECTION_TIMEOUT;
import static dev.escapement.endpoint.CloseReason.IDLE_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's verdict: silent loss, reordering and phantom frames are caught; reported failures are not violations. */
class LedgerTest {

    private final Ledger ledger = new Ledger();

    private void completed(long clientId, long frames) {
        ledger.record(new Ledger.ClientRecord(clientId, 100 + clientId, frames, frames, 0, CLOSED_LOCALLY, true, false));
        ledger.record(new Ledger.ServerRecord(100 + clientId, clientId, frames, frames, 0, 0, CLOSED_BY_PEER));
    }

    @Test
    void completedConnectionsWithEveryFrameBothWaysPass() {
        completed(1, 10);
        completed(2, 0);
        Ledger.Verdict verdict = ledger.verify();
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.completed()).isEqualTo(2);
        assertThat(verdict.framesDelivered()).isEqualTo(20);
        assertThat(verdict.failedTotal()).isZero();
    }

    @Test
    void aFailedConnectionIsReportedWithItsUnconfirmedFramesAndIsNoViolation() {
        ledger.record(new Ledger.ClientRecord(1, 101, 10, 6, 0, IDLE_TIMEOUT, false, false));
        ledger.record(new Ledger.ServerRecord(101, 1, 8, 8, 0, 0, IDLE_TIMEOUT));
        ledger.record(new Ledger.ClientRecord(2, 0, 0, 0, 0, CONNECTION_TIMEOUT, false, false));
        ledger.record(new Ledger.ClientRecord(3, 103, 4, 4, 0, CLOSED_LOCALLY, false, false));
        ledger.record(new Ledger.ServerRecord(103, 3, 4, 4, 0, 0, CLOSED_BY_PEER));
        Ledger.Verdict verdict = ledger.verify();
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.failed()).isEqualTo(Map.of("IDLE_TIMEOUT", 1L, "CONNECTION_TIMEOUT", 1L, Ledger.UNFINISHED, 1L));
        // Client to server: 10 sent, 8 delivered; server to client: 8 echoed, 6 delivered.
        assertThat(verdict.framesUnconfirmed()).isEqualTo(2 + 2);
    }

    @Test
    void aCompletedConnectionMissingAFrameIsAViolation() {
        ledger.record(new Ledger.ClientRecord(1, 101, 10, 10, 0, CLOSED_LOCALLY, true, false));
        ledger.record(new Ledger.ServerRecord(101, 1, 9, 10, 0, 0, CLOSED_BY_PEER));
        assertThat(ledger.verify().violations()).singleElement().asString()
                .contains("connection 1 completed, but of 10 frames the server got 9");
    }

    @Test
    void framesOutOfOrderRefusedOrFromNowhereAreViolations() {
        ledger.record(new Ledger.ClientRecord(1, 101, 5, 5, 1, CLOSED_LOCALLY, true, false));
        ledger.record(new Ledger.ServerRecord(101, 1, 5, 5, 0, 0, CLOSED_BY_PEER));
        ledger.record(new Ledger.ClientRecord(2, 102, 5, 5, 0, CLOSED_LOCALLY, true, false));
        ledger.record(new Ledger.ServerRecord(102, 2, 5, 5, 1, 2, CLOSED_BY_PEER));
        ledger.record(new Ledger.ClientRecord(3, 103, 5, 2, 0, IDLE_TIMEOUT, false, false));
        ledger.record(new Ledger.ServerRecord(103, 3, 6, 6, 0, 0, IDLE_TIMEOUT));
        ledger.record(new Ledger.ServerRecord(104, 4, 1, 1, 0, 0, IDLE_TIMEOUT));
        assertThat(ledger.verify().violations()).hasSize(4).anySatisfy(v -> assertThat(v).contains("out of order"))
                .anySatisfy(v -> assertThat(v).contains("1 echoes refused"))
                .anySatisfy(v -> assertThat(v).contains("more frames arrived than were sent"))
                .anySatisfy(v -> assertThat(v).contains("never reported"));
    }

    @Test
    void aHandshakeTheClientGaveUpOnLeavesAnEmptyServerRecordThatIsFine() {
        ledger.record(new Ledger.ServerRecord(104, 4, 0, 0, 0, 0, CONNECTION_TIMEOUT));
        assertThat(ledger.verify().violations()).isEmpty();
        assertThat(ledger.serverCloses()).containsEntry(CONNECTION_TIMEOUT, 1L);
    }
}
