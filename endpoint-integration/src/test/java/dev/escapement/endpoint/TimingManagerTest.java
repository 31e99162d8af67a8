package dev.escapement.endpoint;

import static dev.escapement.connection.TimeoutEvent.CONNECTION;
import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.PATH_VALIDATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.netty.RtoEstimator;
import dev.escapement.unified.TimeoutCheckResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection's timing on a manual clock and a caller-driven timer; a queue stands in for the
 * event loop. What fires, when, and what it costs the wheel.
 */
class TimingManagerTest {

    private static final long MS = 1_000_000L;
    private static final long CONNECTION_TIMEOUT_NS = 2_000 * MS;
    private static final long IDLE_TIMEOUT_NS = 5_000 * MS;
    private static final long INITIAL_RTO_NS = 300 * MS;

    private final ManualClock clock = new ManualClock(1_000 * MS);
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final Deque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<String> fired = new ArrayList<>();
    private final List<Long> framesToResend = new ArrayList<>();
    private final RetransmissionManager retransmissions = new RetransmissionManager(
            RtoEstimator.builder().initialRto(Duration.ofNanos(INITIAL_RTO_NS)).minRto(Duration.ofMillis(100)).build(),
            16, 5, 0);
    private final TimingManager timing = TimingManager.open(timer, 7, eventLoop::add, this::record,
            new ReliabilityLayer(retransmissions), CONNECTION_TIMEOUT_NS, IDLE_TIMEOUT_NS, INITIAL_RTO_NS);

    private void record(TimerManager<TimeoutEvent> manager, TimeoutCheckResult due) {
        for (int i = 0; i < due.eventCount(); i++) {
            fired.add(due.event(i) + "@" + (due.deadlineNs(i) - 1_000 * MS) / MS);
        }
        for (int i = 0; i < due.frameCount(); i++) {
            framesToResend.add(due.frame(i));
        }
    }

