package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.Timeout;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue of timer-netty's public entry points: {@link EscapementTimer} (its
 * builder and {@code newTimeout}), {@link RtoEstimator} (its builder and samples),
 * {@link RetransmissionTimeoutHandler}, {@link EscapementIdleStateHandler} and
 * {@link ChannelTimers}, with null, negative, zero, huge and overflowing arguments. Each has its
 * documented outcome: an exception of the documented type whose message names the argument and
 * its value, or a defined result (a huge delay stays pending, an absurd round-trip sample gives
 * the maximum RTO). Nothing here may harm the global timer: after each call a new timeout on it
 * fires on time.
 */
class NettyBadInputCatalogueTest {

    private static final long MS = 1_000_000L;

    /** What a call must do: throw this type with exactly this message, or return this value. */
    record Outcome(Class<? extends Throwable> type, String message, Object value) {
    }

    /** A global timer on a manual clock, driven by the test. */
    record Fixture(ManualClock clock, GlobalTimer timer) {

        EscapementTimer nettyTimer() {
            return EscapementTimer.builder().globalTimer(timer).build();
        }

        /** Moves the clock and runs the timer's passes. */
        void advance(long amount, TimeUnit unit) {
            clock.advance(amount, unit);
            while (timer.doWork() > 0) {
                // drain
            }
        }
    }

    @FunctionalInterface
    interface Call {
        Object apply(Fixture fixture) throws Exception;
    }

