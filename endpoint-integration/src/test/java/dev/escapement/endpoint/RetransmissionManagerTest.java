package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.netty.RtoEstimator;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retransmission arithmetic on explicit times: no clock, no sleeping. */
class RetransmissionManagerTest {

    private static final long MS = 1_000_000L;
    private static final byte[] PAYLOAD = {1, 2, 3};

    private final TimeoutCheckResult due = new TimeoutCheckResult();

    /** Initial RTO 1 s, minimum 100 ms, maximum 8 s, granularity 1 ms. */
    private static RetransmissionManager manager(int window, int maxRetransmissions, int firstSequence) {
        RtoEstimator estimator = RtoEstimator.builder().initialRto(Duration.ofSeconds(1)).minRto(Duration.ofMillis(100))
                .maxRto(Duration.ofSeconds(8)).clockGranularity(Duration.ofMillis(1)).build();
        return new RetransmissionManager(estimator, window, maxRetransmissions, firstSequence);
    }

    private static RetransmissionManager manager() {
        return manager(16, 10, 0);
    }

    private List<Long> retransmitDue(RetransmissionManager manager, long nowNs) {
        due.clear();
        manager.retransmitDue(nowNs, due);
        List<Long> frames = new ArrayList<>();
        for (int i = 0; i < due.frameCount(); i++) {
            frames.add(due.frame(i));
        }
        return frames;
    }

    @Test
    void theDeadlineIsTheLastSendOfTheFrameSentLongestAgoPlusTheRto() {
        RetransmissionManager manager = manager();
        assertThat(manager.deadlineNs()).isEqualTo(TimeoutLayer.NO_DEADLINE);
        manager.send(PAYLOAD, 0);
        manager.send(PAYLOAD, 10 * MS);
        assertThat(manager.deadlineNs()).isEqualTo(1000 * MS);
        assertThat(retransmitDue(manager, 999 * MS)).as("not due a nanosecond early").isEmpty();
        assertThat(manager.estimator().rtoNs()).isEqualTo(1000 * MS);
    }

