package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handlers on real NIO channels over loopback TCP. */
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
        while (timer.activeConnections() > 0) {
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
}
