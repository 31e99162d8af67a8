package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.clock.NanoClock;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link EscapementIdleStateHandler} against Netty's own {@link IdleStateHandler}, side by side
 * in virtual time: the same script of reads, writes and silence must produce the same idle
 * events (state and first flag) at the same moments.
 */
class IdleStateHandlerParityTest {

    /** Records idle events with the virtual millisecond they arrived at. */
    static class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();
        long nowMs;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                events.add(nowMs + ":" + idle.state() + (idle.isFirst() ? "(first)" : ""));
            }
        }
    }

    /**
     * With {@code loopClock}, the timer reads the channel's event loop's (mock) ticker, so the
     * handler fires its wheel entry ahead of each idle time's end and waits out the rest on the
     * event loop's scheduler, as on real time; otherwise the timer's clock is a {@link ManualClock},
     * which the event loop does not follow, and the wheel entry fires at the end itself.
     */
    @ParameterizedTest(name = "reader {0} ms, writer {1} ms, all {2} ms, seed {3}, observeOutput {4}, loop clock {5}")
    @CsvSource({
            "100, 0, 0, 1, false, false",
            "0, 70, 0, 2, false, false",
            "0, 0, 50, 3, false, false",
            "100, 70, 50, 4, false, false",
            "30, 45, 120, 5, false, false",
            "250, 250, 250, 6, false, false",
            "0, 40, 0, 7, true, false",
            "0, 0, 60, 8, true, false",
            "50, 40, 60, 9, true, false",
            "100, 0, 0, 11, false, true",
            "0, 70, 0, 12, false, true",
            "0, 0, 50, 13, false, true",
            "100, 70, 50, 14, false, true",
            "30, 45, 120, 15, false, true",
            "250, 250, 250, 16, false, true",
            "3, 5, 2, 17, false, true",
            "50, 40, 60, 19, true, true"
    })
    void sameEventsAtTheSameMomentsAsNettysHandler(long readerMs, long writerMs, long allMs, long seed,
                                                   boolean observeOutput, boolean loopClock) {
        ManualClock manualClock = new ManualClock();
        MockTicker ticker = Ticker.newMockTicker();
        NanoClock clock = loopClock ? ticker::nanoTime : manualClock;
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();

        Recorder nettyEvents = new Recorder();
        EmbeddedChannel netty = new EmbeddedChannel();
        netty.freezeTime();
        netty.pipeline().addLast(new IdleStateHandler(observeOutput, readerMs, writerMs, allMs, MILLISECONDS), nettyEvents);

        Recorder ourEvents = new Recorder();
        EmbeddedChannel ours = EmbeddedChannel.builder().ticker(ticker).build();
        ours.pipeline().addLast(new EscapementIdleStateHandler(timer, observeOutput, readerMs, writerMs, allMs, MILLISECONDS),
                ourEvents);

        SplittableRandom random = new SplittableRandom(seed);
        for (long ms = 1; ms <= 3_000; ms++) {
            nettyEvents.nowMs = ms;
            ourEvents.nowMs = ms;
            netty.advanceTimeBy(1, MILLISECONDS);
            netty.runScheduledPendingTasks();
            manualClock.advance(1, MILLISECONDS);
            ticker.advance(1, MILLISECONDS);
            while (timer.doWork() > 0) {
                // drain
            }
            ours.runPendingTasks();
            ours.runScheduledPendingTasks();
            // Activity comes in bursts separated by silences longer than the idle times.
            boolean busy = (ms / 400) % 2 == 0;
            int action = random.nextInt(busy ? 20 : 400);
            if (action == 0) {
                netty.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
                ours.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
            } else if (action == 1) {
                netty.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
                ours.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
            } else if (action == 2 && observeOutput) {
                // Written but not flushed: pending bytes grow, no write completes.
                netty.write(Unpooled.wrappedBuffer(new byte[] {3}));
                ours.write(Unpooled.wrappedBuffer(new byte[] {3}));
            } else if (action == 3 && observeOutput) {
                netty.flushOutbound();
                ours.flushOutbound();
            }
            releaseAll(netty);
            releaseAll(ours);
        }
        assertThat(nettyEvents.events).isNotEmpty();
        // Events due at the same instant have no meaningful order: compare each millisecond as a set.
        assertThat(byMillisecond(ourEvents.events)).isEqualTo(byMillisecond(nettyEvents.events));
        netty.finishAndReleaseAll();
        ours.finishAndReleaseAll();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    /**
     * Review finding: with the timer thread later than the handler's lead, READER_IDLE and ALL_IDLE
     * fell due in one drain; a keep-alive written on READER_IDLE went unseen by the ALL_IDLE already
     * taken from the wheel, which then fired about an idle time early. Netty's handler never fires
     * ALL_IDLE here: the keep-alive is activity.
     */
    @ParameterizedTest(name = "timer passes every {0} ms")
    @CsvSource({"1", "7", "20"})
    void aKeepAliveWrittenOnReaderIdleCountsForAllIdleDueInTheSameDrain(int timerEveryMs) {
        MockTicker ticker = Ticker.newMockTicker();
        GlobalTimer timer = GlobalTimer.builder().clock(ticker::nanoTime).drivenByCaller().build();
        Recorder nettyEvents = new KeepAliveOnReaderIdle();
        EmbeddedChannel netty = new EmbeddedChannel();
        netty.freezeTime();
        netty.pipeline().addLast(new IdleStateHandler(false, 100, 0, 103, MILLISECONDS), nettyEvents);
        Recorder ourEvents = new KeepAliveOnReaderIdle();
        EmbeddedChannel ours = EmbeddedChannel.builder().ticker(ticker).build();
        ours.pipeline().addLast(new EscapementIdleStateHandler(timer, false, 100, 0, 103, MILLISECONDS), ourEvents);
        for (long ms = 1; ms <= 1_000; ms++) {
            nettyEvents.nowMs = ms;
            ourEvents.nowMs = ms;
            netty.advanceTimeBy(1, MILLISECONDS);
            netty.runScheduledPendingTasks();
            ticker.advance(1, MILLISECONDS);
            if (ms % timerEveryMs == 0) {
                while (timer.doWork() > 0) {
                    // drain
                }
            }
            ours.runPendingTasks();
            ours.runScheduledPendingTasks();
            releaseAll(netty);
            releaseAll(ours);
        }
        assertThat(nettyEvents.events).isNotEmpty().noneMatch(e -> e.contains("ALL_IDLE"));
        assertThat(ourEvents.events).noneMatch(e -> e.contains("ALL_IDLE"));
        if (timerEveryMs == 1) {
            assertThat(byMillisecond(ourEvents.events)).isEqualTo(byMillisecond(nettyEvents.events));
        }
        netty.finishAndReleaseAll();
        ours.finishAndReleaseAll();
        timer.stop();
    }

    /**
     * Review finding: a state's wait on the event loop's scheduler was one flag, so a task of an
     * earlier wait, run late, ended a later wait and fired early. Reader idle 8 ms (the wheel checks
     * 1 ms ahead): the check at 7 ms starts a wait until 8 ms; a read at 7.5 ms ends it; the next
     * check at 14.5 ms starts a wait until 15.5 ms. The event loop's scheduled tasks are held back
     * until 14.5 ms, so the first wait's task runs only then: it must not fire.
     */
    @org.junit.jupiter.api.Test
    void aLateTaskOfAnEarlierWaitDoesNotEndALaterOne() {
        MockTicker ticker = Ticker.newMockTicker();
        long startNs = ticker.nanoTime();
        GlobalTimer timer = GlobalTimer.builder().clock(ticker::nanoTime).tick(100, java.util.concurrent.TimeUnit.MICROSECONDS)
                .drivenByCaller().build();
        List<Long> readerIdleAtUs = new ArrayList<>();
        EscapementIdleStateHandler handler = new EscapementIdleStateHandler(timer, false, 8, 0, 0, MILLISECONDS);
        EmbeddedChannel ours = EmbeddedChannel.builder().ticker(ticker).build();
        ours.pipeline().addLast(handler, new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent) {
                    readerIdleAtUs.add((ticker.nanoTime() - startNs) / 1_000);
                }
            }
        });
        for (long halfMs = 1; halfMs <= 40; halfMs++) {
            ticker.advance(500, java.util.concurrent.TimeUnit.MICROSECONDS);
            while (timer.doWork() > 0) {
                // drain
            }
            // The wake-up runs; the event loop's scheduled tasks wait until 14.5 ms.
            handler.run();
            if (halfMs == 15) {
                ours.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
                releaseAll(ours);
            }
            if (halfMs >= 29) {
                ours.runScheduledPendingTasks();
            }
        }
        assertThat(readerIdleAtUs).as("READER_IDLE times, µs").containsExactly(15_500L);
        ours.finishAndReleaseAll();
        timer.stop();
    }

    /** Records idle events and writes a keep-alive on READER_IDLE. */
    static final class KeepAliveOnReaderIdle extends Recorder {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            super.userEventTriggered(ctx, evt);
            if (evt instanceof IdleStateEvent idle && idle.state() == io.netty.handler.timeout.IdleState.READER_IDLE) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0}));
            }
        }
    }

    private static java.util.Map<String, java.util.Set<String>> byMillisecond(List<String> events) {
        java.util.Map<String, java.util.Set<String>> grouped = new java.util.LinkedHashMap<>();
        for (String event : events) {
            String ms = event.substring(0, event.indexOf(':'));
            grouped.computeIfAbsent(ms, k -> new java.util.TreeSet<>()).add(event);
        }
        return grouped;
    }

    private static void releaseAll(EmbeddedChannel channel) {
        Object message;
        while ((message = channel.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(message);
        }
        while ((message = channel.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(message);
        }
    }
}
