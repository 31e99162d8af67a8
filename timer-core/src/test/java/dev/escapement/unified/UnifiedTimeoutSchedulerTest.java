package dev.escapement.unified;

import static dev.escapement.unified.TimeoutLayer.NO_DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UnifiedTimeoutSchedulerTest {

    private enum Event { A, B, C, D, E, F }

    private final ManualClock stopwatch = new ManualClock();
    private final UnifiedTimeoutScheduler scheduler = UnifiedTimeoutScheduler.create(stopwatch);

    private TestLayer layer(String name) {
        TestLayer layer = new TestLayer(name);
        scheduler.addLayer(layer);
        return layer;
    }

    /** The answer the cache must give: the minimum, recomputed from every layer. */
    private long recomputedMinimum() {
        long earliestNs = NO_DEADLINE;
        for (TimeoutLayer layer : scheduler.layers()) {
            earliestNs = TimeoutLayer.earlier(earliestNs, layer.nextDeadline());
        }
        return earliestNs;
    }

    @Test
    void withoutLayersOrDeadlinesThereIsNoDeadline() {
        assertThat(scheduler.nextDeadline()).isEqualTo(NO_DEADLINE);
        layer("empty");
        assertThat(scheduler.nextDeadline()).isEqualTo(NO_DEADLINE);
        assertThat(scheduler.checkAll(Long.MAX_VALUE - 1).isEmpty()).isTrue();
    }

    @Test
    void nextDeadlineIsTheEarliestOverTheLayers() {
        layer("a").set(Event.A, 300);
        layer("b").set(Event.B, 100).set(Event.C, 500);
        layer("c").set(Event.D, 200);
        assertThat(scheduler.nextDeadline()).isEqualTo(100);
    }

    @Test
    void anEarlierDeadlineKeepsTheCacheExactWithoutAskingTheLayersAgain() {
        TestLayer a = layer("a").set(Event.A, 300);
        TestLayer b = layer("b").set(Event.B, 200);
        assertThat(scheduler.nextDeadline()).isEqualTo(200);
        a.set(Event.C, 50);
        b.set(Event.D, 40);
        assertThat(scheduler.nextDeadline()).isEqualTo(40);
        UnifiedSchedulerStats stats = scheduler.stats();
        assertThat(stats.invalidations()).isZero();
        assertThat(stats.cacheHits()).isEqualTo(stats.checks()).isEqualTo(2);
    }

    @Test
    void onlyTheHolderRemovingOrPostponingItsDeadlineInvalidatesTheCache() {
        TestLayer a = layer("a").set(Event.A, 100);
        TestLayer b = layer("b").set(Event.B, 200);
        b.set(Event.B, 900);          // not the holder: the earliest stands
        b.remove(Event.B);
        a.set(Event.C, 150);          // the holder adds a later one: conservatively unknown
        assertThat(scheduler.stats().invalidations()).isEqualTo(1);
        assertThat(scheduler.nextDeadline()).isEqualTo(100);
        a.remove(Event.A);            // the holder removes the earliest
        assertThat(scheduler.stats().invalidations()).isEqualTo(2);
        assertThat(scheduler.nextDeadline()).isEqualTo(150);
        assertThat(scheduler.stats().cacheHits()).isZero();
    }

    @ParameterizedTest(name = "seed {0}, clock base {1}")
    @CsvSource({
            "1, 0",
            "2, 9223372036854770807",     // Long.MAX_VALUE - 5000: deadlines wrap
            "3, -4611686018427387904",
            "4, 1234567890123",
            "5, 9223372036854775000"})
    void theCacheIsNeverStaleUnderRandomLayerChanges(long seed, long baseNs) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TestLayer> layers = new ArrayList<>();
        layers.add(layer("l0"));
        layers.add(layer("l1"));
        long nowNs = baseNs;
        for (int step = 0; step < 20_000; step++) {
            TestLayer target = layers.get(random.nextInt(layers.size()));
            Event event = Event.values()[random.nextInt(Event.values().length)];
            int op = random.nextInt(100);
            if (op < 45) {
                target.set(event, nowNs + random.nextLong(0, 10_000));
            } else if (op < 75) {
                target.remove(event);
            } else if (op < 90) {
                nowNs += random.nextLong(0, 2_000);
                TimeoutCheckResult due = scheduler.checkAll(nowNs);
                for (int i = 0; i < due.eventCount(); i++) {
                    assertThat(TimeoutLayer.isDue(due.deadlineNs(i), nowNs)).isTrue();
                }
                assertThat(TimeoutLayer.isDue(recomputedMinimum(), nowNs)).as("everything due was consumed").isFalse();
            } else if (op < 91 && layers.size() < 6) {
                TestLayer added = new TestLayer("l" + layers.size());
                added.set(event, nowNs + random.nextLong(0, 10_000));
                scheduler.addLayer(added);
                layers.add(added);
            }
            if (random.nextInt(3) == 0) {
                assertThat(scheduler.nextDeadline()).as("step %d", step).isEqualTo(recomputedMinimum());
            }
        }
        assertThat(scheduler.nextDeadline()).isEqualTo(recomputedMinimum());
        UnifiedSchedulerStats stats = scheduler.stats();
        assertThat(stats.cacheHits()).as("the cache answered some queries").isPositive();
        assertThat(stats.invalidations()).as("and was invalidated sometimes").isPositive();
        assertThat(stats.cacheHits()).isLessThan(stats.checks());
    }

    @Test
    void checkAllAsksOnlyDueLayersAndSortsTheirEventsByDeadline() {
        TestLayer a = layer("a").set(Event.A, 100).set(Event.C, 300);
        TestLayer b = layer("b").set(Event.B, 200, 7, 8);
        TestLayer c = layer("c").set(Event.D, 1_000);
        TimeoutCheckResult due = scheduler.checkAll(250);
        assertThat(due.events()).containsExactly(Event.A, Event.B);
        assertThat(due.frameCount()).isEqualTo(2);
        assertThat(due.frame(0)).isEqualTo(7);
        assertThat(due.frame(1)).isEqualTo(8);
        assertThat(a.stats().checks()).isEqualTo(1);
        assertThat(b.stats().checks()).isEqualTo(1);
        assertThat(c.stats().checks()).as("not due: not asked").isZero();
        assertThat(scheduler.stats().layerChecks()).isEqualTo(2);
        assertThat(scheduler.nextDeadline()).isEqualTo(300);
    }

    @Test
    void whenTheUnifiedDeadlineIsNotDueNoLayerIsAsked() {
        TestLayer a = layer("a").set(Event.A, 100);
        scheduler.nextDeadline();
        assertThat(scheduler.checkAll(99).isEmpty()).isTrue();
        assertThat(a.stats().checks()).isZero();
        assertThat(scheduler.stats().layerChecks()).isZero();
        assertThat(scheduler.stats().checkAllRuns()).isEqualTo(1);
    }

    @Test
    void downstreamHearsEveryChangeAfterTheCacheHasAbsorbedIt() {
        List<Long> seenByDownstream = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        scheduler.observe((layer, deadlineNs) -> seenByDownstream.add(scheduler.nextDeadline()));
        TestLayer a = layer("a");
        TestLayer b = layer("b");
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            TestLayer target = random.nextBoolean() ? a : b;
            Event event = Event.values()[random.nextInt(3)];
            if (random.nextBoolean()) {
                target.set(event, random.nextLong(0, 1_000));
                expected.add(recomputedMinimum());
            } else if (target.remove(event)) {
                expected.add(recomputedMinimum());
            }
        }
        assertThat(seenByDownstream).isEqualTo(expected);
    }

    @Test
    void aLayerAddedWithADeadlineCountsAtOnce() {
        List<Long> told = new ArrayList<>();
        scheduler.observe((layer, deadlineNs) -> told.add(deadlineNs));
        layer("a").set(Event.A, 500);
        TestLayer late = new TestLayer("late").set(Event.B, 50);
        scheduler.addLayer(late);
        assertThat(scheduler.nextDeadline()).isEqualTo(50);
        assertThat(told).containsExactly(500L, 50L);
        assertThat(scheduler.layers()).extracting(TimeoutLayer::layerName).containsExactly("a", "late");
    }

    @Test
    void aLayerIsAddedOnceAndToOneSchedulerOnly() {
        TestLayer a = layer("a");
        assertThatThrownBy(() -> scheduler.addLayer(a))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("layer is in this scheduler already: a");
        assertThatThrownBy(() -> UnifiedTimeoutScheduler.create().addLayer(a))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> scheduler.addLayer(null))
                .isInstanceOf(NullPointerException.class).hasMessage("layer");
        assertThatThrownBy(() -> UnifiedTimeoutScheduler.create(null))
                .isInstanceOf(NullPointerException.class).hasMessage("stopwatch");
    }

    @Test
    void statsReportHitRateAndMeanCheckTime() {
        TestLayer a = layer("a").duringCheck(() -> stopwatch.advance(100, TimeUnit.NANOSECONDS));
        assertThat(scheduler.stats().hitRate()).isZero();
        assertThat(scheduler.stats().meanCheckTimeNs()).isZero();
        a.set(Event.A, 10).set(Event.B, 20);
        scheduler.checkAll(10);   // one layer check: 100 ns
        scheduler.checkAll(15);   // nothing due: 0 ns
        scheduler.checkAll(20);   // one layer check: 100 ns
        UnifiedSchedulerStats stats = scheduler.stats();
        assertThat(stats.checkAllRuns()).isEqualTo(3);
        assertThat(stats.totalCheckTimeNs()).isEqualTo(200);
        assertThat(stats.meanCheckTimeNs()).isEqualTo(200.0 / 3);
        assertThat(stats.hitRate()).isEqualTo((double) stats.cacheHits() / stats.checks());
        assertThat(stats.hitRate()).isBetween(0.0, 1.0);
    }

    @Test
    void toStringShowsLayersAndTheDeadline() {
        TestLayer a = layer("a").set(Event.A, 10);
        layer("b");
        scheduler.nextDeadline();
        assertThat(scheduler).hasToString("UnifiedTimeoutScheduler[layers=[a, b], next=10 ns (a)]");
        a.remove(Event.A);
        assertThat(scheduler).hasToString("UnifiedTimeoutScheduler[layers=[a, b], next=unknown]");
        scheduler.nextDeadline();
        assertThat(scheduler).hasToString("UnifiedTimeoutScheduler[layers=[a, b], next=none]");
    }
}
