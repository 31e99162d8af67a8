package dev.escapement.unified;

import dev.escapement.clock.NanoClock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@link UnifiedTimeoutScheduler}: layers in an array, the earliest deadline cached together
 * with the layer that holds it.
 *
 * <p>Not thread-safe: confined to the connection's thread.
 */
final class DefaultUnifiedTimeoutScheduler implements UnifiedTimeoutScheduler, DeadlineObserver {

    private final NanoClock stopwatch;
    private final TimeoutCheckResult result = new TimeoutCheckResult();
    private TimeoutLayer[] layers = new TimeoutLayer[0];
    private DeadlineObserver downstream = DeadlineObserver.NONE;

    private boolean cacheKnown = true;
    private long cachedDeadlineNs = TimeoutLayer.NO_DEADLINE;
    /** The layer whose deadline is {@link #cachedDeadlineNs}; null when there is none. */
    private TimeoutLayer holder;

    private long checks;
    private long cacheHits;
    private long invalidations;
    private long checkAllRuns;
    private long layerChecks;
    private long totalCheckTimeNs;

    DefaultUnifiedTimeoutScheduler(NanoClock stopwatch) {
        this.stopwatch = stopwatch;
    }

    @Override
    public void addLayer(TimeoutLayer layer) {
        Objects.requireNonNull(layer, "layer");
        for (TimeoutLayer existing : layers) {
            if (existing == layer) {
                throw new IllegalArgumentException("layer is in this scheduler already: " + layer.layerName());
            }
        }
        layer.attach(this);
        layers = Arrays.copyOf(layers, layers.length + 1);
        layers[layers.length - 1] = layer;
        long deadlineNs = layer.nextDeadline();
        if (deadlineNs != TimeoutLayer.NO_DEADLINE) {
            deadlineChanged(layer, deadlineNs);
        }
    }

    @Override
    public List<TimeoutLayer> layers() {
        return List.of(layers);
    }

    @Override
    public long nextDeadline() {
        checks++;
        if (cacheKnown) {
            cacheHits++;
        } else {
            recompute();
        }
        return cachedDeadlineNs;
    }

    private void recompute() {
        long earliestNs = TimeoutLayer.NO_DEADLINE;
        TimeoutLayer earliestLayer = null;
        for (TimeoutLayer layer : layers) {
            long deadlineNs = layer.nextDeadline();
            if (isStrictlyEarlier(deadlineNs, earliestNs)) {
                earliestNs = deadlineNs;
                earliestLayer = layer;
            }
        }
        cachedDeadlineNs = earliestNs;
        holder = earliestLayer;
        cacheKnown = true;
    }

    /** Whether {@code deadlineNs} is a deadline before {@code thanNs} (which may be none). */
    private static boolean isStrictlyEarlier(long deadlineNs, long thanNs) {
        return deadlineNs != TimeoutLayer.NO_DEADLINE
                && (thanNs == TimeoutLayer.NO_DEADLINE || deadlineNs - thanNs < 0);
    }

    @Override
    public void deadlineChanged(TimeoutLayer layer, long deadlineNs) {
        if (cacheKnown) {
            if (isStrictlyEarlier(deadlineNs, cachedDeadlineNs)) {
                // Strictly earlier than everything: the new earliest, and the cache stays exact.
                cachedDeadlineNs = deadlineNs;
                holder = layer;
            } else if (layer == holder) {
                // The holder removed or postponed a deadline: the earliest may be later now.
                cacheKnown = false;
                invalidations++;
            }
            // Otherwise another layer changed at or after the earliest: the earliest stands.
        }
        downstream.deadlineChanged(layer, deadlineNs);
    }

    @Override
    public TimeoutCheckResult checkAll(long nowNs) {
        long startNs = stopwatch.nanoTime();
        checkAllRuns++;
        result.clear();
        if (TimeoutLayer.isDue(nextDeadline(), nowNs)) {
            for (TimeoutLayer layer : layers) {
                if (TimeoutLayer.isDue(layer.nextDeadline(), nowNs)) {
                    layerChecks++;
                    result.addAll(layer.checkTimeouts(nowNs));
                }
            }
            result.sortEventsByDeadline();
        }
        totalCheckTimeNs += stopwatch.nanoTime() - startNs;
        return result;
    }

    @Override
    public void observe(DeadlineObserver downstream) {
        this.downstream = Objects.requireNonNull(downstream, "downstream");
    }

    @Override
    public UnifiedSchedulerStats stats() {
        return new UnifiedSchedulerStats(checks, cacheHits, invalidations, checkAllRuns, layerChecks, totalCheckTimeNs);
    }

    /** Whether the cache is known: a test seam. */
    boolean isCacheKnown() {
        return cacheKnown;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("UnifiedTimeoutScheduler[layers=[");
        for (int i = 0; i < layers.length; i++) {
            text.append(i == 0 ? "" : ", ").append(layers[i].layerName());
        }
        text.append("], next=");
        if (!cacheKnown) {
            text.append("unknown");
        } else if (cachedDeadlineNs == TimeoutLayer.NO_DEADLINE) {
            text.append("none");
        } else {
            text.append(cachedDeadlineNs).append(" ns (").append(holder.layerName()).append(')');
        }
        return text.append(']').toString();
    }
}
