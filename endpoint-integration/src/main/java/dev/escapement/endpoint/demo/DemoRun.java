package dev.escapement.endpoint.demo;

import dev.escapement.GlobalTimer;
import dev.escapement.endpoint.Endpoint;
import dev.escapement.endpoint.EndpointStats;
import dev.escapement.endpoint.SimulatedLink;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * One run of the demo: a server endpoint that echoes, a client slot per connection (each its own
 * endpoint and port), all on one global timer and a small event-loop group; a progress line each
 * second; then the drain, the report and the verdict.
 *
 * <p>Driven by the main thread; the slots and sessions run on the event loops.
 */
final class DemoRun {

    /** The protocol's timeouts for the demo: short, so that what times out does so within the run. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** The first RTO (the handshake's), unless the smallest RTO is set higher. */
    static final Duration INITIAL_RTO = Duration.ofMillis(500);
    /** The largest RTO, unless the smallest is set higher. */
    static final Duration MAX_RTO = Duration.ofSeconds(2);
    static final int MAX_RETRANSMISSIONS = 8;

    /** How long the connections get to finish after the traffic stops, then how long after being told to. */
    private static final Duration DRAIN = Duration.ofSeconds(15);
    private static final Duration STOP = Duration.ofSeconds(10);
    private static final Duration FIRST_CONNECTIONS_SPREAD = Duration.ofSeconds(1);

    private final DemoOptions options;
    private final Duration minRto;
    private final Duration initialRto;
    private final Duration maxRto;
    private final PrintStream out;
    private final Ledger ledger = new Ledger();
    private final AtomicInteger slotsRunning = new AtomicInteger();
    private volatile boolean stopping;

