package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimerManager;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Channel-scoped timers on real (local) channels: cleanup on close, delivery on the event loop. */
@Timeout(120)
class ChannelTimersTest {

    private EventLoopGroup group;
    private GlobalTimer timer;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(4, LocalIoHandler.newFactory());
        timer = GlobalTimer.builder().build();
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, SECONDS).syncUninterruptibly();
        timer.stop();
    }

    /** A child handler usable for every accepted channel. */
    private static final class NoopInitializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel channel) {
            // nothing: the server side plays no part here
        }
    }

    @Test
    void massConnectAndDisconnectLeavesNoTimerAndNoConnectionBehind() throws Exception {
        LocalAddress address = new LocalAddress("channel-timers-" + System.nanoTime());
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        // Each accepted channel gets an hour-long timeout and an idle handler.
                        ChannelTimers.of(channel, timer).register(ChannelTimeout.CONNECT, 1, HOURS);
                        channel.pipeline().addLast(new EscapementIdleStateHandler(timer, false, 1, 1, 1, HOURS));
                    }
                }).bind(address).sync().channel();
        Bootstrap client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        ChannelTimers.of(channel, timer).register(ChannelTimeout.KEEP_ALIVE, 1, HOURS);
                    }
                });
        int rounds = 4;
        int perRound = 500;
        for (int round = 0; round < rounds; round++) {
            List<Channel> clients = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                clients.add(client.connect(address).sync().channel());
            }
            for (Channel channel : clients) {
                channel.close().sync();
            }
        }
        server.close().sync();
        // The children close asynchronously after their peers; wait until they all have.
        long deadline = System.nanoTime() + SECONDS.toNanos(30);
        while (timer.stats().activeConnections() > 0 || timer.stats().pending() > 0 || timer.stats().commandQueueDepth() > 0) {
            assertThat(System.nanoTime() - deadline).as("timers left: %s", timer.stats()).isNegative();
            Thread.sleep(5);
        }
        assertThat(timer.stats().scheduled()).isGreaterThanOrEqualTo(2L * rounds * perRound);
        assertThat(timer.stop()).isEmpty();
    }

    @Test
    void dueEventsArriveOnTheChannelsOwnEventLoop() throws Exception {
        LocalAddress address = new LocalAddress("channel-loop-" + System.nanoTime());
        ConcurrentLinkedQueue<String> wrongThread = new ConcurrentLinkedQueue<>();
        int channels = 200;
        CountDownLatch delivered = new CountDownLatch(channels);
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new NoopInitializer()).bind(address).sync().channel();
        Bootstrap client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ChannelTimers.of(ctx.channel(), timer).register(ChannelTimeout.APPLICATION, 20, MILLISECONDS);
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt == ChannelTimeout.APPLICATION) {
                                    // Recorded here, asserted on the test thread.
                                    if (!ctx.channel().eventLoop().inEventLoop()) {
                                        wrongThread.add(Thread.currentThread().getName());
                                    }
                                    delivered.countDown();
                                }
                            }
                        });
                    }
                });
        List<Channel> clients = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            clients.add(client.connect(address).sync().channel());
        }
        assertThat(delivered.await(30, SECONDS)).isTrue();
        assertThat(wrongThread).isEmpty();
        for (Channel channel : clients) {
            channel.close().sync();
        }
        server.close().sync();
    }

    @Test
    void channelTimersMustBeUsedOnTheEventLoop() throws Exception {
        EmbeddedChannel embedded = new EmbeddedChannel();
        TimerManager<ChannelTimeout> manager = ChannelTimers.of(embedded, timer);
        assertThat(ChannelTimers.of(embedded)).isSameAs(manager);
        assertThat(ChannelTimers.ifPresent(embedded)).isSameAs(manager);
        embedded.close();
        assertThat(manager.isClosed()).isTrue();
        assertThat(ChannelTimers.ifPresent(embedded)).isNull();

        LocalAddress address = new LocalAddress("channel-off-loop-" + System.nanoTime());
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new NoopInitializer()).bind(address).sync().channel();
        Channel channel = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        assertThatThrownBy(() -> ChannelTimers.of(channel, timer))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("ChannelTimers must be used on the channel's event loop");
        channel.close().sync();
        server.close().sync();
    }
}
