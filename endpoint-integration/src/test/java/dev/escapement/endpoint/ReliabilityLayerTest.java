package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.connection.TimeoutEvent;
import dev.escapement.netty.RtoEstimator;
import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reliability layer against the {@link TimeoutLayer} contract (the properties timer-core's
 * contract test holds every layer to, with time moving forward as a connection's does) and its
 * own reporting: every change of its deadline reaches the observer after the layer has updated
 * itself, and nothing else does.
 */
class ReliabilityLayerTest {

    private static final long MS = 1_000_000L;
    private static final byte[] PAYLOAD = {1};

    private record Change(long deadlineNs, long nextAfterwardsNs) {
    }

    private final List<Change> changes = new ArrayList<>();

    /** RTO fixed at 100 ms until a sample; maximum 800 ms. */
    private static ReliabilityLayer newLayer(int maxRetransmissions) {
        RtoEstimator estimator = RtoEstimator.builder().initialRto(Duration.ofMillis(100)).minRto(Duration.ofMillis(100))
                .maxRto(Duration.ofMillis(800)).build();
        return new ReliabilityLayer(new RetransmissionManager(estimator, 8, maxRetransmissions, 0));
    }

    private ReliabilityLayer attachedLayer(int maxRetransmissions) {
        ReliabilityLayer layer = newLayer(maxRetransmissions);
        layer.attach((changed, deadlineNs) -> {
            assertThat(changed).isSameAs(layer);
            changes.add(new Change(deadlineNs, changed.nextDeadline()));
        });
        return layer;
    }

    @Test
    void aNewLayerHasNoDeadlineANameAndStats() {
        ReliabilityLayer layer = newLayer(3);
        assertThat(layer.nextDeadline()).isEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(layer.layerName()).isEqualTo("reliability");
        assertThat(layer.stats().layerName()).isEqualTo("reliability");
        assertThat(layer.stats().pendingDeadlines()).isZero();
        assertThat(layer.checkTimeouts(0).isEmpty()).isTrue();
    }

    @Test
    void everyMoveOfTheDeadlineIsReportedAfterTheLayerUpdatedItselfAndNothingElseIs() {
        ReliabilityLayer layer = attachedLayer(3);
        layer.send(PAYLOAD, 0);
        layer.send(PAYLOAD, 10 * MS);
        layer.send(PAYLOAD, 20 * MS);
        assertThat(changes).as("sends behind the oldest frame do not move the deadline")
                .containsExactly(new Change(100 * MS, 100 * MS));
        layer.acknowledge(0, 30 * MS);
        layer.acknowledge(0, 31 * MS);
        layer.acknowledge(2, 40 * MS);
        // Frame 1 is the oldest after the first acknowledgement; the repeated one changes nothing.
        assertThat(changes).containsExactly(
                new Change(100 * MS, 100 * MS),
                new Change(10 * MS + 100 * MS, 110 * MS),
                new Change(TimeoutLayer.NO_DEADLINE, TimeoutLayer.NO_DEADLINE));
    }

    @Test
    void aCheckConsumesTheDueDeadlineAndReportsTheFramesToSendAgain() {
        ReliabilityLayer layer = attachedLayer(3);
        layer.send(PAYLOAD, 0);
        layer.send(PAYLOAD, 50 * MS);
        changes.clear();
        assertThat(layer.checkTimeouts(99 * MS).isEmpty()).as("not due early").isTrue();
        assertThat(changes).isEmpty();

        TimeoutCheckResult due = layer.checkTimeouts(100 * MS);
        assertThat(due.events()).containsExactly(TimeoutEvent.RETRANSMISSION);
        assertThat(due.deadlineNs(0)).isEqualTo(100 * MS);
        assertThat(due.frameCount()).isEqualTo(1);
        assertThat(due.frame(0)).isZero();
        // Backed off to 200 ms: frame 1 (sent at 50 ms) is the oldest now.
        assertThat(layer.nextDeadline()).isEqualTo(250 * MS);
        assertThat(changes).containsExactly(new Change(250 * MS, 250 * MS));
        assertThat(layer.stats().checks()).isEqualTo(2);
        assertThat(layer.stats().eventsFired()).isEqualTo(1);
        assertThat(layer.stats().framesToRetransmit()).isEqualTo(1);
        assertThat(layer.stats().pendingDeadlines()).isEqualTo(1);
    }

    @Test
    void aFailedManagerLeavesNoDeadlineSoTheConnectionIsNotWokenForever() {
        ReliabilityLayer layer = attachedLayer(0);
        layer.send(PAYLOAD, 0);
        TimeoutCheckResult due = layer.checkTimeouts(100 * MS);
        assertThat(due.events()).containsExactly(TimeoutEvent.RETRANSMISSION);
        assertThat(due.frameCount()).isZero();
        assertThat(layer.manager().hasFailed()).isTrue();
        assertThat(layer.nextDeadline()).isEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(changes).last().isEqualTo(new Change(TimeoutLayer.NO_DEADLINE, TimeoutLayer.NO_DEADLINE));
    }

    @Test
    void clearingReportsThatTheDeadlineIsGone() {
        ReliabilityLayer layer = attachedLayer(3);
        layer.send(PAYLOAD, 0);
        layer.clear();
        assertThat(changes).last().isEqualTo(new Change(TimeoutLayer.NO_DEADLINE, TimeoutLayer.NO_DEADLINE));
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE - 150 * MS, Long.MIN_VALUE, -1})
    void deadlinesNearTheEndOfTheClockWrapAndCompareSafely(long startNs) {
        ReliabilityLayer layer = attachedLayer(3);
        layer.send(PAYLOAD, startNs);
        long deadlineNs = layer.nextDeadline();
        assertThat(deadlineNs).isNotEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(deadlineNs - startNs).isEqualTo(100 * MS);
        assertThat(layer.checkTimeouts(deadlineNs - 1).isEmpty()).isTrue();
        assertThat(layer.checkTimeouts(deadlineNs).frameCount()).isEqualTo(1);
        assertThat(layer.nextDeadline() - deadlineNs).isEqualTo(200 * MS);
    }

    @Test
    void aLayerReportsToOneObserverOnly() {
        ReliabilityLayer layer = attachedLayer(3);
        assertThatThrownBy(() -> layer.attach(DeadlineObserver.NONE)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the reliability layer reports to one scheduler only");
    }
}