    DemoRun(DemoOptions options, PrintStream out) {
        this.options = options;
        this.minRto = Duration.ofMillis(options.minRtoMs());
        this.initialRto = max(INITIAL_RTO, minRto);
        this.maxRto = max(MAX_RTO, minRto);
        this.out = out;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    Ledger ledger() {
        return ledger;
    }

    boolean isStopping() {
        return stopping;
    }

    void slotFinished() {
        slotsRunning.decrementAndGet();
    }

    /**
     * Runs the demo and prints as it goes.
     *
     * @return true if the verdict is that nothing was lost silently and nothing was left behind
     */
    boolean run() throws InterruptedException {
        long startNs = System.nanoTime();
        int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        GlobalTimer timer = GlobalTimer.builder().threadName("escapement-demo-timer").build();
        List<Endpoint> clients = new ArrayList<>();
        Endpoint server = null;
        try {
            SimulatedLink link = new SimulatedLink(options.lossRate(), Duration.ofMillis(options.delayMs()),
                    Duration.ofMillis(options.jitterMs()));
            server = configure(Endpoint.builder(group), timer, link, options.seed())
                    .accept(() -> new EchoSession(ledger)).build();
            out.println("Escapement endpoint demo: " + options.describe());
            out.println("  a server on " + server.localAddress() + " echoes; each client connection sends numbered frames,");
            out.println("  checks the echoes and closes after 2-6 s, and the next one opens; 1 in 10 moves to a new port.");
            out.printf("  timeouts: idle %d s, connection %d s, RTO %d ms at first (%d to %d ms), %d retransmissions at most%n%n",
                    IDLE_TIMEOUT.toSeconds(), CONNECTION_TIMEOUT.toSeconds(), initialRto.toMillis(), minRto.toMillis(),
                    maxRto.toMillis(), MAX_RETRANSMISSIONS);

            List<ClientSlot> slots = new ArrayList<>();
            for (int i = 0; i < options.connections(); i++) {
                Endpoint client = configure(Endpoint.builder(group), timer, link, options.seed() + 1 + i).build();
                clients.add(client);
                slots.add(new ClientSlot(client, server.localAddress(), this, options.seed() * 31 + i));
            }
            slotsRunning.set(slots.size());
            for (int i = 0; i < slots.size(); i++) {
                slots.get(i).start(FIRST_CONNECTIONS_SPREAD.toMillis() * i / slots.size());
            }

            Progress progress = new Progress(out, startNs, server, clients, timer);
            progress.every(Duration.ofSeconds(options.durationSeconds()), () -> false);
            stopping = true;
            boolean drained = progress.every(DRAIN, () -> slotsRunning.get() == 0);
            if (!drained) {
                out.println("  (connections still open after " + DRAIN.toSeconds() + " s of drain: closing them, reported unfinished)");
                slots.forEach(ClientSlot::stopNow);
                progress.every(STOP, () -> slotsRunning.get() == 0);
            }
            Endpoint finalServer = server;
            progress.every(STOP, () -> finalServer.connectionCount() == 0);

            // Whatever is still open closes with the endpoints; then the timer must hold nothing.
            clients.forEach(Endpoint::close);
            server.close();
            awaitPass(timer);
            EndpointStats total = total(server, clients);
            Histogram rtt = new Histogram(2);
            Histogram rto = new Histogram(2);
            for (Endpoint endpoint : endpointsOf(server, clients)) {
                rtt.add(endpoint.rttHistogram());
                rto.add(endpoint.rtoHistogram());
            }
            DemoReport report = new DemoReport(out, options, System.nanoTime() - startNs);
            return report.print(total, server.stats(), ledger, rtt, rto, timer.stats());
        } finally {
            clients.forEach(Endpoint::close);
            if (server != null) {
                server.close();
            }
            timer.stop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private Endpoint.Builder configure(Endpoint.Builder builder, GlobalTimer timer, SimulatedLink link, long seed) {
        return builder.timer(timer).simulatedLink(link).seed(seed)
                .idleTimeout(IDLE_TIMEOUT).connectionTimeout(CONNECTION_TIMEOUT)
                .rto(initialRto, minRto, maxRto).maxRetransmissions(MAX_RETRANSMISSIONS);
    }

    /**
     * Waits until the timer has had a pass with nothing pending: a cancel only queues a command,
     * and the timer thread applies it on its next pass (a zero-delay timer provokes one).
     */
    private static void awaitPass(GlobalTimer timer) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            timer.scheduleNotify(0, TimeUnit.NANOSECONDS).completion().join();
            if (timer.stats().pending() == 0) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() - deadlineNs < 0);
    }

    static List<Endpoint> endpointsOf(Endpoint server, List<Endpoint> clients) {
        List<Endpoint> all = new ArrayList<>(clients);
        all.add(server);
        return all;
    }

    static EndpointStats total(Endpoint server, List<Endpoint> clients) {
        EndpointStats total = server.stats();
        for (Endpoint client : clients) {
            total = total.plus(client.stats());
        }
        return total;
    }

    /** The progress line, once a second, on the main thread. */
    private static final class Progress {

        private final PrintStream out;
        private final long startNs;
        private final Endpoint server;
        private final List<Endpoint> clients;
        private final GlobalTimer timer;
        private long nextLineNs;

        Progress(PrintStream out, long startNs, Endpoint server, List<Endpoint> clients, GlobalTimer timer) {
            this.out = out;
            this.startNs = startNs;
            this.server = server;
            this.clients = clients;
            this.timer = timer;
            this.nextLineNs = startNs + TimeUnit.SECONDS.toNanos(1);
        }

        /**
         * Prints a line each second for {@code duration}, or until {@code done} holds.
         *
         * @return true if {@code done} came to hold
         */
        boolean every(Duration duration, java.util.function.BooleanSupplier done) throws InterruptedException {
            long endNs = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() - endNs < 0) {
                if (done.getAsBoolean()) {
                    return true;
                }
                long sleepNs = Math.min(nextLineNs, endNs) - System.nanoTime();
                if (sleepNs > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(sleepNs, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                if (System.nanoTime() - nextLineNs >= 0) {
                    print();
                    nextLineNs += TimeUnit.SECONDS.toNanos(1);
                }
            }
            return done.getAsBoolean();
        }

        private void print() {
            EndpointStats serverStats = server.stats();
            EndpointStats total = total(server, clients);
            out.println(DemoReport.progressLine(System.nanoTime() - startNs, total.connectionsOpen() - serverStats.connectionsOpen(),
                    serverStats.connectionsOpen(), total, timer.stats()));
        }
    }
}
