package dev.escapement.endpoint;

import dev.escapement.GlobalTimer;
import dev.escapement.endpoint.EndpointCounters.Counter;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.collection.LongObjectHashMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * The {@link Endpoint}: a datagram channel on one event loop, the connections by id, and the
 * dispatch of each datagram to its connection.
 *
 * <p>State is confined to the event loop; the public methods hop onto it (or, for
 * {@link #stats()} and the histograms, read the counters, which are safe from any thread).
 */
final class DefaultEndpoint implements Endpoint {

    private static final System.Logger LOG = System.getLogger(Endpoint.class.getName());
    /** Attempts to draw a connection id that no live connection of the timer has. */
    private static final int MAX_ID_ATTEMPTS = 16;
    /** Failures logged at WARNING before further ones go to DEBUG: a broken peer must not flood the log. */
    private static final long LOUD_FAILURES = 10;
    /** Closed connections remembered to answer late packets with a CLOSE (about 40 bytes each). */
    private static final int CLOSED_CONNECTIONS_REMEMBERED = 4096;

    private final EndpointConfig config;
    private final EventLoop eventLoop;
    private final Bootstrap bootstrap;
    private final EndpointCounters counters = new EndpointCounters();
    private final SplittableRandom random;
    private final LongObjectHashMap<DefaultConnection> connections = new LongObjectHashMap<>();
    /** Server side: connections by the id their client chose, to recognise a repeated HELLO. */
    private final LongObjectHashMap<DefaultConnection> byClientId = new LongObjectHashMap<>();
    private final ClosedConnections closedConnections = new ClosedConnections(CLOSED_CONNECTIONS_REMEMBERED);
    private final Packet packet = new Packet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile Channel channel;
    /** After a rebind: the old channel, still receiving until the next rebind or close. */
    private Channel previousChannel;
    private boolean inReadBurst;

    private DefaultEndpoint(EndpointConfig config) {
        this.config = config;
        this.eventLoop = config.group().next();
        this.random = new SplittableRandom(config.seed());
        this.bootstrap = new Bootstrap().group(eventLoop).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, config.receiveBufferBytes())
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        if (!config.link().equals(SimulatedLink.PERFECT)) {
                            ch.pipeline().addLast(new LinkSimulator(config.link(), random.split(), counters));
                        }
                        ch.pipeline().addLast(new EndpointHandler(DefaultEndpoint.this));
                    }
                });
    }

    /** Builds the endpoint and binds its channel, blocking until it is bound. */
    static DefaultEndpoint bind(EndpointConfig config) {
        DefaultEndpoint endpoint = new DefaultEndpoint(config);
        ChannelFuture bound = endpoint.bootstrap.bind(config.bindAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String message = "could not bind an endpoint to " + config.bindAddress() + ": " + cause;
            throw cause instanceof IOException io ? new UncheckedIOException(message, io) : new IllegalStateException(message, cause);
        }
        endpoint.channel = bound.channel();
        return endpoint;
    }

    // ------------------------------------------------------------------ receiving (event loop)

    void onDatagram(DatagramPacket datagram) {
        if (!inReadBurst) {
            // One clock read per read burst: what follows reads the cached clock.
            config.timer().cachedClock().refresh();
            inReadBurst = true;
        }
        counters.increment(Counter.DATAGRAMS_RECEIVED);
        ByteBuf content = datagram.content();
        BadDatagram bad = FrameCodec.decode(content, packet);
        if (bad != null) {
            counters.bad(bad);
            return;
        }
        if (packet.type == FrameType.HELLO) {
            onHello(datagram.sender());
            return;
        }
        DefaultConnection connection = connections.get(packet.destinationId);
        if (connection != null) {
            connection.onPacket(packet, content, datagram.sender());
        } else if (!answerForClosed(datagram.sender())) {
            counters.bad(BadDatagram.UNKNOWN_CONNECTION);
        }
    }

    /**
     * A packet for a connection that has just closed: the peer missed the CLOSE (or has not seen it
     * yet), so it is told again, where the packet came from. A CLOSE is never answered.
     *
     * @return false if the connection is not remembered
     */
    private boolean answerForClosed(InetSocketAddress from) {
        ClosedConnections.Closed closed = closedConnections.get(packet.destinationId);
        if (closed == null) {
            return false;
        }
        counters.increment(Counter.LATE_PACKETS);
        if (packet.type != FrameType.CLOSE) {
            write(FrameCodec.close(alloc(), closed.peerId, closed.nextPacketNumber++, closed.finalAck), from);
        }
        return true;
    }

    void onReadBurstEnd() {
        inReadBurst = false;
    }

    private void onHello(InetSocketAddress from) {
        long clientId = packet.sourceId;
        DefaultConnection existing = byClientId.get(clientId);
        if (existing != null) {
            existing.onDuplicateHello();
            return;
        }
        if (config.acceptor() == null) {
            counters.bad(BadDatagram.UNKNOWN_CONNECTION);
            return;
        }
        if (closed.get() || connections.size() >= config.maxConnections()) {
            counters.increment(Counter.HANDSHAKES_REFUSED);
            return;
        }
        ConnectionHandler handler;
        try {
            handler = Objects.requireNonNull(config.acceptor().get(), "the acceptor returned null");
        } catch (RuntimeException failure) {
            applicationFailed(null, failure);
            counters.increment(Counter.HANDSHAKES_REFUSED);
            return;
        }
        DefaultConnection connection = open(false, clientId, from, handler);
        byClientId.put(clientId, connection);
        start(connection, () -> connection.acceptHandshake(packet.packetNumber));
    }

    /** Starts a new connection's handshake; if that fails (the timer refuses), the connection is closed. */
    private static void start(DefaultConnection connection, Runnable handshake) {
        try {
            handshake.run();
        } catch (RuntimeException failure) {
            connection.closeWith(CloseReason.ENDPOINT_CLOSED, false);
            throw failure;
        }
    }

    /** Creates a connection under a fresh random id and registers it. */
    private DefaultConnection open(boolean client, long peerId, InetSocketAddress peer, ConnectionHandler handler) {
        for (int attempt = 1; ; attempt++) {
            long id = random.nextLong() & Long.MAX_VALUE;
            if (id == 0 || connections.containsKey(id)) {
                continue;
            }
            try {
                DefaultConnection connection = new DefaultConnection(this, id, client, peerId, peer, handler);
                connections.put(id, connection);
                counters.increment(Counter.CONNECTIONS_OPENED);
                return connection;
            } catch (IllegalStateException idTaken) {
                // Another endpoint on the same timer has a live connection with this id: draw again.
                if (attempt >= MAX_ID_ATTEMPTS) {
                    throw idTaken;
                }
            }
        }
    }

    /**
     * A connection closed: it is forgotten, except that its peer is answered for a while (see
     * {@link ClosedConnections}).
     */
    void connectionClosed(DefaultConnection connection, CloseReason reason, int unconfirmedFrames, int finalAck,
                          int nextPacketNumber) {
        connections.remove(connection.id());
        if (!connection.isClient() && byClientId.get(connection.peerId()) == connection) {
            byClientId.remove(connection.peerId());
        }
        if (connection.peerId() != 0) {
            closedConnections.remember(connection.id(), connection.peerId(), finalAck, nextPacketNumber);
        }
        counters.closed(reason);
        counters.add(Counter.FRAMES_UNCONFIRMED_AT_CLOSE, unconfirmedFrames);
    }

    // ------------------------------------------------------------------ sending (event loop)

    /** Sends a datagram from the current channel. */
    void write(ByteBuf datagram, InetSocketAddress to) {
        counters.increment(Counter.DATAGRAMS_SENT);
        Channel current = channel;
        current.writeAndFlush(new DatagramPacket(datagram, to), current.voidPromise());
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** @return a random path-challenge token */
    long nextToken() {
        return random.nextLong();
    }

    // ------------------------------------------------------------------ failures

    void handlerFailed(RuntimeException failure) {
        counters.increment(Counter.HANDLER_FAILURES);
        log(counters.get(Counter.HANDLER_FAILURES), "endpoint failed to handle a datagram or timeout", failure);
    }

    void applicationFailed(Connection connection, RuntimeException failure) {
        counters.increment(Counter.APPLICATION_FAILURES);
        log(counters.get(Counter.APPLICATION_FAILURES), "application callback of " + connection + " threw", failure);
    }

    void socketError(Throwable cause) {
        counters.increment(Counter.SOCKET_ERRORS);
        LOG.log(Level.DEBUG, "socket error on endpoint " + localAddress(), cause);
    }

    private static void log(long count, String message, Throwable failure) {
        LOG.log(count <= LOUD_FAILURES ? Level.WARNING : Level.DEBUG, message, failure);
    }

    // ------------------------------------------------------------------ Endpoint

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public EventLoop eventLoop() {
        return eventLoop;
    }

    @Override
    public GlobalTimer timer() {
        return config.timer();
    }

    EndpointConfig config() {
        return config;
    }

    EndpointCounters counters() {
        return counters;
    }

    @Override
    public CompletableFuture<Connection> connect(InetSocketAddress remote, ConnectionHandler handler) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(handler, "handler");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        execute(result, () -> {
            if (closed.get()) {
                result.completeExceptionally(new IllegalStateException("endpoint is closed"));
                return;
            }
            DefaultConnection connection = open(true, 0, remote, handler);
            connection.establishment().whenComplete((established, failure) -> {
                if (failure == null) {
                    result.complete(established);
                } else {
                    result.completeExceptionally(failure);
                }
            });
            start(connection, connection::startHandshake);
        });
        return result;
    }

    @Override
    public CompletableFuture<InetSocketAddress> rebind() {
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        execute(result, () -> {
            InetSocketAddress current = localAddress();
            bootstrap.bind(new InetSocketAddress(current.getAddress(), 0)).addListener((ChannelFuture bound) -> {
                if (!bound.isSuccess()) {
                    result.completeExceptionally(bound.cause());
                } else if (closed.get()) {
                    bound.channel().close();
                    result.completeExceptionally(new IllegalStateException("endpoint is closed"));
                } else {
                    if (previousChannel != null) {
                        previousChannel.close();
                    }
                    previousChannel = channel;
                    channel = bound.channel();
                    result.complete(localAddress());
                }
            });
        });
        return result;
    }

    private void execute(CompletableFuture<?> result, Runnable task) {
        try {
            eventLoop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException failure) {
                    result.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException shutDown) {
            result.completeExceptionally(shutDown);
        }
    }

    @Override
    public int connectionCount() {
        return (int) counters.snapshot().connectionsOpen();
    }

    @Override
    public EndpointStats stats() {
        return counters.snapshot();
    }

    @Override
    public Histogram rttHistogram() {
        return counters.rttHistogram();
    }

    @Override
    public Histogram rtoHistogram() {
        return counters.rtoHistogram();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (eventLoop.inEventLoop()) {
            closeOnEventLoop();
            return;
        }
        try {
            eventLoop.submit(this::closeOnEventLoop).syncUninterruptibly();
        } catch (RejectedExecutionException shutDown) {
            // The group is gone, so no other thread can touch the connections: close them here.
            closeOnEventLoop();
        }
        channel.closeFuture().awaitUninterruptibly();
    }

    private void closeOnEventLoop() {
        List<DefaultConnection> open = new ArrayList<>(connections.values());
        for (DefaultConnection connection : open) {
            connection.closeWith(CloseReason.ENDPOINT_CLOSED, true);
        }
        if (previousChannel != null) {
            previousChannel.close();
        }
        channel.close();
    }

    @Override
    public String toString() {
        return "Endpoint[" + channel.localAddress() + ", " + connectionCount() + " connections"
                + (closed.get() ? ", closed" : "") + "]";
    }
}
