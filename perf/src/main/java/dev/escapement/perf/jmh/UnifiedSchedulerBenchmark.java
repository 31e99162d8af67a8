package dev.escapement.perf.jmh;

import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerStats;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A {@link UnifiedTimeoutScheduler}'s next wake-up over 4 layers: from its cache, and right after
 * the layer holding the earliest deadline moved it later (which invalidates the cache, so the
 * next read asks every layer).
 *
 * <p>Thread-safety: one scheduler and its layers per benchmark thread, as per connection.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UnifiedSchedulerBenchmark {

    /** A layer with one deadline, reporting every change as the layer contract requires. */
    static final class OneDeadlineLayer implements TimeoutLayer {
        private final String name;
        private final TimeoutCheckResult result = new TimeoutCheckResult();
        private DeadlineObserver observer = DeadlineObserver.NONE;
        private long deadlineNs = NO_DEADLINE;

        OneDeadlineLayer(String name) {
            this.name = name;
        }

        void set(long newDeadlineNs) {
            deadlineNs = newDeadlineNs;
            observer.deadlineChanged(this, newDeadlineNs);
        }

        @Override
        public String layerName() {
            return name;
        }

        @Override
        public long nextDeadline() {
            return deadlineNs;
        }

        @Override
        public TimeoutCheckResult checkTimeouts(long nowNs) {
            result.clear();
            return result;
        }

        @Override
        public TimeoutLayerStats stats() {
            return new TimeoutLayerStats(name, deadlineNs == NO_DEADLINE ? 0 : 1, 0, 0, 0);
        }

        @Override
        public void attach(DeadlineObserver observer) {
            this.observer = observer;
        }
    }

    private final UnifiedTimeoutScheduler scheduler = UnifiedTimeoutScheduler.create();
    private final OneDeadlineLayer[] layers = new OneDeadlineLayer[4];
    private long earliestNs;

    @Setup(Level.Trial)
    public void addLayers() {
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new OneDeadlineLayer("layer-" + i);
            scheduler.addLayer(layers[i]);
            layers[i].set(1_000_000L * (i + 2));
        }
        earliestNs = 1_000_000L;
        layers[0].set(earliestNs);
    }

    @Benchmark
    public long nextDeadlineCached() {
        return scheduler.nextDeadline();
    }

    /**
     * The holder of the earliest deadline moves it later (an idle reset, say), then the next
     * wake-up is read: the read recomputes over the 4 layers. Both costs are in the figure.
     */
    @Benchmark
    public long nextDeadlineAfterInvalidation() {
        earliestNs++;
        layers[0].set(earliestNs);
        return scheduler.nextDeadline();
    }
}