    /** Moves virtual time to {@code ms} after the start, runs the timer's pass, then the event loop. */
    private void at(long ms) {
        clock.setNanoTime(1_000 * MS + ms * MS);
        timer.doWork();
        for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
            task.run();
        }
    }

    /** Commands the timer thread applied: arming, moving or cancelling the entry is one each. */
    private long wheelCommands() {
        timer.doWork();
        return timer.stats().commandsDrained();
    }

    @Test
    void theHandshakeMustCompleteWithinTheConnectionTimeout() {
        timing.handshakeStarted();
        at(1_999);
        assertThat(fired).isEmpty();
        at(2_000);
        assertThat(fired).containsExactly("CONNECTION@2000");
    }

    @Test
    void establishingEndsTheConnectionTimeoutAndStartsTheIdleTimeout() {
        timing.handshakeStarted();
        at(500);
        timing.established();
        assertThat(timing.timers().isActive(CONNECTION)).isFalse();
        at(5_499);
        assertThat(fired).as("the cancelled connection timeout is never reported").isEmpty();
        at(5_500);
        assertThat(fired).containsExactly("IDLE@5500");
    }

    @Test
    void peerActivityPushesTheIdleTimeoutBackWithoutTouchingTheWheel() {
        timing.established();
        long schedulesBefore = wheelCommands();
        for (int ms = 100; ms <= 4_000; ms += 100) {
            clock.setNanoTime(1_000 * MS + ms * MS);
            timing.refreshClock();
            for (int packet = 0; packet < 100; packet++) {
                timing.peerActivity();
            }
        }
        assertThat(wheelCommands()).as("4,000 resets, no wheel operation").isEqualTo(schedulesBefore);
        assertThat(timing.timers().stats().resets()).isEqualTo(4_000);
        at(5_000);
        assertThat(fired).as("the entry fires at the old deadline and finds nothing due").isEmpty();
        at(8_999);
        assertThat(fired).isEmpty();
        at(9_000);
        assertThat(fired).containsExactly("IDLE@9000");
    }

    @Test
    void pathValidationGetsThreeInitialPtosBeforeAnyRttSample() {
        timing.established();
        assertThat(timing.pathValidationTimeoutNs()).isEqualTo(3 * INITIAL_RTO_NS);
        timing.pathValidationStarted();
        at(899);
        assertThat(fired).isEmpty();
        at(900);
        assertThat(fired).containsExactly("PATH_VALIDATION@900");
    }

    @Test
    void pathValidationGetsThreeCurrentPtosWhenTheyAreLonger() {
        timing.established();
        retransmissions.send(new byte[1], 0);
        retransmissions.acknowledge(0, 400 * MS);
        // RTO = 400 + 4 x 200 = 1,200 ms, longer than the initial 300 ms.
        assertThat(timing.pathValidationTimeoutNs()).isEqualTo(3 * 1_200 * MS);
        assertThat(TimingManager.pathValidationTimeoutNs(Long.MAX_VALUE / 2, 1)).as("saturates")
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anAnsweredChallengeIsNeverReported() {
        timing.established();
        timing.pathValidationStarted();
        at(100);
        timing.pathValidationEnded();
        at(1_000);
        assertThat(fired).isEmpty();
        assertThat(timing.timers().isActive(PATH_VALIDATION)).isFalse();
    }

    @Test
    void allOfAConnectionsTimeoutsShareOneWheelEntry() {
        timing.handshakeStarted();
        timing.established();
        timing.pathValidationStarted();
        ReliabilityLayer reliability = timing.reliability();
        reliability.send(new byte[1], timing.refreshClock());
        timer.doWork();
        assertThat(timing.timers().isActive(IDLE)).isTrue();
        assertThat(timing.timers().nextDeadline()).as("the retransmission deadline is the earliest")
                .isEqualTo(1_000 * MS + INITIAL_RTO_NS);
        assertThat(timer.stats().pending()).as("one wheel entry for idle, path validation and retransmission")
                .isEqualTo(1);
        assertThat(timer.stats().activeConnections()).isEqualTo(1);

        at(300);
        assertThat(fired).containsExactly("RETRANSMISSION@300");
        assertThat(framesToResend).containsExactly(0L);
        timer.doWork();
        assertThat(timer.stats().pending()).as("re-armed for the backed-off retransmission").isEqualTo(1);
        assertThat(timing.timers().scheduler().layers()).extracting(layer -> layer.layerName())
                .containsExactly("typed", "reliability");
    }

    @Test
    void aRetransmissionEarlierThanTheArmedEntryMovesIt() {
        timing.established();
        at(10);
        long schedulesBefore = wheelCommands();
        timing.reliability().send(new byte[1], timing.refreshClock());
        assertThat(wheelCommands()).isEqualTo(schedulesBefore + 1);
        at(309);
        assertThat(fired).isEmpty();
        at(310);
        assertThat(fired).containsExactly("RETRANSMISSION@310");
        assertThat(timing.timers().stats().eventsDelivered()).isEqualTo(1);
    }

    @Test
    void closingFreesTheEntryAndTheConnectionId() {
        timing.handshakeStarted();
        timing.reliability().send(new byte[1], timing.refreshClock());
        timing.close();
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stats().activeConnections()).isZero();
        at(10_000);
        assertThat(fired).isEmpty();
        assertThatThrownBy(() -> TimingManager.open(timer, 7, eventLoop::add, this::record, timing.reliability(),
                1, 1, 1)).as("a layer reports to one scheduler, even after its connection closed")
                .isInstanceOf(IllegalStateException.class);
        TimingManager again = TimingManager.open(timer, 7, eventLoop::add, this::record,
                new ReliabilityLayer(new RetransmissionManager(RtoEstimator.create(), 4, 1, 0)), 1, 1, 1);
        assertThat(again.timers().connectionId()).as("the id is free again").isEqualTo(7);
        again.close();
    }
}
