package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.netty.EscapementIdleStateHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Scenario 9, real channels: the idle handler on real TCP channels, as a server runs it. This JVM
 * is an echo server (NIO, two worker loops) whose pipeline is the contender's idle handler,
 * {@code (reader 2 s, writer 1 s, all 0)}, and the README's pattern: READER_IDLE closes the channel,
 * WRITER_IDLE writes a keep-alive. A client in a second JVM ({@link EchoClientMain}) opens the
 * connections; each sends, waits for its echo and sends again (paced: 200 ms later; saturating: at
 * once), and every tenth falls silent one second into the measured window. Measured: echoed
 * messages per second, CPU time and bytes allocated per message (this JVM, every thread), heap per
 * channel with every connection open (after full collections, minus the heap before the client
 * connected), the READER_IDLE events' lateness (event time minus last read plus reader idle time,
 * as the server's own handler saw the last read), and exceptions on any channel.
 *
 * <p>Thread-safety: run from one thread; channel state on the channels' event loops.
 */
final class RealChannelsScenario {

    static final String NAME = "realchannels";
    private static final long READER_IDLE_MS = 2_000;
    private static final long WRITER_IDLE_MS = 1_000;
    private static final int SILENT_EVERY = 10;
    private static final long SILENT_AFTER_MS = 1_000;
    /** The window: the silent connections' READER_IDLE falls at about 3 s; 1 s more for stragglers. */
    private static final long WINDOW_MS = SILENT_AFTER_MS + READER_IDLE_MS + 1_000;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** An idle handler for a new channel, or null for none (the baseline). */
    interface Idle extends Supplier<ChannelHandler> {
    }

    static Idle none() {
        return () -> null;
    }

    static Idle netty() {
        return () -> new IdleStateHandler(READER_IDLE_MS, WRITER_IDLE_MS, 0, TimeUnit.MILLISECONDS);
    }

    static Idle escapement() {
        GlobalTimer timer = GlobalTimer.builder().threadName("tmr-escapement").build();
        return () -> new EscapementIdleStateHandler(timer, false, READER_IDLE_MS, WRITER_IDLE_MS, 0, TimeUnit.MILLISECONDS);
    }

    private RealChannelsScenario() {
    }

    /** What the server's own handler records, shared by its channels. */
    private static final class Tally {
        final LongAdder echoed = new LongAdder();
        final LongAdder exceptions = new LongAdder();
        final AtomicInteger open = new AtomicInteger();
        final LongAdder readerIdles = new LongAdder();
        final List<Long> latenessNs = new ArrayList<>();
        volatile boolean measuring;

        synchronized void lateness(long ns) {
            if (measuring) {
                latenessNs.add(ns);
            }
        }
    }

    /** Echoes, records the last read, closes on READER_IDLE, keeps alive on WRITER_IDLE. */
    private static final class ServerHandler extends ChannelDuplexHandler {
        private final Tally tally;
        private long lastReadNs;

        ServerHandler(Tally tally) {
            this.tally = tally;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            lastReadNs = System.nanoTime();
            tally.open.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            tally.open.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            tally.echoed.add(Math.max(1, in.readableBytes() / 8));
            ctx.write(in, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            lastReadNs = System.nanoTime();
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.READER_IDLE) {
                    tally.readerIdles.increment();
                    tally.lateness(System.nanoTime() - lastReadNs - TimeUnit.MILLISECONDS.toNanos(READER_IDLE_MS));
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(ctx.alloc().buffer(8).writeLong(-1), ctx.voidPromise());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tally.exceptions.increment();
            ctx.close();
        }
    }

    /** @return the idle handler of a real-channels contender */
    static Idle forContender(String name) {
        return switch (name) {
            case Contender.RC_NONE -> none();
            case Contender.RC_NETTY -> netty();
            case Contender.RC_ESCAPEMENT -> escapement();
            default -> throw new IllegalArgumentException("not a real-channels contender: " + name);
        };
    }

