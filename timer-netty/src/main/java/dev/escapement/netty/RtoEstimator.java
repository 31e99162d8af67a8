package dev.escapement.netty;

import java.time.Duration;
import java.util.Objects;

/**
 * A retransmission-timeout estimator after RFC 6298: smoothed round-trip time (SRTT), its
 * variation (RTTVAR), a minimum and maximum RTO, exponential back-off on timeouts, and Karn's rule
 * (round-trip samples of retransmitted messages are ignored).
 *
 * <p>Not thread-safe: confined to the thread of the connection it estimates for (a channel's
 * event loop).
 *
 * <pre>
 *   first sample R:   SRTT = R, RTTVAR = R / 2
 *   later sample R':  RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|,  SRTT = 7/8 SRTT + 1/8 R'
 *   RTO = clamp(SRTT + max(G, 4 RTTVAR), min, max)          G = clock granularity
 *   on a timeout:     RTO = min(2 RTO, max)   (kept until the next valid sample)
 * </pre>
 * Arithmetic is in integer nanoseconds, with shifts for the 1/8 and 1/4 gains, as TCP stacks do;
 * it saturates instead of overflowing, so an absurd sample gives the maximum RTO, never the
 * minimum. Builder durations beyond the range of a {@code long} of nanoseconds saturate too, and
 * are then checked like any other value.
 */
public final class RtoEstimator {

    /** RFC 6298's initial RTO: 1 s. */
    public static final long DEFAULT_INITIAL_RTO_NS = Duration.ofSeconds(1).toNanos();
    /** The default minimum RTO: 200 ms (as Linux uses; RFC 6298 recommends 1 s). */
    public static final long DEFAULT_MIN_RTO_NS = Duration.ofMillis(200).toNanos();
    /** The default maximum RTO: 60 s, RFC 6298's floor for a maximum. */
    public static final long DEFAULT_MAX_RTO_NS = Duration.ofSeconds(60).toNanos();
    /** The default clock granularity G: 1 ms, the global timer's default tick. */
    public static final long DEFAULT_GRANULARITY_NS = Duration.ofMillis(1).toNanos();

    private final long initialRtoNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long granularityNs;

    private long srttNs;
    private long rttvarNs;
    private boolean hasSample;
    /** RTO from the samples, before back-off. */
    private long baseRtoNs;
    private int backoffs;
    private long rtoNs;

    private RtoEstimator(Builder builder) {
        this.initialRtoNs = builder.initialRtoNs;
        this.minRtoNs = builder.minRtoNs;
        this.maxRtoNs = builder.maxRtoNs;
        this.granularityNs = builder.granularityNs;
        this.baseRtoNs = initialRtoNs;
        this.rtoNs = initialRtoNs;
    }

    /** @return an estimator with the defaults (initial 1 s, min 200 ms, max 60 s, G 1 ms) */
    public static RtoEstimator create() {
        return builder().build();
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes a round-trip sample of a message sent once.
     *
     * @param rttNs the measured round-trip time, {@code >= 0}
     * @throws IllegalArgumentException if {@code rttNs} is negative
     */
    public void onRttSample(long rttNs) {
        if (rttNs < 0) {
            throw new IllegalArgumentException("rttNs must be >= 0: " + rttNs);
        }
        if (!hasSample) {
            srttNs = rttNs;
            rttvarNs = rttNs >> 1;
            hasSample = true;
        } else {
            long error = Math.abs(srttNs - rttNs);
            rttvarNs = rttvarNs - (rttvarNs >> 2) + (error >> 2);
            srttNs = srttNs - (srttNs >> 3) + (rttNs >> 3);
        }
        // 4 RTTVAR and the sum saturate: a sample near Long.MAX_VALUE gives the maximum RTO.
        long varianceTermNs = rttvarNs > Long.MAX_VALUE >> 2 ? Long.MAX_VALUE : rttvarNs << 2;
        baseRtoNs = clamp(saturatedAdd(srttNs, Math.max(granularityNs, varianceTermNs)));
        // A valid sample ends any back-off (RFC 6298 5.7).
        backoffs = 0;
        rtoNs = baseRtoNs;
    }

    /**
     * Takes a round-trip sample, applying Karn's rule: the sample of a message that was
     * retransmitted is ambiguous (which copy was acknowledged?) and is ignored.
     *
     * @param rttNs         the measured round-trip time, {@code >= 0}
     * @param retransmitted whether the message was sent more than once
     * @return true if the sample was used
     * @throws IllegalArgumentException if {@code rttNs} is negative, even for a sample Karn's
     *                                  rule ignores: a negative round trip is a caller's bug
     */
    public boolean onRttSample(long rttNs, boolean retransmitted) {
        if (rttNs < 0) {
            throw new IllegalArgumentException("rttNs must be >= 0: " + rttNs);
        }
        if (retransmitted) {
            return false;
        }
        onRttSample(rttNs);
        return true;
    }

    /**
     * A retransmission timer expired: doubles the RTO, up to the maximum.
     *
     * @return the new RTO in nanoseconds
     */
    public long onTimeout() {
        backoffs++;
        rtoNs = Math.min(maxRtoNs, rtoNs > maxRtoNs / 2 ? maxRtoNs : rtoNs << 1);
        return rtoNs;
    }

    /** @return the current RTO in nanoseconds, back-off included */
    public long rtoNs() {
        return rtoNs;
    }

    /** @return the RTO the samples give, before back-off, in nanoseconds */
    public long baseRtoNs() {
        return baseRtoNs;
    }

    /** @return the smoothed round-trip time in nanoseconds, or 0 before the first sample */
    public long srttNs() {
        return srttNs;
    }

    /** @return the round-trip time variation in nanoseconds, or 0 before the first sample */
    public long rttvarNs() {
        return rttvarNs;
    }

    /** @return true once a sample has been taken */
    public boolean hasSample() {
        return hasSample;
    }

    /** @return timeouts since the last valid sample */
    public int backoffs() {
        return backoffs;
    }

    /** Forgets every sample and back-off: back to the initial RTO. */
    public void reset() {
        srttNs = 0;
        rttvarNs = 0;
        hasSample = false;
        backoffs = 0;
        baseRtoNs = initialRtoNs;
        rtoNs = initialRtoNs;
    }

    /** The sum of two non-negative values, {@link Long#MAX_VALUE} where it would overflow. */
    private static long saturatedAdd(long aNs, long bNs) {
        long sumNs = aNs + bNs;
        return sumNs < 0 ? Long.MAX_VALUE : sumNs;
    }

    /** A duration in nanoseconds, saturated at the ends of a {@code long} as {@link java.util.concurrent.TimeUnit} does. */
    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException overflow) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private long clamp(long valueNs) {
        return Math.max(minRtoNs, Math.min(maxRtoNs, valueNs));
    }

