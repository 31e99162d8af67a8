package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.PeriodicSchedule;
import dev.escapement.TimerHandle;
import dev.escapement.clock.ManualClock;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point with null, negative, zero, huge and overflowing arguments, each with
 * its documented outcome: an exception naming the argument or value, or a defined result. Nothing
 * here may corrupt the timer: after each case, a fresh timer of the same kind still fires.
 */
class BadInputCatalogueTest {

    /** What a call must do. */
    sealed interface Outcome permits Throws, Returns {
    }

    record Throws(Class<? extends Throwable> type, String message) implements Outcome {
    }

    record Returns(Object value) implements Outcome {
    }

    private static final Object ANY_HANDLE = new Object() {
        @Override
        public String toString() {
            return "a pending handle";
        }
    };

    static Stream<Arguments> catalogue() {
        return Stream.of(
                // schedule
                row("schedule(null task)", t -> t.schedule(null, 1, MILLISECONDS), new Throws(NullPointerException.class, "task")),
                row("schedule(null unit)", t -> t.schedule(h -> { }, 1, null), new Throws(NullPointerException.class, "unit")),
                row("schedule(null duration)", t -> t.schedule(h -> { }, (Duration) null), new Throws(NullPointerException.class, "delay")),
                row("schedule(negative delay)", t -> t.schedule(h -> { }, -1, MILLISECONDS), new Returns(ANY_HANDLE)),
                row("schedule(Long.MIN_VALUE delay)", t -> t.schedule(h -> { }, Long.MIN_VALUE, NANOSECONDS), new Returns(ANY_HANDLE)),
                row("schedule(Long.MAX_VALUE days)", t -> t.schedule(h -> { }, Long.MAX_VALUE, DAYS), new Returns(ANY_HANDLE)),
                row("schedule(huge Duration)", t -> t.schedule(h -> { }, Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)), new Returns(ANY_HANDLE)),
                row("schedule(very negative Duration)", t -> t.schedule(h -> { }, Duration.ofSeconds(Long.MIN_VALUE)), new Returns(ANY_HANDLE)),
                row("scheduleAt(null task)", t -> t.scheduleAt(null, 0), new Throws(NullPointerException.class, "task")),
                row("scheduleAt(Long.MIN_VALUE)", t -> t.scheduleAt(h -> { }, Long.MIN_VALUE), new Returns(ANY_HANDLE)),
                row("scheduleAt(Long.MAX_VALUE)", t -> t.scheduleAt(h -> { }, Long.MAX_VALUE), new Returns(ANY_HANDLE)),
                row("scheduleNotify(null unit)", t -> t.scheduleNotify(1, null), new Throws(NullPointerException.class, "unit")),
                // windows
                row("scheduleWithin(latest < earliest)", t -> t.scheduleWithin(h -> { }, 5, 4, MILLISECONDS),
                        new Throws(IllegalArgumentException.class, "latest must not be before earliest: 4 < 5 MILLISECONDS")),
                row("scheduleWithin(negative window)", t -> t.scheduleWithin(h -> { }, -5, -1, MILLISECONDS), new Returns(ANY_HANDLE)),
                row("scheduleWithin(huge window)", t -> t.scheduleWithin(h -> { }, 1, Long.MAX_VALUE, DAYS), new Returns(ANY_HANDLE)),
                row("scheduleWithin(null task)", t -> t.scheduleWithin(null, 1, 2, MILLISECONDS), new Throws(NullPointerException.class, "task")),
                // periodic
                row("schedulePeriodic(null schedule)", t -> t.schedulePeriodic(h -> { }, null), new Throws(NullPointerException.class, "schedule")),
                row("scheduleAtFixedRate(period 0)", t -> t.scheduleAtFixedRate(h -> { }, 0, 0, MILLISECONDS),
                        new Throws(IllegalArgumentException.class, "interval must be > 0: 0 MILLISECONDS")),
                row("scheduleAtFixedRate(period -1)", t -> t.scheduleAtFixedRate(h -> { }, 0, -1, MILLISECONDS),
                        new Throws(IllegalArgumentException.class, "interval must be > 0: -1 MILLISECONDS")),
                row("fixedRate(Long.MAX_VALUE days)", t -> t.schedulePeriodic(h -> { },
                        PeriodicSchedule.fixedRate(Long.MAX_VALUE, DAYS).build()), new Returns(ANY_HANDLE)),
                // id path
                row("scheduleTimer(null handler)", t -> t.scheduleTimer(null, 1, MILLISECONDS), new Throws(NullPointerException.class, "handler")),
                row("scheduleTimer(null unit)", t -> t.scheduleTimer((id, now) -> { }, 1, null), new Throws(NullPointerException.class, "unit")),
                row("cancelTimer(0)", t -> t.cancelTimer(0), new Returns(false)),
                row("cancelTimer(-1)", t -> t.cancelTimer(-1), new Returns(false)),
                row("cancelTimer(Long.MAX_VALUE)", t -> t.cancelTimer(Long.MAX_VALUE), new Returns(false)),
                row("cancelTimer(Long.MIN_VALUE)", t -> t.cancelTimer(Long.MIN_VALUE), new Returns(false)),
                row("postponeTimer(0)", t -> t.postponeTimer(0, 1, MILLISECONDS), new Returns(false)),
                row("postponeTimer(null unit)", t -> t.postponeTimer(1, 1, null), new Throws(NullPointerException.class, "unit")),
                row("isPending(-5)", t -> t.isPending(-5), new Returns(false)),
                // handle
                row("postpone(Long.MAX_VALUE ns)", t -> t.schedule(h -> { }, 1, MILLISECONDS).postpone(Long.MAX_VALUE, NANOSECONDS), new Returns(true)),
                row("postpone(Long.MIN_VALUE ns)", t -> t.schedule(h -> { }, 1, MILLISECONDS).postpone(Long.MIN_VALUE, NANOSECONDS), new Returns(true)),
                row("postpone(null unit)", t -> t.schedule(h -> { }, 1, MILLISECONDS).postpone(1, null), new Throws(NullPointerException.class, "unit")),
                row("postpone(null task)", t -> t.schedule(h -> { }, 1, MILLISECONDS).postpone(1, MILLISECONDS, null),
                        new Throws(NullPointerException.class, "newTask")),
                row("completion().complete(null)", t -> t.schedule(h -> { }, 1, MILLISECONDS).completion().complete(null),
                        new Throws(UnsupportedOperationException.class, "only the timer completes a timer's future")),
                // batches
                row("batch.cancel(null)", t -> t.newBatch().cancel((TimerHandle) null), new Throws(NullPointerException.class, "handle")),
                row("batch.postpone(null unit)", t -> t.newBatch().postpone(t.schedule(h -> { }, 1, MILLISECONDS), 1, null),
                        new Throws(NullPointerException.class, "unit")),
                row("empty batch", t -> t.newBatch().submit().size(), new Returns(0)),
                // other
                row("cancelMatching(null)", t -> t.cancelMatching(null), new Throws(NullPointerException.class, "filter")),
                row("registerConnection(Long.MIN_VALUE)", t -> t.registerConnection(Long.MIN_VALUE), new Returns(true))
        );
    }

    static Stream<Arguments> builderCatalogue() {
        return Stream.of(
                builderRow("tick 0", b -> b.tick(0, NANOSECONDS), "tick must be between 1 µs and 1 s: 0 ns"),
                builderRow("tick -1 ms", b -> b.tick(-1, MILLISECONDS), "tick must be between 1 µs and 1 s: -1000000 ns"),
                builderRow("tick 999 ns", b -> b.tick(999, NANOSECONDS), "tick must be between 1 µs and 1 s: 999 ns"),
                builderRow("tick 2 s", b -> b.tick(Duration.ofSeconds(2)), "tick must be between 1 µs and 1 s: 2000000000 ns"),
                builderRow("tick huge", b -> b.tick(Long.MAX_VALUE, DAYS), "tick must be between 1 µs and 1 s: 9223372036854775807 ns"),
                builderRow("slots 0", b -> b.slotsPerLevel(0), "slotsPerLevel must be a power of two between 2 and 64: 0"),
                builderRow("slots 100", b -> b.slotsPerLevel(100), "slotsPerLevel must be a power of two between 2 and 64: 100"),
                builderRow("slots 128", b -> b.slotsPerLevel(128), "slotsPerLevel must be a power of two between 2 and 64: 128"),
                builderRow("pending 0", b -> b.maxPendingTimers(0), "maxPendingTimers must be between 1 and 1073741824: 0"),
                builderRow("pending -1", b -> b.maxPendingTimers(-1), "maxPendingTimers must be between 1 and 1073741824: -1"),
                builderRow("pending MAX", b -> b.maxPendingTimers(Integer.MAX_VALUE),
                        "maxPendingTimers must be between 1 and 1073741824: 2147483647"),
                builderRow("queue 8", b -> b.commandQueueCapacity(8), "commandQueueCapacity must be a power of two between 16 and 1073741824: 8"),
                builderRow("queue 100", b -> b.commandQueueCapacity(100), "commandQueueCapacity must be a power of two between 16 and 1073741824: 100"),
                builderRow("queue MIN", b -> b.commandQueueCapacity(Integer.MIN_VALUE),
                        "commandQueueCapacity must be a power of two between 16 and 1073741824: -2147483648"),
                builderRow("thread name blank", b -> b.threadName(" "), "threadName must not be blank: \" \"")
        );
    }

    private static Arguments row(String name, Function<GlobalTimer, Object> call, Outcome outcome) {
        return Arguments.of(name, call, outcome);
    }

    private static Arguments builderRow(String name, Function<GlobalTimer.Builder, GlobalTimer.Builder> setting, String message) {
        return Arguments.of(name, setting, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachBadInputHasItsDocumentedOutcome(String name, Function<GlobalTimer, Object> call, Outcome outcome) {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        if (outcome instanceof Throws expected) {
            assertThatThrownBy(() -> call.apply(timer)).isInstanceOf(expected.type()).hasMessage(expected.message());
        } else {
            Object value = ((Returns) outcome).value();
            Object actual = call.apply(timer);
            if (value == ANY_HANDLE) {
                assertThat(actual).isInstanceOf(TimerHandle.class);
                assertThat(((TimerHandle) actual).id()).isNotZero();
            } else {
                assertThat(actual).isEqualTo(value);
            }
        }
        // The timer is unharmed.
        boolean[] fired = new boolean[1];
        timer.schedule(h -> fired[0] = true, 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        while (timer.doWork() > 0) {
            // drain
        }
        assertThat(fired[0]).isTrue();
        timer.stop();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builderCatalogue")
    void eachBadSettingFailsInBuildNamingParameterValueAndRange(String name,
            Function<GlobalTimer.Builder, GlobalTimer.Builder> setting, String message) {
        assertThatThrownBy(() -> setting.apply(GlobalTimer.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
