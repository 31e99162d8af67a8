package dev.escapement.endpoint;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bare UDP socket on loopback that speaks the wire format by hand: it records every datagram it
 * receives and sends whatever bytes a test gives it. Plays a peer that misbehaves, stays silent
 * or spoofs.
 */
final class RawPeer implements AutoCloseable {

    /** A datagram received, decoded where it is well formed. */
    record Received(byte[] bytes, InetSocketAddress sender, Packet packet) {

        boolean is(FrameType type) {
            return packet != null && packet.type == type;
        }
    }

    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Channel channel;
    /** Answers datagrams on the peer's event loop (null bytes: no answer), so that round trips are short. */
    private volatile Function<Received, byte[]> responder = datagram -> null;

    RawPeer(EventLoopGroup group) {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
                        byte[] bytes = ByteBufUtil.getBytes(datagram.content());
                        Packet packet = new Packet();
                        boolean wellFormed = FrameCodec.decode(Unpooled.wrappedBuffer(bytes), packet) == null;
                        Received copy = new Received(bytes, datagram.sender(), wellFormed ? packet : null);
                        received.add(copy);
                        byte[] answer = responder.apply(copy);
                        if (answer != null) {
                            ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(answer), datagram.sender()));
                        }
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** From now on, answers each datagram it receives with what {@code answers} returns for it (null: nothing). */
    void answer(Function<Received, byte[]> answers) {
        this.responder = answers;
    }

    /** Sends {@code bytes} as one datagram to {@code to} and waits until it is written. */
    void send(byte[] bytes, InetSocketAddress to) {
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to)).syncUninterruptibly();
    }

    /** Waits for the next datagram that matches, dropping the ones before it; fails after {@link Loopback#PATIENCE}. */
    Received next(String what, Predicate<Received> matches) {
        long deadlineNs = System.nanoTime() + Loopback.PATIENCE.toNanos();
        try {
            while (true) {
                Received datagram = received.poll(deadlineNs - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (datagram == null) {
                    throw new AssertionError("no " + what + " within " + Loopback.PATIENCE.toSeconds() + " s");
                }
                if (matches.test(datagram)) {
                    return datagram;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    Received next(FrameType type) {
        return next(type.toString(), datagram -> datagram.is(type));
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
