package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's close-on-idle pattern on real NIO channels over loopback TCP (issue 16): with the
 * reader idle time twice the writer's, a silent connection's READER_IDLE and WRITER_IDLE fall due
 * together; the handler that closes on READER_IDLE must end the drain quietly, with nothing
 * delivered or registered after the close and no exception anywhere.
 *
 * <p>Real time: the idle times are long enough (1 s) that an active connection, pinging every
 * 50 ms, survives a loaded machine. {@link CloseDuringDrainTest} pins the same in virtual time.
 */
@Timeout(120)
class NioIdleCloseTest {

    private static final int CONNECTIONS = 300;
    private static final int SILENT = 250;
    private static final long READER_IDLE_MS = 1_000;
    private static final long WRITER_IDLE_MS = 500;
    private static final long PING_MS = 50;

    private EventLoopGroup group;
    private GlobalTimer timer;
    /** Every throwable raised on an event loop or logged, recorded there, asserted on the test thread. */
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final Handler logRecorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                failures.add(record.getThrown());
            } else if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record.getLoggerName() + ": " + record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final List<Logger> recordedLoggers = List.of(Logger.getLogger("io.netty"), Logger.getLogger("dev.escapement"));

    @BeforeEach
    void setUp() {
        recordedLoggers.forEach(logger -> logger.addHandler(logRecorder));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        timer = GlobalTimer.builder().tick(1, MILLISECONDS).build();
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, SECONDS).syncUninterruptibly();
        timer.stop();
        recordedLoggers.forEach(logger -> logger.removeHandler(logRecorder));
    }

    @Test
    void closingOnReaderIdleWithWriterIdleDueInTheSameDrainRaisesNothingAndLeavesNothingBehind() throws Exception {
        // Server side, recorded by the client's port (the child's remote port).
        Set<Integer> closedOnReaderIdle = ConcurrentHashMap.newKeySet();
        Set<Integer> childrenClosed = ConcurrentHashMap.newKeySet();
        AtomicInteger writerIdleBehindReaderIdle = new AtomicInteger();
        CountDownLatch everyChildPinged = new CountDownLatch(CONNECTIONS);
        CountDownLatch everyChildClosed = new CountDownLatch(CONNECTIONS);
        ExceptionRecorder recorder = new ExceptionRecorder(failures);

        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        int clientPort = ((InetSocketAddress) channel.remoteAddress()).getPort();
                        channel.pipeline().addLast(
                                new EscapementIdleStateHandler(timer, false, READER_IDLE_MS, WRITER_IDLE_MS, 0, MILLISECONDS) {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                        try {
                                            super.userEventTriggered(ctx, evt);
                                        } catch (Throwable thrown) {
                                            failures.add(thrown);
                                            throw thrown;
                                        }
                                    }
                                },
                                new ChannelInboundHandlerAdapter() {
                                    private boolean pinged;

                                    /**
                                     * Closes are counted here, behind the idle handler, which leaves the timer at
                                     * channelInactive (after the close future), as Netty's handler stops there.
                                     */
                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        childrenClosed.add(clientPort);
                                        everyChildClosed.countDown();
                                        ctx.fireChannelInactive();
                                    }

                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ReferenceCountUtil.release(msg);
                                        ctx.writeAndFlush(Unpooled.copyLong(0L));           // the pong
                                        if (!pinged) {
                                            pinged = true;
                                            everyChildPinged.countDown();
                                        }
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                                            // The handler keeps WRITER_IDLE's check registered, except between the
                                            // check and the event: inactive here means WRITER_IDLE is due next.
                                            EscapementIdleStateHandler idle = ctx.pipeline().get(EscapementIdleStateHandler.class);
                                            if (!idle.isActive(IdleState.WRITER_IDLE)) {
                                                writerIdleBehindReaderIdle.incrementAndGet();
                                            }
                                            closedOnReaderIdle.add(clientPort);
                                            ctx.close();
                                        } else if (evt instanceof IdleStateEvent e && e.state() == IdleState.WRITER_IDLE) {
                                            ctx.writeAndFlush(Unpooled.copyLong(0L));       // a keep-alive
                                        } else {
                                            ctx.fireUserEventTriggered(evt);
                                        }
                                    }
                                },
                                recorder);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();

        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new Pinger(), NioLoopbackTest.Discard.INSTANCE, recorder);
                    }
                });
        List<ChannelFuture> connects = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            connects.add(bootstrap.connect(server.localAddress()));
        }
        List<Channel> clients = new ArrayList<>();
        for (ChannelFuture connect : connects) {
            clients.add(connect.sync().channel());
        }
        assertThat(everyChildPinged.await(30, SECONDS)).as("every connection accepted and pinging: %d left, %d closed, "
                + "%d on READER_IDLE, failures %s", everyChildPinged.getCount(), childrenClosed.size(),
                closedOnReaderIdle.size(), failures).isTrue();

        // The first SILENT clients fall silent together; the others keep pinging.
        CountDownLatch silentClosed = new CountDownLatch(SILENT);
        Set<Integer> silentPorts = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < SILENT; i++) {
            clients.get(i).pipeline().get(Pinger.class).stop();
            silentPorts.add(port(clients.get(i)));
            clients.get(i).closeFuture().addListener(future -> silentClosed.countDown());
        }
        assertThat(silentClosed.await(30, SECONDS)).as("every silent client closed by its server: %d left, "
                + "%d on READER_IDLE, failures %s", silentClosed.getCount(), closedOnReaderIdle.size(), failures).isTrue();
        System.out.printf("%s: WRITER_IDLE due behind READER_IDLE in the same drain on %d of %d silent connections%n",
                getClass().getSimpleName(), writerIdleBehindReaderIdle.get(), SILENT);

        assertThat(failures).as("exceptions raised or logged").isEmpty();
        assertThat(warnings).as("warnings logged").isEmpty();
        assertThat(closedOnReaderIdle).as("closed on READER_IDLE").isEqualTo(silentPorts);
        List<Channel> active = clients.subList(SILENT, CONNECTIONS);
        assertThat(active).as("active clients closed").allMatch(Channel::isOpen);
        assertThat(active.stream().map(NioIdleCloseTest::port).filter(childrenClosed::contains))
                .as("active connections closed by the server").isEmpty();

        for (int i = SILENT; i < CONNECTIONS; i++) {
            clients.get(i).pipeline().get(Pinger.class).stop();
            clients.get(i).close().sync();
        }
        assertThat(everyChildClosed.await(30, SECONDS)).as("every server child closed: %d left, failures %s",
                everyChildClosed.getCount(), failures).isTrue();
        server.close().sync();
        // Closing active connections may reset them on the wire; nothing else may go wrong.
        assertThat(failures).as("exceptions other than connection resets").allMatch(t -> t instanceof IOException);

        TimerStats stats = NioLoopbackTest.statsAfterTwoPasses(timer);
        assertThat(stats.pending()).as("timers left: %s", stats).isZero();
        assertThat(stats.commandQueueDepth()).isZero();
        assertThat(stats.activeConnections()).isZero();

        // The race this test is about ran: on 30-100 % of the silent connections when it was written, as a
        // connection is caught when the drain after the mass close runs later than the drain one writer idle
        // time before it. A stall at that earlier drain can spare every connection; the run then proved less.
        assumeThat(writerIdleBehindReaderIdle.get()).as("silent connections with WRITER_IDLE due behind READER_IDLE")
                .isPositive();
    }

    /** From the client's activation, a ping every {@link #PING_MS} until {@link #stop()}. */
    private static final class Pinger extends ChannelInboundHandlerAdapter {
        private volatile ScheduledFuture<?> pings;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pings = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(Unpooled.copyLong(1L)), 0, PING_MS, MILLISECONDS);
            ctx.fireChannelActive();
        }

        /** Any thread, once the channel is active: after its first ping reached the server, say. */
        void stop() {
            pings.cancel(false);
        }
    }

    private static int port(Channel client) {
        return ((InetSocketAddress) client.localAddress()).getPort();
    }

    /** The last handler of every pipeline: records each exception that reaches it. */
    @ChannelHandler.Sharable
    private static final class ExceptionRecorder extends ChannelInboundHandlerAdapter {
        private final ConcurrentLinkedQueue<Throwable> failures;

        ExceptionRecorder(ConcurrentLinkedQueue<Throwable> failures) {
            this.failures = failures;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.add(cause);
        }
    }
}