    @Override
    public String toString() {
        return "RtoEstimator[rto=" + rtoNs + " ns, srtt=" + srttNs + " ns, rttvar=" + rttvarNs
                + " ns, backoffs=" + backoffs + "]";
    }

    /**
     * Configures an {@link RtoEstimator}; {@link #build()} validates.
     *
     * <p>Not thread-safe: confine a builder to one thread.
     */
    public static final class Builder {

        private long initialRtoNs = DEFAULT_INITIAL_RTO_NS;
        private long minRtoNs = DEFAULT_MIN_RTO_NS;
        private long maxRtoNs = DEFAULT_MAX_RTO_NS;
        private long granularityNs = DEFAULT_GRANULARITY_NS;

        private Builder() {
        }

        /**
         * @param initialRto the RTO before the first sample; default 1 s
         * @return this builder
         */
        public Builder initialRto(Duration initialRto) {
            this.initialRtoNs = saturatedNanos(Objects.requireNonNull(initialRto, "initialRto"));
            return this;
        }

        /**
         * @param minRto the smallest RTO; default 200 ms
         * @return this builder
         */
        public Builder minRto(Duration minRto) {
            this.minRtoNs = saturatedNanos(Objects.requireNonNull(minRto, "minRto"));
            return this;
        }

        /**
         * @param maxRto the largest RTO, back-off included; default 60 s
         * @return this builder
         */
        public Builder maxRto(Duration maxRto) {
            this.maxRtoNs = saturatedNanos(Objects.requireNonNull(maxRto, "maxRto"));
            return this;
        }

        /**
         * @param granularity the clock granularity G; default 1 ms
         * @return this builder
         */
        public Builder clockGranularity(Duration granularity) {
            this.granularityNs = saturatedNanos(Objects.requireNonNull(granularity, "granularity"));
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the estimator
         * @throws IllegalArgumentException if a value is not positive, or min &gt; max, or the
         *                                  initial RTO is outside [min, max]
         */
        public RtoEstimator build() {
            if (minRtoNs <= 0) {
                throw new IllegalArgumentException("minRto must be > 0: " + minRtoNs + " ns");
            }
            if (maxRtoNs < minRtoNs) {
                throw new IllegalArgumentException("maxRto must be >= minRto (" + minRtoNs + " ns): " + maxRtoNs + " ns");
            }
            if (initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs) {
                throw new IllegalArgumentException("initialRto must be between minRto and maxRto ("
                        + minRtoNs + ".." + maxRtoNs + " ns): " + initialRtoNs + " ns");
            }
            if (granularityNs <= 0) {
                throw new IllegalArgumentException("clockGranularity must be > 0: " + granularityNs + " ns");
            }
            return new RtoEstimator(this);
        }
    }
}
