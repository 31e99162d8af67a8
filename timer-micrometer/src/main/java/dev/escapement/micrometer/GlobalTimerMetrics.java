package dev.escapement.micrometer;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link GlobalTimer}'s statistics to a Micrometer {@link MeterRegistry}, under names in
 * Micrometer's conventions (dot-separated, base units, counters for what only grows):
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code escapement.timer.pending}</td><td>gauge</td><td>timers in the wheel</td></tr>
 *   <tr><td>{@code escapement.timer.scheduled}</td><td>counter</td><td>timers accepted and seen by the timer thread</td></tr>
 *   <tr><td>{@code escapement.timer.fired}</td><td>counter</td><td>timers that fired for good</td></tr>
 *   <tr><td>{@code escapement.timer.cancelled}</td><td>counter</td><td>cancels the timer thread applied</td></tr>
 *   <tr><td>{@code escapement.timer.rejected}</td><td>counter</td><td>schedule calls refused (a bound, or stopped)</td></tr>
 *   <tr><td>{@code escapement.timer.task.failures}</td><td>counter</td><td>tasks that threw</td></tr>
 *   <tr><td>{@code escapement.timer.queue.depth}</td><td>gauge</td><td>commands waiting for the timer thread</td></tr>
 *   <tr><td>{@code escapement.timer.passes}</td><td>counter</td><td>passes of the timer thread</td></tr>
 *   <tr><td>{@code escapement.timer.parks}</td><td>counter</td><td>times the timer thread parked</td></tr>
 *   <tr><td>{@code escapement.timer.wakeups}</td><td>counter</td><td>times a producer woke it</td></tr>
 *   <tr><td>{@code escapement.timer.cascades}</td><td>counter</td><td>timers moved down a wheel level</td></tr>
 *   <tr><td>{@code escapement.timer.connections.active}</td><td>gauge</td><td>live per-connection managers</td></tr>
 *   <tr><td>{@code escapement.timer.lateness}</td><td>time gauge, tag {@code phi} 0.5, 0.99, 0.999</td><td>firing lateness percentiles</td></tr>
 *   <tr><td>{@code escapement.timer.lateness.max}</td><td>time gauge</td><td>the largest firing lateness</td></tr>
 * </table>
 *
 * <p>Lateness is recorded by the timer thread in its own histogram, so it is exposed as the
 * percentiles that histogram gives (as a Micrometer timer exposes the percentiles it computes on the
 * client side), not as a distribution a registry aggregates. Each meter reads a snapshot of
 * {@link GlobalTimer#stats()}, taken at most once per {@link #SNAPSHOT_TTL_MS} ms for all of them,
 * so a scrape costs one snapshot and never stops the timer thread. The registry holds the gauges,
 * and through them this binder and the timer, strongly: they are not collected while registered.
 *
 * <pre>{@code
 * new GlobalTimerMetrics(GlobalTimer.shared(), Tags.of("timer", "shared")).bindTo(registry);
 * }</pre>
 *
 * <p>Thread-safety: any thread; registries read the meters from their own threads.
 */
public final class GlobalTimerMetrics implements MeterBinder {

    /** How long one snapshot of the statistics serves every meter. */
    public static final long SNAPSHOT_TTL_MS = 100;

    private final GlobalTimer timer;
    private final Iterable<Tag> tags;
    private final long ttlNs;
    private volatile Snapshot snapshot;

    private record Snapshot(TimerStats stats, long takenNs) {
    }

    /**
     * @param timer the timer to watch
     * @param tags  tags every meter carries (to tell timers apart, say)
     */
    public GlobalTimerMetrics(GlobalTimer timer, Iterable<Tag> tags) {
        this(timer, tags, TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_TTL_MS));
    }

    /** @param timer the timer to watch, with no extra tags */
    public GlobalTimerMetrics(GlobalTimer timer) {
        this(timer, Tags.empty());
    }

    GlobalTimerMetrics(GlobalTimer timer, Iterable<Tag> tags, long ttlNs) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.tags = Objects.requireNonNull(tags, "tags");
        this.ttlNs = ttlNs;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "escapement.timer.pending", "timers", "timers in the wheel", TimerStats::pending);
        counter(registry, "escapement.timer.scheduled", "timers accepted and seen by the timer thread", TimerStats::scheduled);
        counter(registry, "escapement.timer.fired", "timers that fired for good", TimerStats::fired);
        counter(registry, "escapement.timer.cancelled", "cancels the timer thread applied", TimerStats::cancelled);
        counter(registry, "escapement.timer.rejected", "schedule calls refused", TimerStats::rejected);
        counter(registry, "escapement.timer.task.failures", "tasks that threw", TimerStats::taskFailures);
        gauge(registry, "escapement.timer.queue.depth", "commands", "commands waiting for the timer thread",
                TimerStats::commandQueueDepth);
        counter(registry, "escapement.timer.passes", "passes of the timer thread", TimerStats::passes);
        counter(registry, "escapement.timer.parks", "times the timer thread parked", TimerStats::parks);
        counter(registry, "escapement.timer.wakeups", "times a producer woke the timer thread", TimerStats::wakeups);
        counter(registry, "escapement.timer.cascades", "timers moved down a wheel level", TimerStats::cascades);
        gauge(registry, "escapement.timer.connections.active", "connections", "live per-connection managers",
                TimerStats::activeConnections);
        lateness(registry, "0.5", TimerStats::latenessP50Ns);
        lateness(registry, "0.99", TimerStats::latenessP99Ns);
        lateness(registry, "0.999", TimerStats::latenessP999Ns);
        TimeGauge.builder("escapement.timer.lateness.max", this, TimeUnit.NANOSECONDS,
                        metrics -> metrics.stats().latenessMaxNs())
                .description("the largest firing lateness").tags(tags).strongReference(true).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<TimerStats> value) {
        Gauge.builder(name, this, metrics -> value.applyAsDouble(metrics.stats()))
                .baseUnit(unit).description(description).tags(tags).strongReference(true).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<TimerStats> value) {
        FunctionCounter.builder(name, this, metrics -> value.applyAsDouble(metrics.stats()))
                .description(description).tags(tags).register(registry);
    }

    private void lateness(MeterRegistry registry, String phi, ToDoubleFunction<TimerStats> valueNs) {
        TimeGauge.builder("escapement.timer.lateness", this, TimeUnit.NANOSECONDS,
                        metrics -> valueNs.applyAsDouble(metrics.stats()))
                .description("firing lateness: fire time minus deadline, a percentile").tags(tags).tag("phi", phi)
                .strongReference(true).register(registry);
    }

    /** The statistics, one snapshot per time-to-live for every meter. */
    private TimerStats stats() {
        long nowNs = System.nanoTime();
        Snapshot current = snapshot;
        if (current == null || nowNs - current.takenNs() >= ttlNs) {
            current = new Snapshot(timer.stats(), nowNs);
            snapshot = current;
        }
        return current.stats();
    }

    @Override
    public String toString() {
        return "GlobalTimerMetrics[" + timer + ", " + tags + "]";
    }
}
