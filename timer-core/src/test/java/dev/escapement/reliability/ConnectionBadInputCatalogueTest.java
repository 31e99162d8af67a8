package dev.escapement.reliability;

import static dev.escapement.connection.TimeoutEvent.CONNECTION;
import static dev.escapement.connection.TimeoutEvent.IDLE;
import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of the per-connection entry points: {@link TimerManager} and its
 * builder, {@link UnifiedTimeoutScheduler#addLayer}/{@link UnifiedTimeoutScheduler#observe
 * observe}, and {@link TimeoutCheckResult}, with null, negative, zero, huge and overflowing
 * arguments and calls after {@code close()}. Each has its documented outcome: an exception of the
 * documented type whose message names the argument and its value, or a defined result (a huge
 * delay is pending, never due at once). Nothing here may harm the timer or other connections:
 * after each call, a new connection's timeout still fires on time.
 */
class ConnectionBadInputCatalogueTest {

    /** What a call must do: throw this type with exactly this message, or return this value. */
    record Outcome(Class<? extends Throwable> type, String message, Object value) {

        static Outcome throwsWith(Class<? extends Throwable> type, String message) {
            return new Outcome(type, message, null);
        }

        static Outcome returns(Object value) {
            return new Outcome(null, null, value);
        }
    }

    /** A timer on a manual clock, and the open manager of connection 1 on it. */
    record Fixture(ManualClock clock, GlobalTimer timer, TimerManager<TimeoutEvent> manager) {

        /** Moves the clock, runs the timer's passes and drains the manager: whether {@code type} was reported. */
        boolean reportedAfter(TimeoutEvent type, long amount, java.util.concurrent.TimeUnit unit) {
            clock.advance(amount, unit);
            while (timer.doWork() > 0) {
                // drain
            }
            return manager.checkTimerEvents().contains(type);
        }

        TimerManager<TimeoutEvent> closedManager() {
            manager.close();
            return manager;
        }
    }

    enum NoConstants { }

