package dev.escapement.unified;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link TimeoutLayer} contract, for every implementation: a thin subclass per layer provides
 * a fresh layer and a way to set and remove its deadlines, keyed 0 to 2.
 */
public abstract class TimeoutLayerContractTest {

    /** @return a new, unattached layer with no deadlines */
    protected abstract TimeoutLayer newLayer();

    /** Sets deadline {@code key} (0, 1 or 2) of {@code layer} to {@code deadlineNs}. */
    protected abstract void set(TimeoutLayer layer, int key, long deadlineNs);

    /** Removes deadline {@code key} of {@code layer}. */
    protected abstract void remove(TimeoutLayer layer, int key);

    private record Change(long deadlineNs, long nextAfterwardsNs) {
    }

    private final List<Change> changes = new ArrayList<>();

    private TimeoutLayer attachedLayer() {
        TimeoutLayer layer = newLayer();
        layer.attach((changed, deadlineNs) -> {
            assertThat(changed).isSameAs(layer);
            changes.add(new Change(deadlineNs, changed.nextDeadline()));
        });
        return layer;
    }

    @Test
    void newLayerHasNoDeadlineAndANameAndStats() {
        TimeoutLayer layer = newLayer();
        assertThat(layer.nextDeadline()).isEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(layer.layerName()).isNotBlank();
        assertThat(layer.stats().layerName()).isEqualTo(layer.layerName());
        assertThat(layer.stats().pendingDeadlines()).isZero();
        assertThat(layer.checkTimeouts(0).isEmpty()).isTrue();
    }

    @Test
    void nextDeadlineIsTheEarliestByOverflowSafeComparison() {
        TimeoutLayer layer = attachedLayer();
        long base = Long.MAX_VALUE - 10;
        set(layer, 0, base + 30);   // wraps: later than base + 20
        set(layer, 1, base + 20);
        assertThat(layer.nextDeadline()).isEqualTo(base + 20);
        remove(layer, 1);
        assertThat(layer.nextDeadline()).isEqualTo(base + 30);
    }

    @Test
    void everyChangeIsReportedAfterTheLayerUpdatedItself() {
        TimeoutLayer layer = attachedLayer();
        set(layer, 0, 500);
        set(layer, 1, 300);
        set(layer, 0, 900);
        remove(layer, 1);
        assertThat(changes).containsExactly(
                new Change(500, 500),
                new Change(300, 300),
                new Change(900, 300),
                new Change(TimeoutLayer.NO_DEADLINE, 900));
    }

    @Test
    void checkConsumesWhatIsDueAndNothingElseInDeadlineOrder() {
        TimeoutLayer layer = attachedLayer();
        set(layer, 2, 100);
        set(layer, 0, 300);
        set(layer, 1, 200);
        changes.clear();
        TimeoutCheckResult due = layer.checkTimeouts(200);
        assertThat(due.eventCount()).isEqualTo(2);
        assertThat(due.deadlineNs(0)).isEqualTo(100);
        assertThat(due.deadlineNs(1)).isEqualTo(200);
        assertThat(layer.nextDeadline()).isEqualTo(300);
        assertThat(changes).isNotEmpty().allSatisfy(change -> assertThat(change.deadlineNs()).isEqualTo(TimeoutLayer.NO_DEADLINE));
        assertThat(changes.get(changes.size() - 1).nextAfterwardsNs()).isEqualTo(300);
        assertThat(layer.stats().checks()).isEqualTo(1);
        assertThat(layer.stats().eventsFired()).isEqualTo(2);
        assertThat(layer.stats().pendingDeadlines()).isEqualTo(1);

        assertThat(layer.checkTimeouts(299).isEmpty()).as("nothing due before 300").isTrue();
        assertThat(layer.checkTimeouts(300).eventCount()).isEqualTo(1);
        assertThat(layer.nextDeadline()).isEqualTo(TimeoutLayer.NO_DEADLINE);
    }

    @Test
    void aLayerReportsToOneObserverOnly() {
        TimeoutLayer layer = attachedLayer();
        assertThatThrownBy(() -> layer.attach(DeadlineObserver.NONE)).isInstanceOf(IllegalStateException.class);
    }
}
