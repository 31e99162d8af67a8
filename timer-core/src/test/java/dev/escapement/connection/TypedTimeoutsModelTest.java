package dev.escapement.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.unified.DeadlineObserver;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random register, reset, cancel and check traffic on typed timeouts of a ten-constant enum (four
 * deadlines in fields, six in the array) against a map: every deadline, the earliest, each check's
 * events and every observer call agree.
 */
class TypedTimeoutsModelTest {

    enum Ten { T0, T1, T2, T3, T4, T5, T6, T7, T8, T9 }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 0xC0FFEE})
    void typedTimeoutsAgreeWithAMapOnBothSidesOfTheInlineFields(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StandaloneTypedTimeouts<Ten> typed = new StandaloneTypedTimeouts<>(Ten.values());
        List<Long> reported = new ArrayList<>();
        typed.layer.attach((DeadlineObserver) (layer, deadlineNs) -> reported.add(deadlineNs));
        Map<Ten, Long> model = new TreeMap<>();
        // Near the wrap of nanoTime, so that comparisons by subtraction are exercised too.
        long nowNs = Long.MAX_VALUE - 5_000;
        long resets = 0;
        for (int step = 0; step < 20_000; step++) {
            Ten type = Ten.values()[random.nextInt(Ten.values().length)];
            reported.clear();
            switch (random.nextInt(5)) {
                case 0 -> {
                    long delayNs = random.nextLong(1_000);
                    long deadlineNs = typed.setTimeout(type, nowNs, delayNs);
                    assertThat(deadlineNs).isEqualTo(TimeoutLayer.deadlineAfter(nowNs, delayNs));
                    model.put(type, deadlineNs);
                    assertThat(reported).containsExactly(deadlineNs);
                }
                case 1 -> {
                    long delayNs = random.nextLong(1_000);
                    boolean active = model.containsKey(type);
                    assertThat(typed.moveTimeout(type, nowNs, delayNs)).isEqualTo(active);
                    if (active) {
                        resets++;
                        model.put(type, TimeoutLayer.deadlineAfter(nowNs, delayNs));
                        assertThat(reported).containsExactly(model.get(type));
                    } else {
                        assertThat(reported).isEmpty();
                    }
                }
                case 2 -> {
                    boolean active = model.remove(type) != null;
                    assertThat(typed.removeTimeout(type)).isEqualTo(active);
                    assertThat(reported).hasSize(active ? 1 : 0);
                }
                case 3 -> {
                    nowNs += random.nextLong(300);
                    TimeoutCheckResult due = typed.consumeDueTimeouts(nowNs);
                    long now = nowNs;
                    List<Map.Entry<Ten, Long>> expected = model.entrySet().stream()
                            .filter(e -> e.getValue() - now <= 0)
                            .sorted(Comparator.comparingLong(e -> e.getValue() - now))
                            .toList();
                    assertThat(due.eventCount()).isEqualTo(expected.size());
                    for (int i = 0; i < expected.size(); i++) {
                        assertThat(due.deadlineNs(i)).isEqualTo(expected.get(i).getValue());
                        assertThat(model.get((Ten) due.event(i))).isEqualTo(due.deadlineNs(i));
                    }
                    expected.forEach(e -> model.remove(e.getKey()));
                }
                default -> nowNs += random.nextLong(50);
            }
            for (Ten each : Ten.values()) {
                assertThat(typed.hasTimeout(each)).isEqualTo(model.containsKey(each));
                assertThat(typed.timeoutDeadline(each)).isEqualTo(model.getOrDefault(each, TimeoutLayer.NO_DEADLINE));
            }
            long now = nowNs;
            long earliest = model.values().stream()
                    .min(Comparator.comparingLong(d -> d - now)).orElse(TimeoutLayer.NO_DEADLINE);
            assertThat(typed.earliestTimeoutDeadline()).isEqualTo(earliest);
            assertThat(typed.activeTimeoutCount()).isEqualTo(model.size());
        }
        assertThat(typed.resets).isEqualTo(resets);
    }
}