    static Stream<Arguments> catalogue() {
        return Stream.of(
                // builder
                row("builder(null timer)", f -> TimerManager.builder(null, 2), throwsWith(NullPointerException.class, "timer")),
                row("builder(null eventType)", f -> TimerManager.builder(f.timer(), 2, null), throwsWith(NullPointerException.class, "eventType")),
                row("builder(enum without constants)", f -> TimerManager.builder(f.timer(), 2, NoConstants.class),
                        throwsWith(IllegalArgumentException.class, "eventType must be an enum with 1 to 64 constants: "
                                + NoConstants.class.getName() + " has 0")),
                row("builder(a class that is no enum)", f -> TimerManager.builder(f.timer(), 2, notAnEnum()),
                        throwsWith(IllegalArgumentException.class, "eventType must be an enum with 1 to 64 constants: java.lang.String has 0")),
                row("builder: a second live manager", f -> TimerManager.builder(f.timer(), 1).recordStats().build(), throwsWith(IllegalStateException.class,
                        "connection 1 already has a live TimerManager on this timer; close it first")),
                row("builder(connection Long.MIN_VALUE)", f -> TimerManager.builder(f.timer(), Long.MIN_VALUE).recordStats().build().connectionId(),
                        returns(Long.MIN_VALUE)),
                row("wakeUp(null executor)", f -> TimerManager.builder(f.timer(), 2).wakeUp(null, (m, due) -> { }),
                        throwsWith(NullPointerException.class, "executor")),
                row("wakeUp(null listener)", f -> TimerManager.builder(f.timer(), 2).wakeUp(Runnable::run, null),
                        throwsWith(NullPointerException.class, "listener")),
                row("spread(null type)", f -> TimerManager.builder(f.timer(), 2).spread(null, 1, SECONDS),
                        throwsWith(NullPointerException.class, "type")),
                row("spread(null unit)", f -> TimerManager.builder(f.timer(), 2).spread(IDLE, 1, null),
                        throwsWith(NullPointerException.class, "unit")),
                row("spread(-1 s)", f -> TimerManager.builder(f.timer(), 2).spread(IDLE, -1, SECONDS),
                        throwsWith(IllegalArgumentException.class, "spread must not be negative: -1 SECONDS")),
                row("spread(Long.MAX_VALUE days), register(Long.MAX_VALUE days)", f -> {
                    TimerManager<TimeoutEvent> spread = TimerManager.builder(f.timer(), 2).spread(IDLE, Long.MAX_VALUE, DAYS).recordStats().build();
                    spread.register(IDLE, Long.MAX_VALUE, DAYS);
                    f.clock().advance(1, DAYS);
                    f.timer().doWork();
                    return spread.checkTimerEvents().isEmpty() && spread.isActive(IDLE);
                }, returns(true)),
                row("layer(null)", f -> TimerManager.builder(f.timer(), 2).layer(null), throwsWith(NullPointerException.class, "layer")),
                // register and reset
                row("register(null type)", f -> call(() -> f.manager().register(null, 1, SECONDS)), throwsWith(NullPointerException.class, "type")),
                row("register(null unit)", f -> call(() -> f.manager().register(IDLE, 1, null)), throwsWith(NullPointerException.class, "unit")),
                row("register(-1 ms)", f -> call(() -> f.manager().register(IDLE, -1, MILLISECONDS)),
                        throwsWith(IllegalArgumentException.class, "delay must not be negative: -1 MILLISECONDS")),
                row("register(Long.MIN_VALUE ns)", f -> call(() -> f.manager().register(IDLE, Long.MIN_VALUE, NANOSECONDS)),
                        throwsWith(IllegalArgumentException.class, "delay must not be negative: -9223372036854775808 NANOSECONDS")),
                row("register(0 ms) is due at the next drain", f -> {
                    f.manager().register(IDLE, 0, MILLISECONDS);
                    return f.reportedAfter(IDLE, 0, MILLISECONDS);
                }, returns(true)),
                row("register(Long.MAX_VALUE ns) is not due", f -> {
                    f.manager().register(IDLE, Long.MAX_VALUE, NANOSECONDS);
                    return f.reportedAfter(IDLE, 0, DAYS) || f.reportedAfter(IDLE, 365, DAYS) || !f.manager().isActive(IDLE);
                }, returns(false)),
                row("register(Long.MAX_VALUE days) is not due", f -> {
                    f.manager().register(IDLE, Long.MAX_VALUE, DAYS);
                    return f.reportedAfter(IDLE, 0, DAYS) || f.reportedAfter(IDLE, 365, DAYS) || !f.manager().isActive(IDLE);
                }, returns(false)),
                row("reset(null type)", f -> f.manager().reset(null, 1, SECONDS), throwsWith(NullPointerException.class, "type")),
                row("reset(null unit)", f -> f.manager().reset(IDLE, 1, null), throwsWith(NullPointerException.class, "unit")),
                row("reset(-1 s)", f -> f.manager().reset(IDLE, -1, SECONDS),
                        throwsWith(IllegalArgumentException.class, "delay must not be negative: -1 SECONDS")),
                row("reset of an inactive type", f -> f.manager().reset(IDLE, 1, SECONDS), returns(false)),
                row("reset(Long.MAX_VALUE ns) is not due", f -> {
                    f.manager().register(IDLE, 1, SECONDS);
                    f.manager().reset(IDLE, Long.MAX_VALUE, NANOSECONDS);
                    return f.reportedAfter(IDLE, 0, DAYS) || f.reportedAfter(IDLE, 365, DAYS) || !f.manager().isActive(IDLE);
                }, returns(false)),
                // queries and cancels
                row("cancel(null)", f -> f.manager().cancel(null), throwsWith(NullPointerException.class, "type")),
                row("cancel of an inactive type", f -> f.manager().cancel(CONNECTION), returns(false)),
                row("isActive(null)", f -> f.manager().isActive(null), throwsWith(NullPointerException.class, "type")),
                row("deadline(null)", f -> f.manager().deadline(null), throwsWith(NullPointerException.class, "type")),
                row("deadline of an inactive type", f -> f.manager().deadline(IDLE), returns(TimerManager.NO_DEADLINE)),
                // after close
                row("register after close()", f -> call(() -> f.closedManager().register(IDLE, 1, SECONDS)),
                        throwsWith(IllegalStateException.class, "the TimerManager of connection 1 is closed")),
                row("reset after close()", f -> f.closedManager().reset(IDLE, 1, SECONDS),
                        throwsWith(IllegalStateException.class, "the TimerManager of connection 1 is closed")),
                row("checkTimerEvents after close()", f -> f.closedManager().checkTimerEvents(),
                        throwsWith(IllegalStateException.class, "the TimerManager of connection 1 is closed")),
                row("cancel after close()", f -> f.closedManager().cancel(IDLE), returns(false)),
                row("cancelAll after close()", f -> f.closedManager().cancelAll(), returns(0)),
                row("close() twice", f -> {
                    f.closedManager().close();
                    return f.timer().stats().activeConnections();
                }, returns(0L)),
                // the scheduler
                row("addLayer(null)", f -> call(() -> f.manager().scheduler().addLayer(null)), throwsWith(NullPointerException.class, "layer")),
                row("addLayer(a layer already in it)", f -> call(() -> {
                    UnifiedTimeoutScheduler scheduler = f.manager().scheduler();
                    scheduler.addLayer(scheduler.layers().get(0));
                }), throwsWith(IllegalArgumentException.class, "layer is in this scheduler already: typed")),
                row("addLayer(another manager's layer)", f -> call(() -> {
                    TimeoutLayer foreign = TimerManager.builder(f.timer(), 2).recordStats().build().scheduler().layers().get(0);
                    f.manager().scheduler().addLayer(foreign);
                }), throwsWith(IllegalStateException.class, "the typed timeouts of a TimerManager report to its own scheduler only")),
                row("observe(null)", f -> call(() -> f.manager().scheduler().observe(null)), throwsWith(NullPointerException.class, "downstream")),
                row("create(null stopwatch)", f -> UnifiedTimeoutScheduler.create(null), throwsWith(NullPointerException.class, "stopwatch")),
                row("checkAll(Long.MIN_VALUE) of an empty scheduler", f -> UnifiedTimeoutScheduler.create().checkAll(Long.MIN_VALUE).isEmpty(),
                        returns(true)),
                // results
                row("result.event(-1)", f -> new TimeoutCheckResult().event(-1),
                        throwsWith(IndexOutOfBoundsException.class, "Index -1 out of bounds for length 0")),
                row("result.frame(0) of an empty result", f -> new TimeoutCheckResult().frame(0),
                        throwsWith(IndexOutOfBoundsException.class, "Index 0 out of bounds for length 0")),
                row("result.addEvent(null)", f -> new TimeoutCheckResult().addEvent(null, 0), throwsWith(NullPointerException.class, "event")),
                row("result.addAll(null)", f -> new TimeoutCheckResult().addAll(null), throwsWith(NullPointerException.class, "other")),
                row("result.deadlineNs(1) of a one-event result", f -> new TimeoutCheckResult().addEvent(IDLE, 5).deadlineNs(1),
                        throwsWith(IndexOutOfBoundsException.class, "Index 1 out of bounds for length 1"))
        );
    }

