package dev.escapement.endpoint.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.TimerStats;
import dev.escapement.endpoint.CloseReason;
import dev.escapement.endpoint.EndpointStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The demo in-process: short runs that must pass, and a verdict that must fail. */
class EndpointDemoTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aShortLossyRunDeliversOrReportsEveryFrameAndLeavesNothingBehind() throws Exception {
        int status = EndpointDemo.run(new String[] {"--connections", "20", "--duration", "3", "--loss", "0.1", "--seed", "7"},
                out, err);
        assertThat(status).as(out()).isZero();
        assertThat(out()).contains("Escapement endpoint demo: 20 connections, 3 s of traffic, 10.0 % loss each way")
                .contains("[  1 s] open").contains("Final report after").contains("  RTO           p50 ")
                .contains("  lateness      p50 ")
                .contains("[ok]   every frame delivered once and in order, or its connection reported failed")
                .contains("[ok]   nothing left behind: 0 timers pending, 0 connections registered with the timer, 0 open")
                .contains("RESULT: OK")
                .doesNotContain("lossless");
        assertThat(out()).containsPattern("retransmitted [1-9][0-9,]* \\(");
    }

    @Test
    void aLosslessRunRetransmitsNothing() throws Exception {
        // An RTO floor of 2 s: a retransmission would need a 2 s stall of this machine, not a lost datagram.
        int status = EndpointDemo.run(new String[] {"--connections", "10", "--duration", "2", "--loss", "0",
            "--min-rto", "2000"}, out, err);
        assertThat(status).as(out()).isZero();
        assertThat(out()).contains("[ok]   a lossless link: no retransmission (0) and no failed connection (0)")
                .contains("RESULT: OK");
    }

    @Test
    void aViolationFailsTheRun() {
        Ledger ledger = new Ledger();
        ledger.record(new Ledger.ClientRecord(1, 101, 10, 10, 0, CloseReason.CLOSED_LOCALLY, true, false));
        ledger.record(new Ledger.ServerRecord(101, 1, 9, 10, 0, 0, CloseReason.CLOSED_BY_PEER));
        TimerStats quiet = new TimerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new long[1], 0, 0, 0, 0, 0);
        DemoReport report = new DemoReport(out, DemoOptions.DEFAULTS, 1_000_000_000L);
        boolean ok = report.print(EndpointStats.zero(), EndpointStats.zero(), ledger, new Histogram(2), new Histogram(2), quiet);
        assertThat(ok).isFalse();
        assertThat(out()).contains("[FAIL] every frame delivered once and in order")
                .contains("connection 1 completed, but of 10 frames the server got 9").contains("RESULT: FAILED");
    }

    @Test
    void aBadCommandLineExitsWithUsage() throws Exception {
        assertThat(EndpointDemo.run(new String[] {"--loss", "2"}, out, err)).isEqualTo(EndpointDemo.USAGE);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).startsWith("--loss must be between 0 and 1: 2")
                .contains("Usage: EndpointDemo");
        assertThat(EndpointDemo.run(new String[] {"--help"}, out, err)).isZero();
        assertThat(out()).startsWith("Usage: EndpointDemo");
    }
}