    @Test
    void anAcknowledgementTakesAnRttSampleAndSetsTheRtoAsRfc6298Says() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        assertThat(manager.acknowledge(0, 300 * MS)).isEqualTo(1);
        // First sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR.
        assertThat(manager.estimator().srttNs()).isEqualTo(300 * MS);
        assertThat(manager.estimator().rttvarNs()).isEqualTo(150 * MS);
        assertThat(manager.estimator().rtoNs()).isEqualTo(900 * MS);
        assertThat(manager.lastRttNs()).isEqualTo(300 * MS);
        assertThat(manager.deadlineNs()).as("nothing in flight").isEqualTo(TimeoutLayer.NO_DEADLINE);
        manager.send(PAYLOAD, 400 * MS);
        assertThat(manager.deadlineNs()).isEqualTo(1300 * MS);
    }

    @Test
    void aTimeoutBacksOffOnceAndRetransmitsEveryFrameUnacknowledgedForAnRto() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        manager.send(PAYLOAD, 0);
        manager.send(PAYLOAD, 10 * MS);
        assertThat(retransmitDue(manager, 1000 * MS)).containsExactly(0L, 1L);
        assertThat(manager.estimator().rtoNs()).isEqualTo(2000 * MS);
        assertThat(manager.estimator().backoffs()).isEqualTo(1);
        // Frame 2 was sent 10 ms later: its deadline comes with the backed-off RTO.
        assertThat(manager.deadlineNs()).isEqualTo(2010 * MS);
        assertThat(retransmitDue(manager, 2010 * MS)).containsExactly(2L);
        assertThat(manager.estimator().rtoNs()).isEqualTo(4000 * MS);
        // The retransmitted frames went to the back in the order they were resent.
        assertThat(manager.deadlineNs()).isEqualTo(1000 * MS + 4000 * MS);
        assertThat(retransmitDue(manager, 5000 * MS)).containsExactly(0L, 1L);
        assertThat(manager.framesRetransmitted()).isEqualTo(5);
        assertThat(manager.timeouts()).isEqualTo(3);
    }

    @Test
    void theBackOffStopsAtTheMaximumRto() {
        RetransmissionManager manager = manager(16, 100, 0);
        manager.send(PAYLOAD, 0);
        long nowNs = 0;
        for (int i = 0; i < 10; i++) {
            nowNs = manager.deadlineNs();
            retransmitDue(manager, nowNs);
        }
        assertThat(manager.estimator().rtoNs()).isEqualTo(8000 * MS);
        assertThat(manager.deadlineNs()).isEqualTo(nowNs + 8000 * MS);
    }

    @Test
    void karnsRuleTakesNoSampleFromARetransmittedFrameAndKeepsTheBackOff() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        retransmitDue(manager, 1000 * MS);
        assertThat(manager.acknowledge(0, 1010 * MS)).isEqualTo(1);
        assertThat(manager.rttSamples()).isZero();
        assertThat(manager.samplesSkippedByKarn()).isEqualTo(1);
        assertThat(manager.estimator().rtoNs()).as("the back-off stands until a valid sample").isEqualTo(2000 * MS);
        assertThat(manager.estimator().backoffs()).isEqualTo(1);

        manager.send(PAYLOAD, 1100 * MS);
        manager.acknowledge(1, 1300 * MS);
        assertThat(manager.rttSamples()).isEqualTo(1);
        assertThat(manager.estimator().backoffs()).isZero();
        assertThat(manager.estimator().rtoNs()).isEqualTo(600 * MS);
    }

    @Test
    void anAcknowledgementThatCoversAnyRetransmittedFrameTakesNoSample() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        manager.send(PAYLOAD, 500 * MS);
        retransmitDue(manager, 1000 * MS);
        // Frame 1 was held behind frame 0's gap; the retransmission of 0 released both at 1,010 ms.
        // Timing frame 1 (sent once) would give 510 ms, most of it the repair.
        manager.acknowledge(1, 1010 * MS);
        assertThat(manager.rttSamples()).isZero();
        assertThat(manager.samplesSkippedByKarn()).isEqualTo(1);
        assertThat(manager.estimator().hasSample()).isFalse();
    }

    @Test
    void aCumulativeAcknowledgementCoversEveryFrameUpToIt() {
        RetransmissionManager manager = manager();
        for (int i = 0; i < 5; i++) {
            manager.send(new byte[] {(byte) i}, i * MS);
        }
        assertThat(manager.acknowledge(3, 50 * MS)).isEqualTo(4);
        assertThat(manager.inFlight()).isEqualTo(1);
        assertThat(manager.oldestUnacked()).isEqualTo(4);
        assertThat(manager.payload(4)).containsExactly(4);
        assertThat(manager.deadlineNs()).as("frame 4 is the oldest now").isEqualTo(4 * MS + manager.estimator().rtoNs());
        assertThat(manager.acknowledge(3, 60 * MS)).as("repeated").isZero();
        assertThat(manager.acknowledge(1, 60 * MS)).as("old").isZero();
        assertThat(manager.rttSamples()).as("only the newest frame of an acknowledgement is timed").isEqualTo(1);
        assertThat(manager.framesAcked()).isEqualTo(4);
    }

    @Test
    void anAcknowledgementOfAFrameNeverSentChangesNothing() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        assertThat(manager.acknowledge(1, 10 * MS)).isEqualTo(RetransmissionManager.ACK_OF_UNSENT_FRAME);
        assertThat(manager.acknowledge(Integer.MIN_VALUE + 5, 10 * MS)).isZero();
        assertThat(manager.inFlight()).isEqualTo(1);
        assertThat(manager.rttSamples()).isZero();
        assertThat(manager.deadlineNs()).isEqualTo(1000 * MS);
    }

    @Test
    void aFrameThatTimesOutAfterItsLastRetransmissionFailsTheManager() {
        RetransmissionManager manager = manager(16, 2, 0);
        manager.send(PAYLOAD, 0);
        assertThat(retransmitDue(manager, manager.deadlineNs())).containsExactly(0L);
        assertThat(retransmitDue(manager, manager.deadlineNs())).containsExactly(0L);
        assertThat(manager.hasFailed()).isFalse();
        long lastDeadlineNs = manager.deadlineNs();
        assertThat(retransmitDue(manager, lastDeadlineNs)).isEmpty();
        assertThat(manager.hasFailed()).isTrue();
        assertThat(manager.deadlineNs()).as("nothing left to time").isEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(retransmitDue(manager, lastDeadlineNs + 100_000 * MS)).isEmpty();
        assertThat(manager.framesRetransmitted()).isEqualTo(2);
    }

    @Test
    void theWindowBoundsTheFramesInFlight() {
        RetransmissionManager manager = manager(4, 10, 0);
        for (int i = 0; i < 4; i++) {
            assertThat(manager.canSend()).isTrue();
            manager.send(PAYLOAD, 0);
        }
        assertThat(manager.canSend()).isFalse();
        assertThatThrownBy(() -> manager.send(PAYLOAD, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("window full: 4 frames in flight");
        manager.acknowledge(0, MS);
        assertThat(manager.canSend()).isTrue();
        assertThat(manager.send(PAYLOAD, MS)).isEqualTo(4);
    }

    @Test
    void badSettingsAreRefusedWithTheirValue() {
        RtoEstimator estimator = RtoEstimator.create();
        assertThatThrownBy(() -> new RetransmissionManager(estimator, 3, 1, 0))
                .hasMessage("window must be a power of two from 1 to 2^20: 3");
        assertThatThrownBy(() -> new RetransmissionManager(estimator, 4, -1, 0))
                .hasMessage("maxRetransmissions must not be negative: -1");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE - 2, -3})
    void sequenceNumbersWrapAsSerialNumbers(int firstSequence) {
        RetransmissionManager manager = manager(8, 10, firstSequence);
        int first = manager.send(PAYLOAD, 0);
        for (int i = 1; i < 6; i++) {
            assertThat(manager.send(new byte[] {(byte) i}, i * MS)).isEqualTo(first + i);
        }
        assertThat(manager.acknowledge(first + 3, 10 * MS)).isEqualTo(4);
        assertThat(manager.oldestUnacked()).isEqualTo(first + 4);
        assertThat(manager.payload(first + 5)).containsExactly(5);
        assertThat(manager.acknowledge(first + 6, 10 * MS)).isEqualTo(RetransmissionManager.ACK_OF_UNSENT_FRAME);
        assertThat(manager.acknowledge(first + 5, 10 * MS)).isEqualTo(2);
        assertThat(manager.inFlight()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, Long.MAX_VALUE - 500 * MS, Long.MIN_VALUE + 7, -1})
    void deadlinesWrapSafelyAroundTheEndOfTheClock(long startNs) {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, startNs);
        long deadlineNs = manager.deadlineNs();
        assertThat(deadlineNs - startNs).isEqualTo(1000 * MS);
        assertThat(retransmitDue(manager, deadlineNs - 1)).isEmpty();
        assertThat(retransmitDue(manager, deadlineNs)).containsExactly(0L);
        assertThat(manager.deadlineNs() - deadlineNs).isEqualTo(2000 * MS);
        manager.acknowledge(0, deadlineNs + MS);
        assertThat(manager.deadlineNs()).isEqualTo(TimeoutLayer.NO_DEADLINE);
    }

    @Test
    void clearingForgetsTheFramesButKeepsTheCounters() {
        RetransmissionManager manager = manager();
        manager.send(PAYLOAD, 0);
        manager.send(PAYLOAD, 0);
        manager.clear();
        assertThat(manager.inFlight()).isZero();
        assertThat(manager.payload(0)).isNull();
        assertThat(manager.deadlineNs()).isEqualTo(TimeoutLayer.NO_DEADLINE);
        assertThat(manager.framesSent()).isEqualTo(2);
    }
}
