package dev.escapement.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's Netty examples, so they keep compiling. */
class ReadmeNettyExamplesTest {

    @Test
    void dropInTimer() {
        Timer timer = EscapementTimer.create();          // over GlobalTimer.shared(); or builder().globalTimer(...)
        Timeout timeout = timer.newTimeout(t -> System.out.println("timed out"), 30, TimeUnit.SECONDS);
        timeout.cancel();                                // TimerTask.cancelled(timeout) is called, as with Netty
        Set<Timeout> unprocessed = timer.stop();         // cancels and returns only this timer's timeouts
        assertThat(unprocessed).isEmpty();
        assertThat(timeout.isCancelled()).isTrue();
    }

    @Test
    void handlersInAPipeline() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChannelPipeline pipeline = channel.pipeline();

        pipeline.addLast(new EscapementIdleStateHandler(60, 30, 0));   // reader 60 s, writer 30 s
        pipeline.addLast(new ChannelDuplexHandler() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                    ctx.close();
                } else if (evt instanceof IdleStateEvent e && e.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(Unpooled.copyLong(0L));          // a keep-alive
                } else {
                    ctx.fireUserEventTriggered(evt);
                }
            }
        });

        RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(5);   // at most 5 sends
        pipeline.addLast(rto, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf ack = (ByteBuf) msg;
                rto.acknowledged(ack.readLong());                                   // an ack arrived
                ack.release();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof RetransmissionTimeoutEvent timeout) {
                    ctx.writeAndFlush(Unpooled.copyLong(timeout.messageId()));     // send it again
                } else if (evt instanceof RetransmissionGiveUpEvent) {
                    ctx.close();
                } else {
                    ctx.fireUserEventTriggered(evt);
                }
            }
        });

        ChannelTimers.of(channel).register(ChannelTimeout.CONNECT, 5, TimeUnit.SECONDS);
        rto.sent(42);
        channel.writeInbound(Unpooled.copyLong(42));
        assertThat(rto.outstanding()).isZero();
        assertThat(ChannelTimers.of(channel).isActive(ChannelTimeout.CONNECT)).isTrue();
        channel.finishAndReleaseAll();
        assertThat(ChannelTimers.ifPresent(channel)).isNull();
    }
}