    static Stream<Arguments> catalogue() {
        return Stream.of(
                // EscapementTimer
                row("builder().globalTimer(null)", f -> EscapementTimer.builder().globalTimer(null),
                        throwsWith(NullPointerException.class, "globalTimer")),
                row("ownGlobalTimer() with the shared timer", f -> EscapementTimer.builder().ownGlobalTimer().build(),
                        throwsWith(IllegalArgumentException.class, "ownGlobalTimer() needs a global timer of its own, not the shared one")),
                row("maxPendingTimeouts(-1) means no bound", f -> {
                    EscapementTimer timer = EscapementTimer.builder().globalTimer(f.timer()).maxPendingTimeouts(-1).build();
                    for (int i = 0; i < 100; i++) {
                        timer.newTimeout(t -> { }, 1, SECONDS);
                    }
                    return timer.stop().size();
                }, returns(100)),
                row("newTimeout past maxPendingTimeouts(1)", f -> {
                    EscapementTimer timer = EscapementTimer.builder().globalTimer(f.timer()).maxPendingTimeouts(1).build();
                    timer.newTimeout(t -> { }, 1, SECONDS);
                    return timer.newTimeout(t -> { }, 1, SECONDS);
                }, throwsWith(RejectedExecutionException.class,
                        "Number of pending timeouts (2) is greater than or equal to maximum allowed pending timeouts (1)")),
                row("newTimeout(null task)", f -> f.nettyTimer().newTimeout(null, 1, SECONDS), throwsWith(NullPointerException.class, "task")),
                row("newTimeout(null unit)", f -> f.nettyTimer().newTimeout(t -> { }, 1, null), throwsWith(NullPointerException.class, "unit")),
                row("newTimeout(Long.MIN_VALUE ns) fires on the next pass", f -> {
                    Timeout timeout = f.nettyTimer().newTimeout(t -> { }, Long.MIN_VALUE, NANOSECONDS);
                    f.advance(0, MILLISECONDS);
                    return timeout.isExpired();
                }, returns(true)),
                row("newTimeout(Long.MAX_VALUE days) stays pending", f -> {
                    Timeout timeout = f.nettyTimer().newTimeout(t -> { }, Long.MAX_VALUE, DAYS);
                    f.advance(365, DAYS);
                    return timeout.isExpired() || timeout.isCancelled();
                }, returns(false)),
                row("newTimeout after stop()", f -> {
                    EscapementTimer timer = f.nettyTimer();
                    timer.stop();
                    return timer.newTimeout(t -> { }, 1, SECONDS);
                }, throwsWith(IllegalStateException.class, "cannot be started once stopped")),
                // RtoEstimator
                row("onRttSample(-1)", f -> call(() -> RtoEstimator.create().onRttSample(-1)),
                        throwsWith(IllegalArgumentException.class, "rttNs must be >= 0: -1")),
                row("onRttSample(Long.MIN_VALUE)", f -> call(() -> RtoEstimator.create().onRttSample(Long.MIN_VALUE)),
                        throwsWith(IllegalArgumentException.class, "rttNs must be >= 0: -9223372036854775808")),
                row("onRttSample(-1, retransmitted)", f -> RtoEstimator.create().onRttSample(-1, true),
                        throwsWith(IllegalArgumentException.class, "rttNs must be >= 0: -1")),
                row("onRttSample(0) gives the minimum RTO", f -> sampled(0).rtoNs(), returns(RtoEstimator.DEFAULT_MIN_RTO_NS)),
                row("onRttSample(Long.MAX_VALUE) gives the maximum RTO", f -> sampled(Long.MAX_VALUE).rtoNs(),
                        returns(RtoEstimator.DEFAULT_MAX_RTO_NS)),
                row("onRttSample(Long.MAX_VALUE) twice gives the maximum RTO", f -> sampled(Long.MAX_VALUE, Long.MAX_VALUE).rtoNs(),
                        returns(RtoEstimator.DEFAULT_MAX_RTO_NS)),
                row("onRttSample(Long.MAX_VALUE) with no maximum", f -> {
                    RtoEstimator rto = RtoEstimator.builder().maxRto(Duration.ofSeconds(Long.MAX_VALUE)).build();
                    rto.onRttSample(Long.MAX_VALUE);
                    return rto.rtoNs();
                }, returns(Long.MAX_VALUE)),
                row("onTimeout() 100 times stops at the maximum", f -> {
                    RtoEstimator rto = RtoEstimator.create();
                    for (int i = 0; i < 100; i++) {
                        rto.onTimeout();
                    }
                    return rto.rtoNs();
                }, returns(RtoEstimator.DEFAULT_MAX_RTO_NS)),
                row("initialRto(null)", f -> RtoEstimator.builder().initialRto(null), throwsWith(NullPointerException.class, "initialRto")),
                row("minRto(null)", f -> RtoEstimator.builder().minRto(null), throwsWith(NullPointerException.class, "minRto")),
                row("maxRto(null)", f -> RtoEstimator.builder().maxRto(null), throwsWith(NullPointerException.class, "maxRto")),
                row("clockGranularity(null)", f -> RtoEstimator.builder().clockGranularity(null),
                        throwsWith(NullPointerException.class, "granularity")),
                row("minRto(0)", f -> RtoEstimator.builder().minRto(Duration.ZERO).build(),
                        throwsWith(IllegalArgumentException.class, "minRto must be > 0: 0 ns")),
                row("minRto(-1 ms)", f -> RtoEstimator.builder().minRto(Duration.ofMillis(-1)).build(),
                        throwsWith(IllegalArgumentException.class, "minRto must be > 0: -1000000 ns")),
                row("minRto(very negative)", f -> RtoEstimator.builder().minRto(Duration.ofSeconds(Long.MIN_VALUE)).build(),
                        throwsWith(IllegalArgumentException.class, "minRto must be > 0: -9223372036854775808 ns")),
                row("maxRto below minRto", f -> RtoEstimator.builder().maxRto(Duration.ofMillis(100)).build(),
                        throwsWith(IllegalArgumentException.class, "maxRto must be >= minRto (200000000 ns): 100000000 ns")),
                row("initialRto below minRto", f -> RtoEstimator.builder().initialRto(Duration.ofMillis(100)).build(),
                        throwsWith(IllegalArgumentException.class,
                                "initialRto must be between minRto and maxRto (200000000..60000000000 ns): 100000000 ns")),
                row("initialRto huge", f -> RtoEstimator.builder().initialRto(Duration.ofSeconds(Long.MAX_VALUE)).build(),
                        throwsWith(IllegalArgumentException.class,
                                "initialRto must be between minRto and maxRto (200000000..60000000000 ns): 9223372036854775807 ns")),
                row("clockGranularity(0)", f -> RtoEstimator.builder().clockGranularity(Duration.ZERO).build(),
                        throwsWith(IllegalArgumentException.class, "clockGranularity must be > 0: 0 ns")),
                // RetransmissionTimeoutHandler
                row("RetransmissionTimeoutHandler(0)", f -> new RetransmissionTimeoutHandler(0),
                        throwsWith(IllegalArgumentException.class, "maxAttempts must be >= 1: 0")),
                row("RetransmissionTimeoutHandler(Integer.MIN_VALUE)", f -> new RetransmissionTimeoutHandler(f.timer(), RtoEstimator.create(),
                        Integer.MIN_VALUE), throwsWith(IllegalArgumentException.class, "maxAttempts must be >= 1: -2147483648")),
                row("RetransmissionTimeoutHandler(null timer)", f -> new RetransmissionTimeoutHandler(null, RtoEstimator.create(), 1),
                        throwsWith(NullPointerException.class, "timer")),
                row("RetransmissionTimeoutHandler(null estimator)", f -> new RetransmissionTimeoutHandler(f.timer(), null, 1),
                        throwsWith(NullPointerException.class, "estimator")),
                row("sent() outside a pipeline", f -> call(() -> new RetransmissionTimeoutHandler(f.timer(), RtoEstimator.create(), 1).sent(1)),
                        throwsWith(IllegalStateException.class, "RetransmissionTimeoutHandler is not in a pipeline")),
                row("acknowledged(an unknown id)", f -> new RetransmissionTimeoutHandler(f.timer(), RtoEstimator.create(), 1)
                        .acknowledged(Long.MIN_VALUE), returns(false)),
                // EscapementIdleStateHandler
                row("idle handler(null timer)", f -> new EscapementIdleStateHandler(null, false, 1, 1, 1, SECONDS),
                        throwsWith(NullPointerException.class, "timer")),
                row("idle handler(null unit)", f -> new EscapementIdleStateHandler(1, 1, 1, null), throwsWith(NullPointerException.class, "unit")),
                row("idle handler(negative times) disables them", f -> {
                    EscapementIdleStateHandler handler = new EscapementIdleStateHandler(f.timer(), false, -1, Long.MIN_VALUE, 0, SECONDS);
                    return handler.getReaderIdleTimeInMillis() + handler.getWriterIdleTimeInMillis() + handler.getAllIdleTimeInMillis();
                }, returns(0L)),
                row("idle handler(1 ns) is raised to 1 ms", f -> new EscapementIdleStateHandler(f.timer(), false, 1, 0, 0, NANOSECONDS)
                        .getReaderIdleTimeInMillis(), returns(1L)),
                row("idle handler(Long.MAX_VALUE days) never fires", f -> idleEventsOver365Days(f, Long.MAX_VALUE, DAYS), returns(0)),
                row("idle handler(Long.MAX_VALUE ns) never fires", f -> idleEventsOver365Days(f, Long.MAX_VALUE, NANOSECONDS), returns(0)),
                // ChannelTimers
                row("ChannelTimers.of(null)", f -> ChannelTimers.of(null), throwsWith(NullPointerException.class, "channel")),
                row("ChannelTimers.of(channel, null)", f -> ChannelTimers.of(new EmbeddedChannel(), null),
                        throwsWith(NullPointerException.class, "timer")),
                row("ChannelTimers.ifPresent(null)", f -> ChannelTimers.ifPresent(null), throwsWith(NullPointerException.class, "channel"))
        );
    }

