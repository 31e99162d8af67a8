package dev.escapement.perf.compare;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Scenario 8, footprint: heap per connection with three timeouts (idle, retransmission, path
 * validation), at each connection count. Connections are opened on Netty event loops as a server
 * opens them, each with its three timeouts armed the contender's way; the heap in use after full
 * collections is compared with the same figure taken before, after the event loops, the timer and
 * the arrays that keep the connections reachable were created, so only what the connections and
 * their timeouts take is charged. The timeouts are an hour or so out, so none fires while it is
 * measured. Each count runs on a fresh contender.
 *
 * <p>Thread-safety: run from one thread; connections are opened on their event loops.
 */
final class FootprintScenario {

    static final String NAME = "footprint";
    private static final long IDLE_NS = TimeUnit.MINUTES.toNanos(60);
    private static final long RETRANSMISSION_NS = TimeUnit.MINUTES.toNanos(50);
    private static final long PATH_VALIDATION_NS = TimeUnit.MINUTES.toNanos(40);

    private FootprintScenario() {
    }

    static void run(Options options, Supplier<IdleTimeouts> factory, Recorder out) {
        int loopCount = options.integer("event-loops");
        for (int connectionCount : options.integers("footprint-connections")) {
            DefaultEventLoopGroup group = new DefaultEventLoopGroup(loopCount, NamedThreads.factory("fp-loop"));
            IdleTimeouts timeouts = factory.get();
            try {
                EventLoop[] loops = new EventLoop[loopCount];
                IdleTimeouts.Connection[][] connections = new IdleTimeouts.Connection[loopCount][];
                IdleTimeouts.Connection[][] warmUp = new IdleTimeouts.Connection[loopCount][];
                for (int l = 0; l < loopCount; l++) {
                    loops[l] = group.next();
                    connections[l] = new IdleTimeouts.Connection[IdleTimeouts.share(connectionCount, loopCount, l)];
                    warmUp[l] = new IdleTimeouts.Connection[IdleTimeouts.share(1, loopCount, l)];
                }
                // The loops' threads, the timer's thread and its lazily built parts exist before the baseline.
                openAll(loops, timeouts, warmUp);
                timeouts.awaitCaughtUp(60_000);
                long beforeBytes = Probes.usedHeapAfterGc();
                openAll(loops, timeouts, connections);
                timeouts.awaitCaughtUp(600_000);
                long afterBytes = Probes.usedHeapAfterGc();
                double bytesPerConnection = (double) (afterBytes - beforeBytes) / connectionCount;
                out.result(NAME, "connections=" + connectionCount, "bytes_per_connection", "bytes",
                        new double[] {bytesPerConnection});
                out.result(NAME, "connections=" + connectionCount, "heap_mib", "MiB",
                        new double[] {(afterBytes - beforeBytes) / (1024.0 * 1024.0)});
                // Keeps the connections reachable until measured.
                java.lang.ref.Reference.reachabilityFence(connections);
            } finally {
                timeouts.close();
                group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(30_000);
            }
        }
    }

    /** Fills {@code into}: each connection with its three timeouts, on its own loop. */
    private static void openAll(EventLoop[] loops, IdleTimeouts timeouts, IdleTimeouts.Connection[][] into) {
        IdleTimeouts.openOnLoops(loops, into,
                loop -> timeouts.openWithThreeTimeouts(loop, IDLE_NS, RETRANSMISSION_NS, PATH_VALIDATION_NS), 600_000);
    }
}