    private static Arguments row(String name, Function<Fixture, Object> call, Outcome outcome) {
        return Arguments.of(name, call, outcome);
    }

    private static Outcome throwsWith(Class<? extends Throwable> type, String message) {
        return Outcome.throwsWith(type, message);
    }

    private static Outcome returns(Object value) {
        return Outcome.returns(value);
    }

    /** A void call as a row's value. */
    private static Object call(Runnable action) {
        action.run();
        return "done";
    }

    /** A raw class where an enum class belongs, as a caller with unchecked casts could pass. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<TimeoutEvent> notAnEnum() {
        return (Class) String.class;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachBadInputHasItsDocumentedOutcome(String name, Function<Fixture, Object> call, Outcome outcome) {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        Fixture fixture = new Fixture(clock, timer, TimerManager.builder(timer, 1).recordStats().build());
        if (outcome.type() != null) {
            assertThatThrownBy(() -> call.apply(fixture)).isInstanceOf(outcome.type()).hasMessage(outcome.message());
        } else {
            assertThat(call.apply(fixture)).isEqualTo(outcome.value());
        }
        // The timer and other connections are unharmed: a new connection's timeout fires on time.
        try (TimerManager<TimeoutEvent> fresh = TimerManager.builder(timer, 99).recordStats().build()) {
            fresh.register(CONNECTION, 5, MILLISECONDS);
            Fixture freshFixture = new Fixture(clock, timer, fresh);
            assertThat(freshFixture.reportedAfter(CONNECTION, 4, MILLISECONDS)).as("fired early").isFalse();
            assertThat(freshFixture.reportedAfter(CONNECTION, 1, MILLISECONDS)).isTrue();
        }
        timer.stop();
    }
}
