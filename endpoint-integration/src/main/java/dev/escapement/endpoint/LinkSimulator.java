package dev.escapement.endpoint;

import dev.escapement.endpoint.EndpointCounters.Counter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Applies a {@link SimulatedLink} to a channel's outgoing datagrams: drops some, delays the rest.
 * Delays are scheduled on the channel's event loop (this is the network, not a protocol timeout,
 * so it stays off the global timer and out of its statistics).
 *
 * <p>Confined to the channel's event loop.
 */
final class LinkSimulator extends ChannelOutboundHandlerAdapter {

    private final double lossRate;
    private final long delayNs;
    private final long jitterNs;
    private final SplittableRandom random;
    private final EndpointCounters counters;

    LinkSimulator(SimulatedLink link, SplittableRandom random, EndpointCounters counters) {
        this.lossRate = link.lossRate();
        this.delayNs = link.delay().toNanos();
        this.jitterNs = link.jitter().toNanos();
        this.random = random;
        this.counters = counters;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof DatagramPacket)) {
            ctx.write(msg, promise);
            return;
        }
        if (lossRate > 0 && random.nextDouble() < lossRate) {
            ReferenceCountUtil.release(msg);
            counters.increment(Counter.DATAGRAMS_DROPPED_BY_LINK);
            promise.trySuccess();
            return;
        }
        long sendAfterNs = delayNs + (jitterNs > 0 ? random.nextLong(jitterNs + 1) : 0);
        if (sendAfterNs == 0) {
            ctx.write(msg, promise);
        } else {
            ctx.executor().schedule(() -> ctx.writeAndFlush(msg, promise), sendAfterNs, TimeUnit.NANOSECONDS);
        }
    }
}
