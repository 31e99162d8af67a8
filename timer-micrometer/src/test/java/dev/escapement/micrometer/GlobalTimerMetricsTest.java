package dev.escapement.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.TimerManager;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every meter by name and value, on a caller-driven timer and a manual clock, against what the
 * timer's own statistics say.
 */
class GlobalTimerMetricsTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().maxPendingTimers(20).build();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyMeterReadsTheTimersStatistics() {
        new GlobalTimerMetrics(timer, Tags.of("timer", "test"), 0).bindTo(registry);
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            handles.add(timer.schedule(h -> { }, i < 7 ? 1 : 60_000, TimeUnit.MILLISECONDS));
        }
        handles.get(9).cancel();
        TimerManager<?> connection = TimerManager.builder(timer, 5).build();
        timer.schedule(h -> {
            throw new IllegalStateException("a failing task");
        }, 1, TimeUnit.MILLISECONDS);
        timer.doWork();
        assertThat(gauge("escapement.timer.queue.depth")).isZero();
        clock.advance(5, TimeUnit.MILLISECONDS);
        timer.doWork();
        // Two pending an hour out; eighteen more reach the bound of twenty.
        for (int i = 0; i < 18; i++) {
            timer.schedule(h -> { }, 1, TimeUnit.HOURS);
        }
        assertThatThrownBy(() -> timer.schedule(h -> { }, 1, TimeUnit.HOURS)).isInstanceOf(RejectedExecutionException.class);
        timer.doWork();

        TimerStats stats = timer.stats();
        assertThat(counter("escapement.timer.scheduled")).isEqualTo(stats.scheduled()).isEqualTo(29);
        assertThat(counter("escapement.timer.fired")).isEqualTo(stats.fired()).isEqualTo(8);
        assertThat(counter("escapement.timer.cancelled")).isEqualTo(stats.cancelled()).isEqualTo(1);
        assertThat(counter("escapement.timer.rejected")).isEqualTo(stats.rejected()).isEqualTo(1);
        assertThat(counter("escapement.timer.task.failures")).isEqualTo(1);
        assertThat(gauge("escapement.timer.pending")).isEqualTo(stats.pending()).isEqualTo(20);
        assertThat(gauge("escapement.timer.connections.active")).isEqualTo(1);
        assertThat(counter("escapement.timer.passes")).isEqualTo(stats.passes()).isEqualTo(3);
        assertThat(counter("escapement.timer.parks")).isEqualTo(stats.parks());
        assertThat(counter("escapement.timer.wakeups")).isEqualTo(stats.wakeups());
        assertThat(counter("escapement.timer.cascades")).isEqualTo(stats.cascades());
        // Eight timers due at 1 ms fired in the pass at 5 ms: 4 ms late each.
        // (The timer's histogram keeps three significant digits.)
        long[] percentilesNs = {stats.latenessP50Ns(), stats.latenessP99Ns(), stats.latenessP999Ns()};
        String[] phis = {"0.5", "0.99", "0.999"};
        for (int i = 0; i < phis.length; i++) {
            double ns = registry.get("escapement.timer.lateness").tag("phi", phis[i]).timeGauge().value(TimeUnit.NANOSECONDS);
            assertThat(ns).as("p" + phis[i]).isCloseTo(percentilesNs[i], within(0.5)).isCloseTo(4e6, within(2e4));
        }
        assertThat(registry.get("escapement.timer.lateness.max").timeGauge().value(TimeUnit.NANOSECONDS))
                .isCloseTo(stats.latenessMaxNs(), within(0.5)).isCloseTo(4e6, within(2e4));
        assertThat(registry.get("escapement.timer.fired").tag("timer", "test").functionCounter()).isNotNull();
        connection.close();
        assertThat(gauge("escapement.timer.connections.active")).isZero();
    }

    @Test
    void aScrapeReadsOneSnapshotForEveryMeter() {
        new GlobalTimerMetrics(timer, Tags.empty(), TimeUnit.HOURS.toNanos(1)).bindTo(registry);
        assertThat(gauge("escapement.timer.pending")).isZero();
        timer.schedule(h -> { }, 1, TimeUnit.HOURS);
        timer.doWork();
        assertThat(gauge("escapement.timer.pending")).as("the snapshot taken above still serves").isZero();
        assertThat(counter("escapement.timer.scheduled")).isZero();
        assertThat(new GlobalTimerMetrics(timer)).hasToString("GlobalTimerMetrics[" + timer + ", []]");
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
