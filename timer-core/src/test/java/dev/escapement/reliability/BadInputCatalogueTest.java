package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.GlobalTimerBuilder;
import dev.escapement.PeriodicSchedule;
import dev.escapement.TimerHandle;
import dev.escapement.clock.CachedClock;
import dev.escapement.clock.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point of the global timer with null, negative, zero, huge and overflowing
 * arguments, each with its documented outcome: an exception of the documented type whose message
 * names the argument (and its value, where it has one), or a defined result. Covered: the
 * {@link GlobalTimer} and its builder, handles, batches, {@link PeriodicSchedule}, the lifecycle
 * ({@code start}, {@code stop}, {@code doWork}), {@link ManualClock} and {@link CachedClock}. Nothing
 * here may corrupt the timer: after each call, the same timer still fires a new timer on time. The
 * per-connection entry points have their own catalogue, {@link ConnectionBadInputCatalogueTest}.
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
                row("cancelTimer(-1)", t -> t.cancelTimer(-1), new Throws(IllegalArgumentException.class,
                        "timer id -1 belongs to a TimerHandle: cancel or postpone it through the handle")),
                row("cancelTimer(Long.MAX_VALUE)", t -> t.cancelTimer(Long.MAX_VALUE), new Returns(false)),
                row("cancelTimer(Long.MIN_VALUE)", t -> t.cancelTimer(Long.MIN_VALUE), new Throws(IllegalArgumentException.class,
                        "timer id -9223372036854775808 belongs to a TimerHandle: cancel or postpone it through the handle")),
                row("postponeTimer(0)", t -> t.postponeTimer(0, 1, MILLISECONDS), new Returns(false)),
                row("postponeTimer(null unit)", t -> t.postponeTimer(1, 1, null), new Throws(NullPointerException.class, "unit")),
                row("isPending(-5)", t -> t.isPending(-5), new Throws(IllegalArgumentException.class,
                        "timer id -5 belongs to a TimerHandle: cancel or postpone it through the handle")),
                row("isPending(Long.MAX_VALUE)", t -> t.isPending(Long.MAX_VALUE), new Returns(false)),
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
                row("batch.cancel(0)", t -> t.newBatch().cancel(0).submit().failure(0), new Returns("not pending")),
                row("batchResult.handle(1) of a one-entry batch", t -> t.newBatch().cancel(0).submit().handle(1),
                        new Throws(ArrayIndexOutOfBoundsException.class, "Index 1 out of bounds for length 1")),
                row("batch.schedule(null task)", t -> t.newBatch().schedule(null, 1, MILLISECONDS), new Throws(NullPointerException.class, "task")),
                row("batch.schedule(null unit)", t -> t.newBatch().schedule(h -> { }, 1, null), new Throws(NullPointerException.class, "unit")),
                row("batch.postpone(null handle)", t -> t.newBatch().postpone(null, 1, MILLISECONDS), new Throws(NullPointerException.class, "handle")),
                row("batch.schedule(Long.MIN_VALUE ns)", t -> t.newBatch().schedule(h -> { }, Long.MIN_VALUE, NANOSECONDS).submit().successCount(),
                        new Returns(1)),
                row("batch submitted twice", t -> {
                    var batch = t.newBatch();
                    batch.submit();
                    return batch.submit();
                }, new Throws(IllegalStateException.class, "batch already submitted")),
                // more null arguments
                row("scheduleTimerAt(null handler)", t -> t.scheduleTimerAt(null, 0), new Throws(NullPointerException.class, "handler")),
                row("scheduleAtFixedRate(null task)", t -> t.scheduleAtFixedRate(null, 0, 1, MILLISECONDS), new Throws(NullPointerException.class, "task")),
                row("scheduleAtFixedRate(null unit)", t -> t.scheduleAtFixedRate(h -> { }, 0, 1, null), new Throws(NullPointerException.class, "unit")),
                row("scheduleWithin(null unit)", t -> t.scheduleWithin(h -> { }, 1, 2, null), new Throws(NullPointerException.class, "unit")),
                row("schedulePeriodic(null task)", t -> t.schedulePeriodic(null, PeriodicSchedule.fixedRate(1, SECONDS).build()),
                        new Throws(NullPointerException.class, "task")),
                row("postponeTimer(Long.MIN_VALUE)", t -> t.postponeTimer(Long.MIN_VALUE, 1, MILLISECONDS),
                        new Throws(IllegalArgumentException.class,
                                "timer id -9223372036854775808 belongs to a TimerHandle: cancel or postpone it through the handle")),
                // PeriodicSchedule
                row("fixedRate(null unit)", t -> PeriodicSchedule.fixedRate(1, null), new Throws(NullPointerException.class, "unit")),
                row("fixedRate(Long.MIN_VALUE ns)", t -> PeriodicSchedule.fixedRate(Long.MIN_VALUE, NANOSECONDS),
                        new Throws(IllegalArgumentException.class, "interval must be > 0: -9223372036854775808 NANOSECONDS")),
                row("dynamic(null)", t -> PeriodicSchedule.dynamic(null), new Throws(NullPointerException.class, "intervalNsFromLastFireNs")),
                row("initialDelay(null unit)", t -> PeriodicSchedule.fixedRate(1, SECONDS).initialDelay(1, null),
                        new Throws(NullPointerException.class, "unit")),
                row("initialDelay(Long.MIN_VALUE ns)", t -> t.schedulePeriodic(h -> { },
                        PeriodicSchedule.fixedRate(1, SECONDS).initialDelay(Long.MIN_VALUE, NANOSECONDS).build()), new Returns(ANY_HANDLE)),
                row("initialDelay(Long.MAX_VALUE days)", t -> t.schedulePeriodic(h -> { },
                        PeriodicSchedule.fixedRate(1, SECONDS).initialDelay(Long.MAX_VALUE, DAYS).build()), new Returns(ANY_HANDLE)),
                row("loops(0)", t -> PeriodicSchedule.fixedRate(1, SECONDS).loops(0).build(),
                        new Throws(IllegalArgumentException.class, "loops must be -1 (forever) or at least 1: 0")),
                row("loops(Long.MIN_VALUE)", t -> PeriodicSchedule.fixedRate(1, SECONDS).loops(Long.MIN_VALUE).build(),
                        new Throws(IllegalArgumentException.class, "loops must be -1 (forever) or at least 1: -9223372036854775808")),
                row("loops(Long.MAX_VALUE)", t -> t.schedulePeriodic(h -> { },
                        PeriodicSchedule.fixedRate(1, SECONDS).loops(Long.MAX_VALUE).build()), new Returns(ANY_HANDLE)),
                row("jitter(null unit)", t -> PeriodicSchedule.fixedRate(1, SECONDS).jitter(1, null), new Throws(NullPointerException.class, "unit")),
                row("jitter(-1 ms)", t -> PeriodicSchedule.fixedRate(1, SECONDS).jitter(-1, MILLISECONDS).build(),
                        new Throws(IllegalArgumentException.class, "jitter must be >= 0: -1000000 ns")),
                row("jitter(the whole interval)", t -> PeriodicSchedule.fixedRate(1, MILLISECONDS).jitter(1, MILLISECONDS).build(),
                        new Throws(IllegalArgumentException.class, "jitter must be below the interval of 1000000 ns: 1000000 ns")),
                row("dynamic first interval 0", t -> t.schedulePeriodic(h -> { }, PeriodicSchedule.dynamic(lastNs -> 0).build()),
                        new Throws(IllegalArgumentException.class,
                                "interval function returned 0 ns for the first run; set initialDelay or return a positive interval")),
                // Huge intervals and jitter stop at the end of the timer's range: they never wrap
                // round into the past, where every pass would fire them.
                row("dynamic interval Long.MAX_VALUE ns after a run", t -> runsInThreeHours(t,
                        PeriodicSchedule.dynamic(lastNs -> Long.MAX_VALUE).initialDelay(1, HOURS).build()), new Returns(1)),
                row("fixedRate(Long.MAX_VALUE ns) after a run", t -> runsInThreeHours(t,
                        PeriodicSchedule.fixedRate(Long.MAX_VALUE, NANOSECONDS).initialDelay(1, HOURS).build()), new Returns(1)),
                row("dynamic jitter Long.MAX_VALUE ns", t -> runsInThreeHours(t,
                        PeriodicSchedule.dynamic(lastNs -> HOURS.toNanos(1)).initialDelay(0, NANOSECONDS)
                                .jitter(Long.MAX_VALUE, NANOSECONDS).build()) >= 1, new Returns(true)),
                // clocks
                row("advance(-1 ms)", t -> manualClock(t).advance(-1, MILLISECONDS), new Throws(IllegalArgumentException.class,
                        "amount must not be negative, a monotonic clock cannot move backwards: -1 MILLISECONDS")),
                row("advance(Long.MIN_VALUE ns)", t -> manualClock(t).advance(Long.MIN_VALUE, NANOSECONDS), new Throws(IllegalArgumentException.class,
                        "amount must not be negative, a monotonic clock cannot move backwards: -9223372036854775808 NANOSECONDS")),
                row("advance(null unit)", t -> manualClock(t).advance(1, null), new Throws(NullPointerException.class, "unit")),
                row("advance(null Duration)", t -> manualClock(t).advance(null), new Throws(NullPointerException.class, "step")),
                row("advance(negative Duration)", t -> manualClock(t).advance(Duration.ofNanos(-1)), new Throws(IllegalArgumentException.class,
                        "step must not be negative, a monotonic clock cannot move backwards: PT-0.000000001S")),
                row("advance(0 ms)", t -> manualClock(t).advance(0, MILLISECONDS), new Returns(0L)),
                row("advance(Long.MAX_VALUE days) of a fresh clock", t -> new ManualClock().advance(Long.MAX_VALUE, DAYS), new Returns(Long.MAX_VALUE)),
                row("advance(huge Duration) of a fresh clock", t -> new ManualClock().advance(Duration.ofSeconds(Long.MAX_VALUE)),
                        new Returns(Long.MAX_VALUE)),
                row("advance past Long.MAX_VALUE wraps", t -> new ManualClock(Long.MAX_VALUE).advance(1, NANOSECONDS), new Returns(Long.MIN_VALUE)),
                row("setNanoTime(earlier)", t -> {
                    manualClock(t).setNanoTime(10);
                    manualClock(t).setNanoTime(5);
                    return null;
                }, new Throws(IllegalArgumentException.class,
                        "newNs must not be before the current reading of 10 ns, a monotonic clock cannot move backwards: 5 ns")),
                row("new CachedClock(null)", t -> new CachedClock(null), new Throws(NullPointerException.class, "source")),
                // other
                row("cancelMatching(null)", t -> t.cancelMatching(null), new Throws(NullPointerException.class, "filter"))
        );
    }

    /** Lifecycle misuse: each case builds its own timer, which it may stop. */
    static Stream<Arguments> lifecycleCatalogue() {
        return Stream.of(
                lifecycleRow("start() after stop()", () -> {
                    GlobalTimer timer = GlobalTimer.builder().build();
                    timer.stop();
                    timer.start();
                    return null;
                }, new Throws(IllegalStateException.class, "timer is stopped and cannot be restarted")),
                lifecycleRow("schedule after stop()", () -> stopped().schedule(h -> { }, 1, MILLISECONDS),
                        new Throws(RejectedExecutionException.class, "timer is stopped")),
                lifecycleRow("scheduleTimer after stop()", () -> stopped().scheduleTimer((id, nowNs) -> { }, 1, MILLISECONDS),
                        new Throws(RejectedExecutionException.class, "timer is stopped")),
                lifecycleRow("batch submit after stop()", () -> stopped().newBatch().schedule(h -> { }, 1, MILLISECONDS).submit(),
                        new Throws(RejectedExecutionException.class, "timer is stopped")),
                lifecycleRow("cancelMatching after stop()", () -> stopped().cancelMatching(h -> true),
                        new Throws(IllegalStateException.class, "timer is stopped")),
                lifecycleRow("doWork() after stop()", () -> stopped().doWork(), new Throws(IllegalStateException.class, "timer is stopped")),
                lifecycleRow("doWork() on a timer with its own thread", () -> {
                    GlobalTimer timer = GlobalTimer.builder().build();
                    try {
                        return timer.doWork();
                    } finally {
                        timer.stop();
                    }
                }, new Throws(IllegalStateException.class, "doWork() is only for a timer built with drivenByCaller()")),
                lifecycleRow("stop() twice", () -> {
                    GlobalTimer timer = stopped();
                    return timer.stop();
                }, new Returns(List.of())),
                lifecycleRow("stop() of the shared timer", () -> GlobalTimer.shared().stop(), new Throws(UnsupportedOperationException.class,
                        "the shared timer lives as long as the JVM; build your own GlobalTimer to stop it"))
        );
    }

    /** Setters that refuse null at once, and a thread factory that breaks its contract. */
    static Stream<Arguments> builderNullCatalogue() {
        return Stream.of(
                builderRow("tick(1, null)", b -> b.tick(1, null), "unit"),
                builderRow("tick(null)", b -> b.tick(null), "tick"),
                builderRow("threadName(null)", b -> b.threadName(null), "threadName"),
                builderRow("threadFactory(null)", b -> b.threadFactory(null), "threadFactory"),
                builderRow("clock(null)", b -> b.clock(null), "clock"),
                builderRow("callbackExecutor(null)", b -> b.callbackExecutor(null), "executor"),
                builderRow("threadFactory returning null", b -> b.threadFactory(runnable -> null), "threadFactory returned null")
        );
    }

    static Stream<Arguments> builderCatalogue() {
        return Stream.of(
                builderRow("tick 0", b -> b.tick(0, NANOSECONDS), "tick must be between 1 µs and 1 s: 0 ns"),
                builderRow("tick -1 ms", b -> b.tick(-1, MILLISECONDS), "tick must be between 1 µs and 1 s: -1000000 ns"),
                builderRow("tick 999 ns", b -> b.tick(999, NANOSECONDS), "tick must be between 1 µs and 1 s: 999 ns"),
                builderRow("tick 2 s", b -> b.tick(Duration.ofSeconds(2)), "tick must be between 1 µs and 1 s: 2000000000 ns"),
                builderRow("tick huge", b -> b.tick(Long.MAX_VALUE, DAYS), "tick must be between 1 µs and 1 s: 9223372036854775807 ns"),
                builderRow("tick huge Duration", b -> b.tick(Duration.ofSeconds(Long.MAX_VALUE)),
                        "tick must be between 1 µs and 1 s: 9223372036854775807 ns"),
                builderRow("tick negative Duration", b -> b.tick(Duration.ofSeconds(-1)), "tick must be between 1 µs and 1 s: -1000000000 ns"),
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

    private static Arguments builderRow(String name, Function<GlobalTimerBuilder, GlobalTimerBuilder> setting, String message) {
        return Arguments.of(name, setting, message);
    }

    /** A call that sets up what it needs. */
    @FunctionalInterface
    interface Call {
        Object call() throws Exception;
    }

    private static Arguments lifecycleRow(String name, Call call, Outcome outcome) {
        return Arguments.of(name, call, outcome);
    }

    private static GlobalTimer stopped() {
        GlobalTimer timer = GlobalTimer.builder().clock(new ManualClock()).drivenByCaller().build();
        timer.stop();
        return timer;
    }

    private static ManualClock manualClock(GlobalTimer timer) {
        return (ManualClock) timer.clock();
    }

    /** How often a periodic timer runs while its timer's clock moves three hours, an hour at a time. */
    private static int runsInThreeHours(GlobalTimer timer, PeriodicSchedule schedule) {
        AtomicInteger runs = new AtomicInteger();
        TimerHandle handle = timer.schedulePeriodic(h -> runs.incrementAndGet(), schedule);
        for (int hour = 0; hour <= 3; hour++) {
            // A timer that wrongly fires on every pass must not keep the loop going forever.
            for (int pass = 0; pass < 100 && timer.doWork() > 0; pass++) {
                // the next pass
            }
            manualClock(timer).advance(1, HOURS);
        }
        handle.cancel();
        return runs.get();
    }

    private static void assertOutcome(Call call, Outcome outcome) throws Exception {
        if (outcome instanceof Throws expected) {
            assertThatThrownBy(call::call).isInstanceOf(expected.type()).hasMessage(expected.message());
            return;
        }
        Object value = ((Returns) outcome).value();
        Object actual = call.call();
        if (value == ANY_HANDLE) {
            assertThat(actual).isInstanceOf(TimerHandle.class);
            assertThat(((TimerHandle) actual).id()).isNotZero();
        } else {
            assertThat(actual).isEqualTo(value);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachBadInputHasItsDocumentedOutcome(String name, Function<GlobalTimer, Object> call, Outcome outcome) throws Exception {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        assertOutcome(() -> call.apply(timer), outcome);
        // The timer is unharmed: a new timer fires on time, neither early nor more than a tick
        // late (a case may have left the clock between two ticks).
        boolean[] fired = new boolean[1];
        timer.schedule(h -> fired[0] = true, 1, MILLISECONDS);
        while (timer.doWork() > 0) {
            // drain
        }
        assertThat(fired[0]).as("fired early").isFalse();
        clock.advance(1, MILLISECONDS);
        clock.advance(timer.tickNs(), NANOSECONDS);
        while (timer.doWork() > 0) {
            // drain
        }
        assertThat(fired[0]).isTrue();
        timer.stop();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lifecycleCatalogue")
    void eachMisuseOfTheLifecycleHasItsDocumentedOutcome(String name, Call call, Outcome outcome) throws Exception {
        assertOutcome(call, outcome);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builderNullCatalogue")
    void eachNullSettingIsRefusedNamingTheSetting(String name,
            Function<GlobalTimerBuilder, GlobalTimerBuilder> setting, String message) {
        assertThatThrownBy(() -> setting.apply(GlobalTimer.builder()).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builderCatalogue")
    void eachBadSettingFailsInBuildNamingParameterValueAndRange(String name,
            Function<GlobalTimerBuilder, GlobalTimerBuilder> setting, String message) {
        assertThatThrownBy(() -> setting.apply(GlobalTimer.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }
}
