package dev.escapement.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RtoEstimatorTest {

    private static final long MS = 1_000_000L;

    @Test
    void startsAtTheInitialRto() {
        RtoEstimator rto = RtoEstimator.create();
        assertThat(rto.rtoNs()).isEqualTo(1_000 * MS);
        assertThat(rto.hasSample()).isFalse();
    }

    @Test
    void firstSampleSetsSrttAndHalfOfItAsRttvar() {
        RtoEstimator rto = RtoEstimator.builder().minRto(Duration.ofMillis(1)).build();
        rto.onRttSample(100 * MS);
        assertThat(rto.srttNs()).isEqualTo(100 * MS);
        assertThat(rto.rttvarNs()).isEqualTo(50 * MS);
        // SRTT + max(G, 4 RTTVAR) = 100 + 200
        assertThat(rto.rtoNs()).isEqualTo(300 * MS);
    }

    @Test
    void laterSamplesFollowTheRfcGains() {
        RtoEstimator rto = RtoEstimator.builder().minRto(Duration.ofMillis(1)).build();
        rto.onRttSample(100 * MS);
        rto.onRttSample(180 * MS);
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 37.5 + 20 = 57.5; SRTT = 7/8 * 100 + 1/8 * 180 = 110
        assertThat(rto.rttvarNs()).isEqualTo(57_500_000L);
        assertThat(rto.srttNs()).isEqualTo(110 * MS);
        assertThat(rto.rtoNs()).isEqualTo(110 * MS + 4 * 57_500_000L);
    }

    @Test
    void steadySamplesConvergeAndGranularityIsTheFloorOfTheVariance() {
        RtoEstimator rto = RtoEstimator.builder().minRto(Duration.ofNanos(1)).clockGranularity(Duration.ofMillis(5)).build();
        for (int i = 0; i < 200; i++) {
            rto.onRttSample(20 * MS);
        }
        assertThat(rto.srttNs()).isBetween(19_999_000L, 20 * MS);
        assertThat(rto.rttvarNs()).isLessThan(MS);
        assertThat(rto.rtoNs()).isBetween(rto.srttNs() + 5 * MS, rto.srttNs() + 5 * MS);
    }

    @Test
    void rtoIsClampedBetweenMinAndMax() {
        RtoEstimator rto = RtoEstimator.create();
        rto.onRttSample(MS);
        assertThat(rto.rtoNs()).isEqualTo(RtoEstimator.DEFAULT_MIN_RTO_NS);
        RtoEstimator slow = RtoEstimator.create();
        slow.onRttSample(Duration.ofSeconds(50).toNanos());
        assertThat(slow.rtoNs()).isEqualTo(RtoEstimator.DEFAULT_MAX_RTO_NS);
    }

    @Test
    void timeoutsBackOffExponentiallyUpToTheMaximum() {
        RtoEstimator rto = RtoEstimator.builder().maxRto(Duration.ofSeconds(10)).build();
        assertThat(rto.onTimeout()).isEqualTo(2_000 * MS);
        assertThat(rto.onTimeout()).isEqualTo(4_000 * MS);
        assertThat(rto.onTimeout()).isEqualTo(8_000 * MS);
        assertThat(rto.onTimeout()).isEqualTo(10_000 * MS);
        assertThat(rto.onTimeout()).isEqualTo(10_000 * MS);
        assertThat(rto.backoffs()).isEqualTo(5);
        assertThat(rto.baseRtoNs()).isEqualTo(1_000 * MS);
    }

    @Test
    void karnsRuleIgnoresSamplesOfRetransmittedMessagesAndKeepsTheBackOff() {
        RtoEstimator rto = RtoEstimator.create();
        rto.onRttSample(100 * MS);
        long before = rto.rtoNs();
        rto.onTimeout();
        assertThat(rto.onRttSample(5 * MS, true)).isFalse();
        assertThat(rto.rtoNs()).isEqualTo(2 * before);
        assertThat(rto.srttNs()).isEqualTo(100 * MS);
        assertThat(rto.onRttSample(100 * MS, false)).isTrue();
        assertThat(rto.backoffs()).isZero();
        assertThat(rto.rtoNs()).isLessThan(2 * before);
    }

    @Test
    void resetForgetsEverything() {
        RtoEstimator rto = RtoEstimator.create();
        rto.onRttSample(300 * MS);
        rto.onTimeout();
        rto.reset();
        assertThat(rto.rtoNs()).isEqualTo(RtoEstimator.DEFAULT_INITIAL_RTO_NS);
        assertThat(rto.hasSample()).isFalse();
        assertThat(rto.backoffs()).isZero();
    }

    @Test
    void invalidSettingsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> RtoEstimator.builder().minRto(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minRto must be > 0: 0 ns");
        assertThatThrownBy(() -> RtoEstimator.builder().minRto(Duration.ofSeconds(2)).maxRto(Duration.ofSeconds(1)).build())
                .hasMessage("maxRto must be >= minRto (2000000000 ns): 1000000000 ns");
        assertThatThrownBy(() -> RtoEstimator.builder().initialRto(Duration.ofMillis(10)).build())
                .hasMessage("initialRto must be between minRto and maxRto (200000000..60000000000 ns): 10000000 ns");
        assertThatThrownBy(() -> RtoEstimator.builder().clockGranularity(Duration.ofNanos(-1)).build())
                .hasMessage("clockGranularity must be > 0: -1 ns");
        assertThatThrownBy(() -> RtoEstimator.create().onRttSample(-1)).hasMessage("rttNs must be >= 0: -1");
    }
}
