package dev.escapement.endpoint;

import java.time.Duration;
import java.util.Objects;

/**
 * Conditions for an endpoint's outgoing datagrams, for demos and tests on loopback: each datagram
 * is dropped with probability {@code lossRate}, otherwise sent after {@code delay} plus a uniform
 * random extra of up to {@code jitter} (so datagrams may overtake one another). Set with
 * {@link Endpoint.Builder#simulatedLink(SimulatedLink)}; applied by a handler in the channel's
 * pipeline, drawing from the endpoint's seed.
 *
 * <p>Thread-safety: immutable.
 *
 * @param lossRate the probability of dropping a datagram, 0 to 1
 * @param delay    the least delay, 0 or more
 * @param jitter   the largest extra delay, 0 or more
 */
public record SimulatedLink(double lossRate, Duration delay, Duration jitter) {

    /** A perfect link: no loss, no delay. */
    public static final SimulatedLink PERFECT = new SimulatedLink(0, Duration.ZERO, Duration.ZERO);

    /**
     * @throws IllegalArgumentException if the loss rate is outside [0, 1] or a duration is negative
     */
    public SimulatedLink {
        if (!(lossRate >= 0 && lossRate <= 1)) {
            throw new IllegalArgumentException("lossRate must be between 0 and 1: " + lossRate);
        }
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        if (jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must not be negative: " + jitter);
        }
    }

    /**
     * @param lossRate the probability of dropping a datagram, 0 to 1
     * @return a link that only loses datagrams
     */
    public static SimulatedLink lossy(double lossRate) {
        return new SimulatedLink(lossRate, Duration.ZERO, Duration.ZERO);
    }
}
