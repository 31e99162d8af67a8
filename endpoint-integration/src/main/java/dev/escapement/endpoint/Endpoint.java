package dev.escapement.endpoint;

import dev.escapement.GlobalTimer;
import dev.escapement.netty.RtoEstimator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * A small reliable-datagram endpoint over a Netty UDP channel (SPEC E1, E2): it accepts
 * connections, opens them, or both. A connection has a handshake with a connection timeout and
 * retries, DATA frames with sequence numbers and cumulative acknowledgements, retransmission on an
 * RFC 6298 RTO with back-off and Karn's rule, an idle timeout, and path validation when the peer's
 * address changes. Each connection keeps all its timeouts in one entry of a {@link GlobalTimer}'s
 * wheel, through a {@link dev.escapement.connection.TimerManager}.
 *
 * <h2>Ground rules</h2>
 * <ul>
 *   <li>An endpoint is one channel on one event loop of the group it is built with; every
 *       connection of the endpoint lives on that event loop, and so does all their timeout work.
 *       The methods here may be called from any thread; {@link Builder#build()} and
 *       {@link #close()} block, so call them off the event loops.</li>
 *   <li>Nothing a peer sends makes the endpoint throw: a datagram that is truncated, garbled, of
 *       another version or for no known connection is counted ({@link EndpointStats#badDatagrams})
 *       and dropped, and other connections carry on.</li>
 *   <li>Every connection closes exactly once, and its handler hears why.</li>
 * </ul>
 *
 * <h2>Example</h2>
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
 * Endpoint server = Endpoint.builder(group).accept(() -> new EchoHandler()).build();
 * Endpoint client = Endpoint.builder(group).build();
 * client.connect(server.localAddress(), handler)
 *       .thenAccept(connection -> connection.eventLoop().execute(() -> connection.send(payload)));
 * }</pre>
 */
public interface Endpoint extends AutoCloseable {

    /**
     * @param group the event loops; the endpoint takes one of them (it does not own the group)
     * @return a builder with the defaults
     */
    static Builder builder(EventLoopGroup group) {
        return new Builder(group);
    }

    /** @return the local address connections send from (it changes with {@link #rebind()}) */
    InetSocketAddress localAddress();

    /** @return the event loop the endpoint and all its connections live on */
    EventLoop eventLoop();

    /** @return the global timer whose wheel the connections' timeouts use */
    GlobalTimer timer();

    /**
     * Opens a connection to an endpoint that accepts connections.
     *
     * @param remote  the peer's address
     * @param handler the application's side of the connection
     * @return a future completed with the connection when the handshake completes, or completed
     *         exceptionally with a {@link java.net.ConnectException} if the connection closes first,
     *         after the handler's {@link ConnectionHandler#onClosed} has heard why
     */
    CompletableFuture<Connection> connect(InetSocketAddress remote, ConnectionHandler handler);

    /**
     * Moves the endpoint to a new local port on the same address, as a NAT rebinding would: its
     * connections send from the new port from then on, and their peers validate the new path.
     * The old port keeps receiving until the next rebind or the endpoint closes, so datagrams
     * already on their way are not lost.
     *
     * @return a future completed with the new local address
     */
    CompletableFuture<InetSocketAddress> rebind();

    /** @return connections open now */
    int connectionCount();

    /** @return a snapshot of the counters */
    EndpointStats stats();

    /** @return every RTT sample the connections took, in nanoseconds (a copy) */
    Histogram rttHistogram();

    /** @return every RTO the connections set, by a sample or a back-off, in nanoseconds (a copy) */
    Histogram rtoHistogram();

    /**
     * Closes every connection ({@link CloseReason#ENDPOINT_CLOSED}, telling the peers) and the
     * channels, and waits for that. Idempotent. Close endpoints before shutting down their group.
     */
    @Override
    void close();

    /**
     * Configures an {@link Endpoint}; {@link #build()} validates and binds.
     *
     * <p>Not thread-safe: confine a builder to one thread.
     */
    final class Builder {

        private final EventLoopGroup group;
        private GlobalTimer timer;
        private InetSocketAddress bindAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private Supplier<? extends ConnectionHandler> acceptor;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration initialRto = Duration.ofNanos(RtoEstimator.DEFAULT_INITIAL_RTO_NS);
        private Duration minRto = Duration.ofNanos(RtoEstimator.DEFAULT_MIN_RTO_NS);
        private Duration maxRto = Duration.ofNanos(RtoEstimator.DEFAULT_MAX_RTO_NS);
        private int maxRetransmissions = 10;
        private int window = 64;
        private int maxQueuedFrames = 1024;
        private int maxConnections = 1 << 16;
        private int receiveBufferBytes = 1 << 20;
        private SimulatedLink link;
        private Long seed;

        private Builder(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
        }

        /**
         * @param timer the global timer for the connections' timeouts; default {@link GlobalTimer#shared()}
         * @return this builder
         */
        public Builder timer(GlobalTimer timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /**
         * @param bindAddress the local address; default the loopback address, any free port
         * @return this builder
         */
        public Builder bindAddress(InetSocketAddress bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /**
         * Accepts incoming connections, each with a handler from {@code handlers}. Without it the
         * endpoint only opens connections, and counts handshakes sent to it as
         * {@link BadDatagram#UNKNOWN_CONNECTION}.
         *
         * @param handlers makes a handler per accepted connection; called on the event loop
         * @return this builder
         */
        public Builder accept(Supplier<? extends ConnectionHandler> handlers) {
            this.acceptor = Objects.requireNonNull(handlers, "handlers");
            return this;
        }

        /**
         * @param idleTimeout how long a peer may stay silent before its connection closes; default 30 s
         * @return this builder
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * @param connectionTimeout how long a handshake may take, retries included; default 10 s
         * @return this builder
         */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
            return this;
        }

        /**
         * The RTO bounds, as {@link RtoEstimator.Builder} takes them; defaults 1 s, 200 ms, 60 s.
         *
         * @param initial the RTO before the first RTT sample (the handshake's first retry)
         * @param min     the smallest RTO
         * @param max     the largest RTO, back-off included
         * @return this builder
         */
        public Builder rto(Duration initial, Duration min, Duration max) {
            this.initialRto = Objects.requireNonNull(initial, "initial");
            this.minRto = Objects.requireNonNull(min, "min");
            this.maxRto = Objects.requireNonNull(max, "max");
            return this;
        }

        /**
         * @param maxRetransmissions how often one frame is sent again before its connection
         *                           closes with {@link CloseReason#RETRANSMISSION_LIMIT}; default 10
         * @return this builder
         */
        public Builder maxRetransmissions(int maxRetransmissions) {
            this.maxRetransmissions = maxRetransmissions;
            return this;
        }

        /**
         * @param window the most frames in flight per connection, and how far ahead of a gap a
         *               receiver holds frames: a power of two from 1 to 2^14; default 64
         * @return this builder
         */
        public Builder window(int window) {
            this.window = window;
            return this;
        }

        /**
         * @param maxQueuedFrames frames a connection queues while its window is full, 0 or more;
         *                        default 1024
         * @return this builder
         */
        public Builder maxQueuedFrames(int maxQueuedFrames) {
            this.maxQueuedFrames = maxQueuedFrames;
            return this;
        }

        /**
         * @param maxConnections the most connections open at once; handshakes past it are refused;
         *                       default 65536
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * @param receiveBufferBytes the socket's receive buffer (SO_RCVBUF), which the operating
         *                           system may cap; default 1 MiB, since one socket carries every
         *                           connection of the endpoint and a small buffer drops bursts
         * @return this builder
         */
        public Builder receiveBufferBytes(int receiveBufferBytes) {
            this.receiveBufferBytes = receiveBufferBytes;
            return this;
        }

        /**
         * @param link loss and delay for outgoing datagrams, for demos and tests; default none
         * @return this builder
         */
        public Builder simulatedLink(SimulatedLink link) {
            this.link = Objects.requireNonNull(link, "link");
            return this;
        }

        /**
         * @param seed makes connection ids, path-challenge tokens and the simulated link
         *             reproducible; default a random seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Validates the settings and binds the endpoint's channel. Blocks until it is bound; call
         * it off the event loops.
         *
         * @return the endpoint
         * @throws IllegalArgumentException if a setting is out of range (the message names it)
         * @throws java.io.UncheckedIOException if the address cannot be bound
         */
        public Endpoint build() {
            checkPositive("idleTimeout", idleTimeout);
            checkPositive("connectionTimeout", connectionTimeout);
            // Validates the RTO bounds, with the estimator's own messages.
            RtoEstimator.builder().initialRto(initialRto).minRto(minRto).maxRto(maxRto).build();
            if (maxRetransmissions < 0) {
                throw new IllegalArgumentException("maxRetransmissions must not be negative: " + maxRetransmissions);
            }
            if (window < 1 || window > 1 << 14 || Integer.bitCount(window) != 1) {
                throw new IllegalArgumentException("window must be a power of two from 1 to 16384: " + window);
            }
            if (maxQueuedFrames < 0) {
                throw new IllegalArgumentException("maxQueuedFrames must not be negative: " + maxQueuedFrames);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
            }
            if (receiveBufferBytes < 1) {
                throw new IllegalArgumentException("receiveBufferBytes must be at least 1: " + receiveBufferBytes);
            }
            EndpointConfig config = new EndpointConfig(group, timer == null ? GlobalTimer.shared() : timer,
                    bindAddress, acceptor, idleTimeout.toNanos(), connectionTimeout.toNanos(), initialRto, minRto,
                    maxRto, maxRetransmissions, window, maxQueuedFrames, maxConnections, receiveBufferBytes,
                    link == null ? SimulatedLink.PERFECT : link,
                    seed == null ? new java.util.SplittableRandom().nextLong() : seed);
            return DefaultEndpoint.bind(config);
        }

        private static void checkPositive(String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
        }
    }
}
