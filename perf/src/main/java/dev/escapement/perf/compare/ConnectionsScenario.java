package dev.escapement.perf.compare;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 6, connections: {@code n} connections spread over Netty event loops, each packet
 * resetting its connection's idle timeout. Every event loop runs a pump that reads bursts of
 * packets for randomly chosen connections of its own, giving the loop back between bursts so its
 * tasks and timers run. An iteration ends when the pumps have stopped and the timer side has
 * caught up. Measured: packets per second, process CPU time per packet (every thread, the timer's
 * and the collector's included) and bytes allocated per packet (every thread).
 *
 * <p>Thread-safety: run from one thread; each pump runs on its own event loop.
 */
final class ConnectionsScenario {

    static final String NAME = "connections";
    private static final int BURST = 256;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private ConnectionsScenario() {
    }

    /** Reads packets on one event loop until told to stop. */
    private static final class Pump implements Runnable {
        private final EventLoop loop;
        private final IdleTimeouts timeouts;
        private final IdleTimeouts.Connection[] connections;
        private final long packetsPerSecond;
        private final CountDownLatch stopped;
        private volatile boolean stop;
        private long startNs;
        private long packets;
        private int random;

        Pump(EventLoop loop, IdleTimeouts timeouts, IdleTimeouts.Connection[] connections, long packetsPerSecond,
             CountDownLatch stopped, int seed) {
            this.loop = loop;
            this.timeouts = timeouts;
            this.connections = connections;
            this.packetsPerSecond = packetsPerSecond;
            this.stopped = stopped;
            this.random = seed | 1;
        }

        @Override
        public void run() {
            if (stop) {
                stopped.countDown();
                return;
            }
            if (startNs == 0) {
                startNs = System.nanoTime();
            }
            if (packetsPerSecond > 0 && packets >= packetsPerSecond * (System.nanoTime() - startNs) / 1_000_000_000L) {
                loop.schedule(this, 1, TimeUnit.MILLISECONDS);
                return;
            }
            timeouts.beginBurst();
            int n = connections.length;
            for (int i = 0; i < BURST; i++) {
                random ^= random << 13;
                random ^= random >>> 17;
                random ^= random << 5;
                connections[(int) (((random & 0xFFFFFFFFL) * n) >>> 32)].onRead();
            }
            packets += BURST;
            loop.execute(this);
        }
    }

    static void run(Options options, Supplier<IdleTimeouts> factory, Recorder out) {
        for (int connectionCount : options.integers("connections")) {
            run(options, factory, out, connectionCount);
        }
    }

    /** One connection count, on a fresh contender and fresh event loops. */
    private static void run(Options options, Supplier<IdleTimeouts> factory, Recorder out, int connectionCount) {
        int loopCount = options.integer("event-loops");
        long packetRate = options.longValue("packet-rate");
        long idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(options.longValue("idle-timeout-ms"));
        long iterationMs = options.longValue("iteration-ms");
        int warmups = options.integer("warmups");
        int iterations = options.integer("iterations");
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(loopCount, NamedThreads.factory("conn-loop"));
        IdleTimeouts timeouts = factory.get();
        try {
            EventLoop[] loops = new EventLoop[loopCount];
            IdleTimeouts.Connection[][] connections = new IdleTimeouts.Connection[loopCount][];
            for (int l = 0; l < loopCount; l++) {
                loops[l] = group.next();
                connections[l] = new IdleTimeouts.Connection[IdleTimeouts.share(connectionCount, loopCount, l)];
            }
            IdleTimeouts.openOnLoops(loops, connections, loop -> timeouts.open(loop, idleTimeoutNs), 120_000);
            double[] packetsPerSecond = new double[iterations];
            double[] cpuNsPerPacket = new double[iterations];
            double[] bytesPerPacket = new double[iterations];
            for (int it = 0; it < warmups + iterations; it++) {
                CountDownLatch stopped = new CountDownLatch(loopCount);
                Pump[] pumps = new Pump[loopCount];
                for (int l = 0; l < loopCount; l++) {
                    pumps[l] = new Pump(loops[l], timeouts, connections[l], packetRate / loopCount, stopped, 31 * (it + 1) + l);
                }
                long cpu0 = OS.getProcessCpuTime();
                long bytes0 = Probes.allocatedBytes();
                long startNs = System.nanoTime();
                for (int l = 0; l < loopCount; l++) {
                    loops[l].execute(pumps[l]);
                }
                Probes.sleep(iterationMs);
                for (Pump pump : pumps) {
                    pump.stop = true;
                }
                Probes.await(stopped, 120_000, "the packet pumps");
                timeouts.awaitCaughtUp(300_000);
                long elapsedNs = System.nanoTime() - startNs;
                long cpu1 = OS.getProcessCpuTime();
                long bytes1 = Probes.allocatedBytes();
                long packets = 0;
                for (Pump pump : pumps) {
                    packets += pump.packets;
                }
                if (it >= warmups) {
                    int m = it - warmups;
                    packetsPerSecond[m] = packets * 1e9 / elapsedNs;
                    cpuNsPerPacket[m] = (double) (cpu1 - cpu0) / packets;
                    bytesPerPacket[m] = (double) (bytes1 - bytes0) / packets;
                }
            }
            String config = "connections=" + connectionCount + ",loops=" + loopCount
                    + ",idle_timeout_ms=" + options.longValue("idle-timeout-ms") + ",rate=" + (packetRate == 0 ? "max" : packetRate);
            out.result(NAME, config, "packets_per_s", "packets/s", packetsPerSecond);
            out.result(NAME, config, "cpu_ns_per_packet", "ns", cpuNsPerPacket);
            out.result(NAME, config, "bytes_per_packet", "bytes", bytesPerPacket);
            out.note(NAME, connectionCount + " connections: idle events raised: " + timeouts.idleEvents());
        } finally {
            timeouts.close();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(10_000);
        }
    }

}