    private static Arguments row(String name, Call call, Outcome outcome) {
        return Arguments.of(name, call, outcome);
    }

    private static Outcome throwsWith(Class<? extends Throwable> type, String message) {
        return new Outcome(type, message, null);
    }

    private static Outcome returns(Object value) {
        return new Outcome(null, null, value);
    }

    private static Object call(Runnable action) {
        action.run();
        return "done";
    }

    private static RtoEstimator sampled(long... rttsNs) {
        RtoEstimator rto = RtoEstimator.create();
        for (long rttNs : rttsNs) {
            rto.onRttSample(rttNs);
        }
        return rto;
    }

    /** How many idle events a handler with this reader idle time fires on a silent channel in a year. */
    private static int idleEventsOver365Days(Fixture f, long idleTime, TimeUnit unit) {
        int[] events = new int[1];
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new EscapementIdleStateHandler(f.timer(), false, idleTime, 0, 0, unit),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof IdleStateEvent) {
                            events[0]++;
                        }
                    }
                });
        // At once, then a year later: the deadline must be neither "now" nor wrapped into the past.
        f.advance(0, DAYS);
        channel.runPendingTasks();
        f.advance(365, DAYS);
        channel.runPendingTasks();
        channel.close();
        return events[0];
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogue")
    void eachBadInputHasItsDocumentedOutcome(String name, Call call, Outcome outcome) throws Exception {
        ManualClock clock = new ManualClock();
        Fixture f = new Fixture(clock, GlobalTimer.builder().clock(clock).drivenByCaller().build());
        if (outcome.type() != null) {
            assertThatThrownBy(() -> call.apply(f)).isInstanceOf(outcome.type()).hasMessage(outcome.message());
        } else {
            assertThat(call.apply(f)).isEqualTo(outcome.value());
        }
        // The global timer is unharmed: a new timeout fires on time, neither early nor more than a tick late.
        Timeout timeout = f.nettyTimer().newTimeout(t -> { }, 1, MILLISECONDS);
        f.advance(0, MILLISECONDS);
        assertThat(timeout.isExpired()).as("fired early").isFalse();
        f.advance(1 * MS + f.timer().tickNs(), NANOSECONDS);
        assertThat(timeout.isExpired()).isTrue();
        f.timer().stop();
    }
}