    static void run(Options options, Idle idle, Recorder out) {
        int iterations = options.integer("real-iterations");
        // One unrecorded run first: the contender runs one iteration per JVM (in rounds), and a
        // fresh JVM's first run would count its class loading in the heap and its JIT in the CPU.
        String warmUpMode = options.string("real-modes").split(",")[0].trim();
        int warmUpConnections = options.integers("real-connections")[0];
        try {
            runOnce(idle, warmUpConnections, warmUpMode, (metric, unit, value) -> { });
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("real channels, warm-up", e);
        }
        for (int connections : options.integers("real-connections")) {
            for (String mode : options.string("real-modes").split(",")) {
                Map<String, double[]> figures = new LinkedHashMap<>();
                Map<String, String> units = new LinkedHashMap<>();
                for (int it = 0; it < iterations; it++) {
                    int iteration = it;
                    try {
                        runOnce(idle, connections, mode.trim(), (metric, unit, value) -> {
                            figures.computeIfAbsent(metric, m -> new double[iterations])[iteration] = value;
                            units.put(metric, unit);
                        });
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException("real channels, " + connections + " connections, " + mode, e);
                    }
                }
                String config = "connections=" + connections + "," + mode.trim();
                figures.forEach((metric, values) -> out.result(NAME, config, metric, units.get(metric), values));
            }
        }
    }

    /** One figure of one iteration. */
    private interface Figure {
        void record(String metric, String unit, double value);
    }

    private static void runOnce(Idle idle, int connections, String mode, Figure out) throws IOException, InterruptedException {
        long pauseMs = switch (mode) {
            case "paced" -> 200;
            case "saturating" -> 0;
            default -> throw new IllegalArgumentException("--real-modes must be paced or saturating: " + mode);
        };
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NamedThreads.factory("rc-boss"), NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NamedThreads.factory("rc-worker"), NioIoHandler.newFactory());
        Tally tally = new Tally();
        Process client = null;
        try {
            Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            ChannelHandler idleHandler = idle.get();
                            if (idleHandler != null) {
                                channel.pipeline().addLast(idleHandler);
                            }
                            channel.pipeline().addLast(new ServerHandler(tally));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            long baselineBytes = Probes.usedHeapAfterGc();
            client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-cp", System.getProperty("java.class.path"), EchoClientMain.class.getName(),
                    "127.0.0.1", Integer.toString(port), Integer.toString(connections), Long.toString(pauseMs),
                    Integer.toString(SILENT_EVERY), Long.toString(SILENT_AFTER_MS))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader clientOut = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            Writer clientIn = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8);
            String line = clientOut.readLine();
            if (!"CONNECTED".equals(line)) {
                throw new IllegalStateException("the echo client did not connect: " + line);
            }
            awaitOpen(tally, connections);
            double heapPerChannel = (double) (Probes.usedHeapAfterGc() - baselineBytes) / connections;
            tally.measuring = true;
            long cpu0 = OS.getProcessCpuTime();
            long bytes0 = Probes.allocatedBytes();
            long echoed0 = tally.echoed.sum();
            long startNs = System.nanoTime();
            clientIn.write("GO\n");
            clientIn.flush();
            Probes.sleep(WINDOW_MS);
            long elapsedNs = System.nanoTime() - startNs;
            long messages = tally.echoed.sum() - echoed0;
            long cpuNs = OS.getProcessCpuTime() - cpu0;
            long bytes = Probes.allocatedBytes() - bytes0;
            tally.measuring = false;
            clientIn.write("STOP\n");
            clientIn.flush();
            out.record("messages_per_s", "messages/s", messages * 1e9 / elapsedNs);
            out.record("cpu_ns_per_message", "ns", (double) cpuNs / Math.max(1, messages));
            out.record("bytes_per_message", "bytes", (double) bytes / Math.max(1, messages));
            out.record("heap_bytes_per_channel", "bytes", heapPerChannel);
            long[] lateness;
            synchronized (tally) {
                lateness = tally.latenessNs.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            out.record("reader_idle_events", "events", lateness.length);
            out.record("lateness_p50_ms", "ms", percentile(lateness, 0.50) / 1e6);
            out.record("lateness_p99_ms", "ms", percentile(lateness, 0.99) / 1e6);
            out.record("lateness_max_ms", "ms", lateness.length == 0 ? Double.NaN : lateness[lateness.length - 1] / 1e6);
            out.record("exceptions", "exceptions", tally.exceptions.sum());
            client.waitFor(30, TimeUnit.SECONDS);
            server.close().syncUninterruptibly();
        } finally {
            if (client != null) {
                client.destroyForcibly();
            }
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(30_000);
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(30_000);
        }
    }

    private static void awaitOpen(Tally tally, int connections) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (tally.open.get() < connections) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("only " + tally.open.get() + " of " + connections + " channels opened");
            }
            Probes.sleep(10);
        }
    }

    private static double percentile(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
    }
}
