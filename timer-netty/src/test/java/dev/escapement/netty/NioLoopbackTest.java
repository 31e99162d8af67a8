package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handlers and channel-scoped timers on real NIO channels over loopback TCP: timing, events on
 * each channel's own event loop, and nothing left on the timer after connections close.
 */
@Timeout(60)
class NioLoopbackTest {

    private EventLoopGroup group;
    private GlobalTimer timer;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = GlobalTimer.builder().tick(1, MILLISECONDS).build();
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, SECONDS).syncUninterruptibly();
        timer.stop();
    }

    @Test
    void aSilentClientIsClosedAfterTheReaderIdleTimeNotBefore() throws Exception {
        CompletableFuture<Long> closedAfterNs = new CompletableFuture<>();
        CompletableFuture<Boolean> onEventLoop = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        long acceptedNs = System.nanoTime();
                        channel.pipeline().addLast(new EscapementIdleStateHandler(timer, false, 150, 0, 0, MILLISECONDS),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
                                            closedAfterNs.complete(System.nanoTime() - acceptedNs);
                                            onEventLoop.complete(ctx.channel().eventLoop().inEventLoop());
                                            ctx.close();
                                        }
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
        long elapsedNs = closedAfterNs.get(30, SECONDS);
        assertThat(elapsedNs).isGreaterThanOrEqualTo(MILLISECONDS.toNanos(150) - MILLISECONDS.toNanos(2));
        assertThat(onEventLoop.get()).isTrue();
        client.closeFuture().await(10, SECONDS);
        assertThat(client.isOpen()).isFalse();
        server.close().sync();
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (timer.stats().activeConnections() > 0) {
            assertThat(System.nanoTime() - deadline).isNegative();
            Thread.sleep(5);
        }
    }

    @Test
    void droppedAcknowledgementsBackOffAndEndInAGiveUp() throws Exception {
        // The server acknowledges every message by echoing its 8-byte id, except ids >= 100.
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new FixedLengthFrameDecoder(8), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf frame = (ByteBuf) msg;
                                long id = frame.readLong();
                                frame.release();
                                if (id < 100) {
                                    ctx.writeAndFlush(Unpooled.copyLong(id));
                                }
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();

        List<Object> events = new CopyOnWriteArrayList<>();
        List<Long> eventTimesNs = new CopyOnWriteArrayList<>();
        CountDownLatch gaveUp = new CountDownLatch(1);
        RtoEstimator estimator = RtoEstimator.builder().initialRto(Duration.ofMillis(40))
                .minRto(Duration.ofMillis(40)).maxRto(Duration.ofSeconds(2)).build();
        RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(timer, estimator, 4);
        Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new FixedLengthFrameDecoder(8), rto, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf ack = (ByteBuf) msg;
                                rto.acknowledged(ack.readLong());
                                ack.release();
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                events.add(evt);
                                eventTimesNs.add(System.nanoTime());
                                if (evt instanceof RetransmissionTimeoutEvent timeout) {
                                    ctx.writeAndFlush(Unpooled.copyLong(timeout.messageId()));
                                } else if (evt instanceof RetransmissionGiveUpEvent) {
                                    gaveUp.countDown();
                                }
                            }
                        });
                    }
                }).connect(server.localAddress()).sync().channel();

        long startNs = System.nanoTime();
        client.eventLoop().submit(() -> {
            for (long id = 1; id <= 20; id++) {
                client.writeAndFlush(Unpooled.copyLong(id));
                rto.sent(id);
            }
            client.writeAndFlush(Unpooled.copyLong(100));
            rto.sent(100);
        }).sync();
        assertThat(gaveUp.await(30, SECONDS)).isTrue();

        // Only the unacknowledged message timed out: attempts 2, 3, 4, then the give-up.
        List<Object> forLost = events.stream().filter(e -> e instanceof RetransmissionTimeoutEvent t && t.messageId() == 100
                || e instanceof RetransmissionGiveUpEvent g && g.messageId() == 100).toList();
        assertThat(forLost).hasSize(4);
        assertThat(forLost.get(3)).isEqualTo(new RetransmissionGiveUpEvent(100, 4));
        long previousRto = 0;
        for (int i = 0; i < 3; i++) {
            RetransmissionTimeoutEvent timeout = (RetransmissionTimeoutEvent) forLost.get(i);
            assertThat(timeout.attempt()).isEqualTo(i + 2);
            // Each retransmission doubles the RTO (or hits the maximum).
            assertThat(timeout.rtoNs()).isGreaterThan(previousRto);
            previousRto = timeout.rtoNs();
        }
        // Never before the RTO in force: the first timeout comes at least 40 ms after sending.
        assertThat(eventTimesNs.get(0) - startNs).isGreaterThanOrEqualTo(MILLISECONDS.toNanos(38));
        CompletableFuture<Integer> outstanding = new CompletableFuture<>();
        client.eventLoop().execute(() -> outstanding.complete(rto.outstanding()));
        assertThat(outstanding.get(10, SECONDS)).isZero();
        client.close().sync();
        server.close().sync();
    }

    @Test
    void retransmissionTimeoutsArriveOnEachChannelsOwnEventLoop() throws Exception {
        // The server never acknowledges: every message times out, is retried, and is given up.
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(Discard.INSTANCE).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int channels = 8;
        int messagesPerChannel = 3;
        int maxAttempts = 3;
        CountDownLatch gaveUp = new CountDownLatch(channels * messagesPerChannel);
        AtomicInteger timeouts = new AtomicInteger();
        // Recorded on the event loops, asserted on the test thread.
        ConcurrentLinkedQueue<String> offLoop = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> notFromDrainOnLoop = new ConcurrentLinkedQueue<>();
        Set<EventLoop> deliveringLoops = ConcurrentHashMap.newKeySet();
        Bootstrap client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        RtoEstimator estimator = RtoEstimator.builder().initialRto(Duration.ofMillis(30))
                                .minRto(Duration.ofMillis(30)).build();
                        RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(timer, estimator, maxAttempts);
                        channel.pipeline().addLast(rto, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                for (long id = 1; id <= messagesPerChannel; id++) {
                                    ctx.writeAndFlush(Unpooled.copyLong(id));
                                    rto.sent(id);
                                }
                                ctx.fireChannelActive();
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (!(evt instanceof RetransmissionTimeoutEvent) && !(evt instanceof RetransmissionGiveUpEvent)) {
                                    ctx.fireUserEventTriggered(evt);
                                    return;
                                }
                                if (!ctx.channel().eventLoop().inEventLoop()) {
                                    offLoop.add(evt + " for " + ctx.channel() + " on " + Thread.currentThread().getName());
                                }
                                // The pipeline moves an event fired on another thread onto the loop, so inEventLoop
                                // alone would pass if the timer thread fired it: the channel's timer manager must
                                // have been drained here, on this loop, with the event fired from that drain.
                                if (!StackWalker.getInstance().walk(frames -> frames.anyMatch(
                                        frame -> frame.getClassName().startsWith(ChannelTimers.class.getName())))) {
                                    notFromDrainOnLoop.add(evt + " for " + ctx.channel());
                                }
                                deliveringLoops.add(ctx.channel().eventLoop());
                                if (evt instanceof RetransmissionTimeoutEvent) {
                                    timeouts.incrementAndGet();
                                } else {
                                    gaveUp.countDown();
                                }
                            }
                        });
                    }
                });
        // The clients are placed on the loops in turn, so every loop delivers events of its own channels.
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(executor -> loops.add((EventLoop) executor));
        List<Channel> clients = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            clients.add(client.clone(loops.get(i % loops.size())).connect(server.localAddress()).sync().channel());
        }

        assertThat(gaveUp.await(30, SECONDS)).as("every message given up").isTrue();
        assertThat(offLoop).as("events delivered off the channel's event loop").isEmpty();
        assertThat(notFromDrainOnLoop).as("events not fired by a drain of the channel's timers on its loop").isEmpty();
        // Attempts 2 and 3 of every message, then its give-up.
        assertThat(timeouts.get()).isEqualTo(channels * messagesPerChannel * (maxAttempts - 1));
        assertThat(deliveringLoops).containsExactlyInAnyOrderElementsOf(loops);
        for (Channel channel : clients) {
            channel.close().sync();
        }
        server.close().sync();
    }

    @Test
    void massConnectAndDisconnectLeavesNoTimerAndNoConnectionBehind() throws Exception {
        int rounds = 2;
        int perRound = 200;
        Semaphore accepted = new Semaphore(0);
        Semaphore clientsActive = new Semaphore(0);
        Semaphore closed = new Semaphore(0);
        ConcurrentLinkedQueue<Channel> children = new ConcurrentLinkedQueue<>();
        // Closes are counted at channelInactive behind the idle handler: by then the channel's manager
        // (closed with the close future, earlier) and the idle handler have both left the timer.
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelTimers.of(channel, timer).register(ChannelTimeout.CONNECT, 1, HOURS);
                        channel.pipeline().addLast(new EscapementIdleStateHandler(timer, false, 1, 1, 1, HOURS),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelActive(ChannelHandlerContext ctx) {
                                        // The idle handler in front has joined the timer by now.
                                        accepted.release();
                                        ctx.fireChannelActive();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        // And has left it: it closes on channelInactive, as Netty's handler.
                                        closed.release();
                                        ctx.fireChannelInactive();
                                    }
                                });
                        children.add(channel);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        RtoEstimator hourLong = RtoEstimator.builder().initialRto(Duration.ofHours(1)).maxRto(Duration.ofHours(2)).build();
        Bootstrap client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelTimers.of(channel, timer).register(ChannelTimeout.KEEP_ALIVE, 1, HOURS);
                        RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(timer, hourLong, 3);
                        channel.pipeline().addLast(new EscapementIdleStateHandler(timer, false, 1, 1, 1, HOURS), rto,
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelActive(ChannelHandlerContext ctx) {
                                        ctx.writeAndFlush(Unpooled.copyLong(1));
                                        rto.sent(1);
                                        clientsActive.release();
                                        ctx.fireChannelActive();
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        closed.release();
                                        ctx.fireChannelInactive();
                                    }
                                });
                    }
                });

        for (int round = 0; round < rounds; round++) {
            List<ChannelFuture> connects = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                connects.add(client.connect(server.localAddress()));
            }
            List<Channel> clients = new ArrayList<>();
            for (ChannelFuture connect : connects) {
                clients.add(connect.sync().channel());
            }
            assertThat(accepted.tryAcquire(perRound, 30, SECONDS)).as("round %d: connections accepted", round).isTrue();
            assertThat(clientsActive.tryAcquire(perRound, 30, SECONDS)).as("round %d: clients active", round).isTrue();
            // Two managers per channel on both sides, the channel's and its idle handler's: the count
            // the closes must bring back to zero.
            assertThat(timer.stats().activeConnections()).as("round %d: connections at the peak", round).isEqualTo(4 * perRound);

            // Close from the client side in even rounds, from the server side in odd ones; the peer follows.
            if (round % 2 == 0) {
                clients.forEach(Channel::close);
            } else {
                children.forEach(Channel::close);
            }
            children.clear();
            assertThat(closed.tryAcquire(2 * perRound, 30, SECONDS)).as("round %d: both ends closed", round).isTrue();
            assertThat(timer.stats().activeConnections()).as("round %d: connections after the closes", round).isZero();
        }
        server.close().sync();

        TimerStats stats = statsAfterTwoPasses(timer);
        assertThat(stats.pending()).as("timers left: %s", stats).isZero();
        assertThat(stats.commandQueueDepth()).isZero();
        assertThat(stats.activeConnections()).isZero();
        // Every channel armed its wheel entry at least once.
        assertThat(stats.scheduled()).isGreaterThanOrEqualTo(2L * rounds * perRound);
        assertThat(timer.stop()).isEmpty();
    }

    /**
     * The timer's statistics once it has applied every command offered before this call. A
     * zero-delay timer fires in the pass that drains it, so the first fires after every earlier
     * command has been applied; the second fires in a later pass, after the first pass published
     * its counters (a pass publishes at its end).
     */
    static TimerStats statsAfterTwoPasses(GlobalTimer timer) throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            timer.scheduleNotify(0, NANOSECONDS).completion().get(30, SECONDS);
        }
        return timer.stats();
    }

    /** Reads and drops everything: a peer that never acknowledges. */
    @ChannelHandler.Sharable
    static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
