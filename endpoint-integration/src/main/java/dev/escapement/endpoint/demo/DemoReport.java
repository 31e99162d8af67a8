package dev.escapement.endpoint.demo;

import dev.escapement.TimerStats;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.endpoint.CloseReason;
import dev.escapement.endpoint.EndpointStats;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The demo's output: the progress line and the final report with its verdict.
 *
 * <p>Not thread-safe: used by the main thread.
 */
final class DemoReport {

    private final PrintStream out;
    private final DemoOptions options;
    private final long elapsedNs;

    DemoReport(PrintStream out, DemoOptions options, long elapsedNs) {
        this.out = out;
        this.options = options;
        this.elapsedNs = elapsedNs;
    }

    static String progressLine(long elapsedNs, long clientsOpen, long serverOpen, EndpointStats total, TimerStats timer) {
        return String.format(Locale.ROOT,
                "[%3d s] open %,5d clients %,5d server | frames sent %,9d acked %,9d | retransmitted %,7d"
                        + " | timeouts idle %,d connection %,d path %,d rto %,d | timers pending %,d",
                Math.round(elapsedNs / 1e9), clientsOpen, serverOpen, total.framesSent(), total.framesAcked(),
                total.framesRetransmitted(), total.timeouts(TimeoutEvent.IDLE), total.timeouts(TimeoutEvent.CONNECTION),
                total.timeouts(TimeoutEvent.PATH_VALIDATION), total.timeouts(TimeoutEvent.RETRANSMISSION), timer.pending());
    }

    /**
     * Prints the report and the verdict.
     *
     * @return true if every check passed
     */
    boolean print(EndpointStats total, EndpointStats server, Ledger ledger, Histogram rtt, Histogram rto, TimerStats timer) {
        Ledger.Verdict verdict = ledger.verify();
        long clientConnections = total.connectionsOpened() - server.connectionsOpened();
        out.printf(Locale.ROOT, "%nFinal report after %.1f s%n", elapsedNs / 1e9);
        out.printf(Locale.ROOT, "  connections   %,d client connections: %,d completed, %,d failed%s%n", clientConnections,
                verdict.completed(), verdict.failedTotal(), verdict.failed().isEmpty() ? "" : " " + new TreeMap<>(verdict.failed()));
        out.printf(Locale.ROOT, "                %,d server connections closed: %s%n", server.connectionsClosed(),
                closes(server));
        out.printf(Locale.ROOT, "                %,d moved to a new port: path validations %,d started, %,d validated, %,d timed out%n",
                ledger.migrations(), total.pathValidationsStarted(), total.pathValidationsSucceeded(),
                total.pathValidationsFailed());
        out.printf(Locale.ROOT, "  frames        sent %,d (%,d by clients, %,d echoes), acked %,d, delivered %,d%n",
                total.framesSent(), total.framesSent() - server.framesSent(), server.framesSent(), total.framesAcked(),
                total.framesDelivered());
        out.printf(Locale.ROOT, "                retransmitted %,d (%.2f %% of frames sent), duplicates received %,d, held out of order %,d%n",
                total.framesRetransmitted(), percent(total.framesRetransmitted(), total.framesSent()),
                total.duplicateFrames(), total.framesHeldOutOfOrder());
        out.printf(Locale.ROOT, "  timeouts      idle %,d, connection %,d, path validation %,d, retransmission %,d%n",
                total.timeouts(TimeoutEvent.IDLE), total.timeouts(TimeoutEvent.CONNECTION),
                total.timeouts(TimeoutEvent.PATH_VALIDATION), total.timeouts(TimeoutEvent.RETRANSMISSION));
        out.printf(Locale.ROOT, "  datagrams     sent %,d, received %,d, dropped by the simulated link %,d, bad %,d, late %,d%n",
                total.datagramsSent(), total.datagramsReceived(), total.datagramsDroppedByLink(), total.badDatagrams(),
                total.latePackets());
        out.printf(Locale.ROOT, "  RTT           %s%n", percentiles(rtt));
        out.printf(Locale.ROOT, "  RTO           %s%n", percentiles(rto));
        out.printf(Locale.ROOT, "  global timer  scheduled %,d, fired %,d, cancelled %,d, pending %,d, connections registered %,d%n",
                timer.scheduled(), timer.fired(), timer.cancelled(), timer.pending(), timer.activeConnections());
        out.printf(Locale.ROOT, "                passes %,d, parks %,d, wake-ups %,d, cascades %,d %s%n",
                timer.passes(), timer.parks(), timer.wakeups(), timer.cascades(), trimmed(timer.cascadesPerLevel()));
        out.printf(Locale.ROOT, "  lateness      p50 %s, p99 %s, p99.9 %s, max %s over %,d expiries%n",
                duration(timer.latenessP50Ns()), duration(timer.latenessP99Ns()), duration(timer.latenessP999Ns()),
                duration(timer.latenessMaxNs()), timer.latenessSamples());

        out.println("Verification");
        boolean ok = check(verdict.violations().isEmpty(), String.format(Locale.ROOT,
                "every frame delivered once and in order, or its connection reported failed (%,d delivered; %,d unconfirmed on %,d failed connections)",
                verdict.framesDelivered(), verdict.framesUnconfirmed(), verdict.failedTotal()));
        verdict.violations().stream().limit(10).forEach(violation -> out.println("         " + violation));
        if (options.lossRate() == 0) {
            ok &= check(total.framesRetransmitted() == 0 && verdict.failedTotal() == 0,
                    "a lossless link: no retransmission (" + total.framesRetransmitted() + ") and no failed connection ("
                            + verdict.failedTotal() + ")");
        }
        ok &= check(total.handlerFailures() == 0 && total.applicationFailures() == 0,
                "no endpoint failure (handler " + total.handlerFailures() + ", application " + total.applicationFailures() + ")");
        ok &= check(timer.pending() == 0 && timer.activeConnections() == 0 && total.connectionsOpen() == 0,
                "nothing left behind: " + timer.pending() + " timers pending, " + timer.activeConnections()
                        + " connections registered with the timer, " + total.connectionsOpen() + " open");
        out.println(ok ? "RESULT: OK" : "RESULT: FAILED");
        return ok;
    }

    private boolean check(boolean passed, String what) {
        out.println((passed ? "  [ok]   " : "  [FAIL] ") + what);
        return passed;
    }

    private static String closes(EndpointStats stats) {
        return Arrays.stream(CloseReason.values()).filter(reason -> stats.closed(reason) > 0)
                .map(reason -> String.format(Locale.ROOT, "%s %,d", reason.toString().toLowerCase(Locale.ROOT).replace('_', ' '),
                        stats.closed(reason)))
                .collect(Collectors.joining(", "));
    }

    private static String percentiles(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %s, p90 %s, p99 %s, max %s over %,d values",
                duration(histogram.getValueAtPercentile(50)), duration(histogram.getValueAtPercentile(90)),
                duration(histogram.getValueAtPercentile(99)), duration(histogram.getMaxValue()), histogram.getTotalCount());
    }

    private static String trimmed(long[] perLevel) {
        int last = perLevel.length;
        while (last > 1 && perLevel[last - 1] == 0) {
            last--;
        }
        return "(per level " + Arrays.toString(Arrays.copyOf(perLevel, last)) + ")";
    }

    static String duration(long nanos) {
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
        }
        if (nanos < 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }
}
