package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RTO handler in virtual time: back-off, attempts, give-up, RTT samples and Karn's rule. */
class RetransmissionTimeoutHandlerTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final List<Object> events = new ArrayList<>();
    private final List<Long> eventTimesMs = new ArrayList<>();

    private EmbeddedChannel channelWith(RetransmissionTimeoutHandler handler) {
        return new EmbeddedChannel(handler, new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
                eventTimesMs.add(clock.nanoTime() / 1_000_000);
            }
        });
    }

    private void advance(EmbeddedChannel channel, long ms) {
        for (long i = 0; i < ms; i++) {
            clock.advance(1, MILLISECONDS);
            while (timer.doWork() > 0) {
                // drain
            }
            channel.runPendingTasks();
        }
    }

    private RtoEstimator estimator() {
        return RtoEstimator.builder().initialRto(Duration.ofMillis(1_000)).minRto(Duration.ofMillis(100)).build();
    }

    @Test
    void unacknowledgedMessageBacksOffThenGivesUp() {
        RetransmissionTimeoutHandler handler = new RetransmissionTimeoutHandler(timer, estimator(), 3);
        EmbeddedChannel channel = channelWith(handler);
        handler.sent(7);
        advance(channel, 10_000);
        assertThat(events).containsExactly(
                new RetransmissionTimeoutEvent(7, 2, 2_000_000_000L),
                new RetransmissionTimeoutEvent(7, 3, 4_000_000_000L),
                new RetransmissionGiveUpEvent(7, 3));
        // RTO 1 s, then 2 s, then 4 s.
        assertThat(eventTimesMs).containsExactly(1_000L, 3_000L, 7_000L);
        assertThat(handler.outstanding()).isZero();
        assertThat(handler.giveUps()).isEqualTo(1);
        assertThat(handler.retransmissions()).isEqualTo(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void acknowledgementBeforeTheRtoStopsTheTimerAndSamplesTheRoundTrip() {
        RetransmissionTimeoutHandler handler = new RetransmissionTimeoutHandler(timer, estimator(), 3);
        EmbeddedChannel channel = channelWith(handler);
        handler.sent(1);
        advance(channel, 80);
        assertThat(handler.acknowledged(1)).isTrue();
        assertThat(handler.acknowledged(1)).isFalse();
        // SRTT 80 ms, RTTVAR 40 ms: RTO = 80 + 4 * 40 = 240 ms.
        assertThat(handler.estimator().srttNs()).isEqualTo(80_000_000L);
        assertThat(handler.estimator().rtoNs()).isEqualTo(240_000_000L);
        advance(channel, 5_000);
        assertThat(events).isEmpty();
        handler.sent(2);
        advance(channel, 240);
        assertThat(events).containsExactly(new RetransmissionTimeoutEvent(2, 2, 480_000_000L));
        channel.finishAndReleaseAll();
    }

    @Test
    void karnsRuleIgnoresTheRoundTripOfARetransmittedMessage() {
        RetransmissionTimeoutHandler handler = new RetransmissionTimeoutHandler(timer, estimator(), 5);
        EmbeddedChannel channel = channelWith(handler);
        handler.sent(3);
        advance(channel, 1_000);
        assertThat(events).hasSize(1);
        advance(channel, 10);
        handler.acknowledged(3);
        assertThat(handler.estimator().hasSample()).isFalse();
        assertThat(handler.estimator().rtoNs()).isEqualTo(2_000_000_000L);
        channel.finishAndReleaseAll();
    }

    @Test
    void manyMessagesTimeOutTogetherWithOneBackOff() {
        RetransmissionTimeoutHandler handler = new RetransmissionTimeoutHandler(timer, estimator(), 5);
        EmbeddedChannel channel = channelWith(handler);
        for (long id = 1; id <= 5; id++) {
            handler.sent(id);
        }
        handler.acknowledged(3);
        advance(channel, 1_000);
        assertThat(events).hasSize(4).allMatch(e -> ((RetransmissionTimeoutEvent) e).attempt() == 2);
        assertThat(handler.estimator().backoffs()).isEqualTo(1);
        assertThat(handler.outstanding()).isEqualTo(4);
        channel.finishAndReleaseAll();
    }

    @Test
    void closingTheChannelForgetsEverything() {
        RetransmissionTimeoutHandler handler = new RetransmissionTimeoutHandler(timer, estimator(), 5);
        EmbeddedChannel channel = channelWith(handler);
        handler.sent(1);
        timer.doWork();
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
        channel.close();
        timer.doWork();
        assertThat(timer.stats().activeConnections()).isZero();
        assertThat(timer.stats().pending()).isZero();
        advance(channel, 2_000);
        assertThat(events).isEmpty();
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new RetransmissionTimeoutHandler(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be >= 1: 0");
        RetransmissionTimeoutHandler loose = new RetransmissionTimeoutHandler(timer, estimator(), 2);
        assertThatThrownBy(() -> loose.sent(1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("RetransmissionTimeoutHandler is not in a pipeline");
    }
}
