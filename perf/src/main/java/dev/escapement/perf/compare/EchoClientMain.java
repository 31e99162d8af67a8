package dev.escapement.perf.compare;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the real-channels scenario, in a JVM of its own: opens {@code connections}
 * TCP connections to the server, prints {@code CONNECTED}, and on {@code GO} from standard input
 * starts talking: each connection sends an 8-byte message and, when it is echoed, sends the next
 * one, {@code pauseMs} later (paced) or at once (saturating). Every {@code silentEvery}-th connection
 * falls silent {@code silentAfterMs} after GO, as a dead peer does, and stays connected until the
 * server closes it. {@code STOP} (or the end of standard input) closes everything and exits.
 *
 * <p>Thread-safety: a connection's state is touched only on its event loop.
 */
public final class EchoClientMain {

    private EchoClientMain() {
    }

    /**
     * @param args host, port, connections, pauseMs (0 for saturating), silentEvery, silentAfterMs
     * @throws Exception if connecting fails
     */
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        long pauseMs = Long.parseLong(args[3]);
        int silentEvery = Integer.parseInt(args[4]);
        long silentAfterMs = Long.parseLong(args[5]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NamedThreads.factory("echo-client"),
                NioIoHandler.newFactory());
        try {
            List<Talker> talkers = new ArrayList<>(connections);
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            List<ChannelFuture> pending = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Talker talker = new Talker(pauseMs, i % silentEvery == silentEvery - 1);
                talkers.add(talker);
                pending.add(bootstrap.clone().handler(talker).connect(host, port));
                if (pending.size() == 200) {
                    awaitAll(pending);
                }
            }
            awaitAll(pending);
            System.out.println("CONNECTED");
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command = commands.readLine(); command != null; command = commands.readLine()) {
                if (command.equals("GO")) {
                    long silentAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(silentAfterMs);
                    for (Talker talker : talkers) {
                        talker.start(silentAtNs);
                    }
                } else if (command.equals("STOP")) {
                    break;
                }
            }
            for (Talker talker : talkers) {
                talker.stop();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
        }
    }

    private static void awaitAll(List<ChannelFuture> pending) {
        for (ChannelFuture future : pending) {
            future.syncUninterruptibly();
        }
        pending.clear();
    }

    /**
     * One connection: from the moment it connects, sends, waits for the echo, sends again; one
     * message in flight at a time (a keep-alive from the server counts as the echo it may overtake).
     * Its event loop only, except {@link #silenceFrom} and {@link #stop}, which hop onto it.
     */
    private static final class Talker extends ChannelInboundHandlerAdapter {
        private final long pauseMs;
        private final boolean silent;
        private volatile Channel channel;
        private boolean silenceKnown;
        private long silentAtNs;
        private boolean awaitingEcho;
        private boolean stopped;

        Talker(long pauseMs, boolean silent) {
            this.pauseMs = pauseMs;
            this.silent = silent;
        }

        @Override
        public boolean isSharable() {
            return false;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            send();
            ctx.fireChannelActive();
        }

        /** A silent connection stops sending from {@code silentAtNs} on. */
        void start(long silentAtNs) {
            Channel own = channel;
            own.eventLoop().execute(() -> {
                this.silentAtNs = silentAtNs;
                this.silenceKnown = true;
            });
        }

        void stop() {
            Channel own = channel;
            own.eventLoop().execute(() -> {
                stopped = true;
                own.close();
            });
        }

        private void send() {
            if (stopped || !channel.isActive() || (silent && silenceKnown && System.nanoTime() - silentAtNs >= 0)) {
                return;
            }
            awaitingEcho = true;
            ByteBuf message = channel.alloc().buffer(8).writeLong(System.nanoTime());
            channel.writeAndFlush(message, channel.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!awaitingEcho) {
                return;
            }
            awaitingEcho = false;
            if (pauseMs > 0) {
                ctx.executor().schedule(this::send, pauseMs, TimeUnit.MILLISECONDS);
            } else {
                send();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
