package dev.escapement.endpoint;

import dev.escapement.GlobalTimer;
import dev.escapement.netty.RtoEstimator;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * An endpoint's validated settings, from {@link Endpoint.Builder#build()}.
 *
 * <p>Thread-safety: immutable.
 */
record EndpointConfig(
        EventLoopGroup group,
        GlobalTimer timer,
        InetSocketAddress bindAddress,
        Supplier<? extends ConnectionHandler> acceptor,
        long idleTimeoutNs,
        long connectionTimeoutNs,
        Duration initialRto,
        Duration minRto,
        Duration maxRto,
        int maxRetransmissions,
        int window,
        int maxQueuedFrames,
        int maxConnections,
        int receiveBufferBytes,
        SimulatedLink link,
        long seed) {

    /** @return a fresh estimator for a new connection */
    RtoEstimator newEstimator() {
        return RtoEstimator.builder().initialRto(initialRto).minRto(minRto).maxRto(maxRto).build();
    }
}
