package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.TimerManager;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that closes its channel while the channel's due timeouts are being delivered (issue
 * 16): the rest of that drain is dropped, nothing is registered on the closed manager, and no
 * exception reaches the pipeline. In virtual time (a manual clock, the timer driven by the test
 * thread) on local channels with a real event loop: their close completes the close future at
 * once but runs {@code channelInactive} later, as NIO's does. An {@code EmbeddedChannel} cannot
 * show it, since it runs {@code channelInactive} inside the close.
 */
@Timeout(60)
class CloseDuringDrainTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    /** Recorded on the event loop, asserted on the test thread. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private EventLoopGroup group;
    private Channel server;

    @BeforeEach
    void setUp() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(NioLoopbackTest.Discard.INSTANCE)
                .bind(new LocalAddress("close-during-drain-" + System.nanoTime())).sync().channel();
    }

    @AfterEach
    void tearDown() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, SECONDS).syncUninterruptibly();
    }

    @Test
    void closingOnReaderIdleDropsTheWriterIdleDueInTheSameDrain() throws Exception {
        // Reader idle twice the writer's: after the first keep-alive both are due at 200 ms, READER_IDLE first.
        Channel channel = connect(new EscapementIdleStateHandler(timer, false, 200, 100, 0, MILLISECONDS),
                new CloseOnReaderIdle());
        advance(channel, 500);
        assertThat(events).containsExactly("100:WRITER_IDLE(first)", "200:READER_IDLE(first)");
        assertNothingFailedOrLeft(channel);
    }

    @Test
    void idleChecksDrainedAfterTheCloseFireAndRegisterNothing() throws Exception {
        EscapementIdleStateHandler handler = new EscapementIdleStateHandler(timer, false, 200, 100, 300, MILLISECONDS);
        Channel channel = connect(handler, new CloseOnReaderIdle());
        // All three checks due, and drained on the loop right after a close, before channelInactive.
        clock.advance(400, MILLISECONDS);
        channel.eventLoop().submit(() -> {
            channel.close();
            handler.run();
        }).sync();
        advance(channel, 500);
        assertThat(events).isEmpty();
        assertNothingFailedOrLeft(channel);
    }

    @Test
    void closingTheChannelEndsTheDeliveryOfChannelTimeouts() throws Exception {
        Channel channel = connect(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(String.valueOf(evt));
                if (evt == ChannelTimeout.CONNECT) {
                    ctx.close();
                }
            }
        });
        channel.eventLoop().submit(() -> {
            TimerManager<ChannelTimeout> timeouts = ChannelTimers.of(channel, timer);
            timeouts.register(ChannelTimeout.CONNECT, 10, MILLISECONDS);
            timeouts.register(ChannelTimeout.HANDSHAKE, 10, MILLISECONDS);
            timeouts.register(ChannelTimeout.APPLICATION, 20, MILLISECONDS);
        }).sync();
        // One step: a single drain finds all three due; the close after the first ends it.
        clock.advance(30, MILLISECONDS);
        runTimerAndLoop(channel);
        assertThat(events).containsExactly("CONNECT");
        assertNothingFailedOrLeft(channel);
    }

    @Test
    void closingTheChannelOnAGiveUpEndsTheEventsOfThatTimeout() throws Exception {
        RtoEstimator estimator = RtoEstimator.builder().initialRto(Duration.ofMillis(100))
                .minRto(Duration.ofMillis(100)).build();
        RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(timer, estimator, 1);
        Channel channel = connect(rto, new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt.getClass().getSimpleName());
                ctx.close();
            }
        });
        channel.eventLoop().submit(() -> {
            for (long id = 1; id <= 3; id++) {
                rto.sent(id);
            }
        }).sync();
        advance(channel, 500);
        // All three time out together; the close on the first give-up drops the other two.
        assertThat(events).containsExactly("RetransmissionGiveUpEvent");
        assertNothingFailedOrLeft(channel);
    }

    /**
     * A client channel whose pipeline is {@code handlers} and then a recorder of exceptions, once
     * its handlers have seen {@code channelActive} (and registered their timeouts at virtual time 0).
     */
    private Channel connect(ChannelHandler... handlers) throws InterruptedException {
        Channel channel = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(handlers).addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                failures.add(cause);
                            }
                        });
                    }
                }).connect(server.localAddress()).sync().channel();
        // The connect future completes just before channelActive is fired, in the same task on the loop.
        channel.eventLoop().submit(() -> { }).sync();
        return channel;
    }

    /** Moves virtual time one millisecond at a time, letting the timer and the event loop catch up at each. */
    private void advance(Channel channel, long ms) throws InterruptedException {
        for (long i = 0; i < ms; i++) {
            clock.advance(1, MILLISECONDS);
            runTimerAndLoop(channel);
        }
    }

    /**
     * Runs the timer until it is idle, then waits twice for the event loop: the first wait covers
     * the wake-ups the timer handed it, the second what those wake-ups queued (a close's
     * {@code channelInactive}, say).
     */
    private void runTimerAndLoop(Channel channel) throws InterruptedException {
        while (timer.doWork() > 0) {
            // drain
        }
        for (int round = 0; round < 2; round++) {
            channel.eventLoop().submit(() -> { }).sync();
        }
    }

    private void assertNothingFailedOrLeft(Channel channel) throws InterruptedException {
        runTimerAndLoop(channel);
        assertThat(failures).as("exceptions in the pipeline").isEmpty();
        assertThat(channel.isOpen()).isFalse();
        runTimerAndLoop(channel);
        TimerStats stats = timer.stats();
        assertThat(stats.activeConnections()).as("connections left: %s", stats).isZero();
        assertThat(stats.pending()).as("timers left: %s", stats).isZero();
    }

    /** The README's handler: closes on READER_IDLE, writes a keep-alive on WRITER_IDLE. */
    private final class CloseOnReaderIdle extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                events.add(clock.nanoTime() / 1_000_000 + ":" + idle.state() + (idle.isFirst() ? "(first)" : ""));
                if (idle.state() == IdleState.READER_IDLE) {
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(Unpooled.copyLong(0L));
                }
            }
        }
    }
}
