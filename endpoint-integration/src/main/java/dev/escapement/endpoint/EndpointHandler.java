package dev.escapement.endpoint;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * The last inbound handler of an endpoint's channel: hands each datagram to the endpoint and
 * makes sure nothing it receives escapes as an exception.
 *
 * <p>Confined to the channel's event loop (one instance per channel).
 */
final class EndpointHandler extends ChannelInboundHandlerAdapter {

    private final DefaultEndpoint endpoint;

    EndpointHandler(DefaultEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket datagram) {
                endpoint.onDatagram(datagram);
            }
        } catch (RuntimeException failure) {
            // A bug, not the peer's doing: counted and logged, and the next datagram is handled as usual.
            endpoint.handlerFailed(failure);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        endpoint.onReadBurstEnd();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A socket error (a write after close, an ICMP error) concerns one datagram, not the channel.
        endpoint.socketError(cause);
    }
}
