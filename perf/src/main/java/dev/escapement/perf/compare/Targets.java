package dev.escapement.perf.compare;

import static dev.escapement.perf.compare.Contender.CONN_ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.CONN_NETTY_WAY;
import static dev.escapement.perf.compare.Contender.CORE_AGRONA;
import static dev.escapement.perf.compare.Contender.CORE_ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT_100US;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT_ID;
import static dev.escapement.perf.compare.Contender.JDK_EXECUTOR;
import static dev.escapement.perf.compare.Contender.NETTY_EXECUTOR;
import static dev.escapement.perf.compare.Contender.NETTY_WHEEL_1MS;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The targets, checked against the medians of one run. Each check says what was required,
 * what was measured, and whether it was met; a missed check says by how much.
 *
 * <p>Thread-safety: stateless.
 */
final class Targets {

    /** Met, missed, or not measured in this run. */
    enum Verdict { MET, MISSED, NOT_MEASURED }

    /**
     * @param area     the scenario
     * @param target   what is required
     * @param measured what the run measured
     * @param verdict  the outcome
     * @param shortfall for a miss: by how much, in words
     */
    record Check(String area, String target, String measured, Verdict verdict, String shortfall) {
    }

    private Targets() {
    }

    static List<Check> evaluate(Results results) {
        List<Check> checks = new ArrayList<>();
        churn(results, checks);
        memory(results, checks);
        lateness(results, checks);
        expiry(results, checks);
        idle(results, checks);
        connections(results, checks);
        core(results, checks);
        return checks;
    }

    private static void churn(Results results, List<Check> checks) {
        Optional<Integer> largest = results.configs(ChurnScenario.NAME).stream()
                .map(c -> Integer.parseInt(c.replaceAll("pending=(\\d+),.*", "$1"))).max(Comparator.naturalOrder());
        for (int producers : new int[] {1, 2}) {
            String config = largest.map(p -> ChurnScenario.config(p, producers)).orElse("");
            double escapement = results.median(ChurnScenario.NAME, ESCAPEMENT, config, "pairs_per_s");
            double idPath = results.median(ChurnScenario.NAME, ESCAPEMENT_ID, config, "pairs_per_s");
            String where = "churn " + config.replace(',', ' ');
            atLeast(checks, where, "handle path >= 2x netty-wheel-1ms", escapement,
                    results.median(ChurnScenario.NAME, NETTY_WHEEL_1MS, config, "pairs_per_s"), 2.0, idPath);
            atLeast(checks, where, "handle path >= 3x jdk-executor", escapement,
                    results.median(ChurnScenario.NAME, JDK_EXECUTOR, config, "pairs_per_s"), 3.0, idPath);
            atLeast(checks, where, "handle path >= 3x netty-executor", escapement,
                    results.median(ChurnScenario.NAME, NETTY_EXECUTOR, config, "pairs_per_s"), 3.0, idPath);
        }
    }

    private static void atLeast(List<Check> checks, String area, String target, double ours, double theirs, double factor,
                                double idPath) {
        atLeast(checks, area, target, ours, theirs, factor, idPath, "pairs/s");
    }

    private static void atLeast(List<Check> checks, String area, String target, double ours, double theirs, double factor,
                                double idPath, String unit) {
        double ratio = ours / theirs;
        String measured = Report.ratio(ratio) + " (" + Report.number(ours) + " vs " + Report.number(theirs) + " " + unit + ")"
                + (Double.isNaN(idPath) ? "" : "; id path " + Report.ratio(idPath / theirs));
        if (Double.isNaN(ratio)) {
            checks.add(new Check(area, target, "-", Verdict.NOT_MEASURED, ""));
        } else if (ratio >= factor) {
            checks.add(new Check(area, target, measured, Verdict.MET, ""));
        } else {
            checks.add(new Check(area, target, measured, Verdict.MISSED,
                    "reaches " + Report.percent(ratio / factor) + " of the required " + Report.ratio(factor)));
        }
    }

    private static void memory(Results results, List<Check> checks) {
        String config = results.configs(MemoryScenario.NAME).stream().findFirst().orElse("");
        double handle = results.median(MemoryScenario.NAME, ESCAPEMENT, config, "bytes_per_timer");
        double netty = results.median(MemoryScenario.NAME, NETTY_WHEEL_1MS, config, "bytes_per_timer");
        double id = results.median(MemoryScenario.NAME, ESCAPEMENT_ID, config, "bytes_per_timer");
        atMost(checks, "memory " + config, "handle path <= half of netty-wheel-1ms bytes per timer",
                handle, netty / 2, Report.number(handle) + " vs " + Report.number(netty) + " B (limit " + Report.number(netty / 2) + " B)");
        atMost(checks, "memory " + config, "id path <= 32 bytes per timer", id, 32, Report.number(id) + " B");
    }

    private static void atMost(List<Check> checks, String area, String target, double value, double limit, String measured) {
        if (Double.isNaN(value) || Double.isNaN(limit)) {
            checks.add(new Check(area, target, "-", Verdict.NOT_MEASURED, ""));
        } else if (value <= limit) {
            checks.add(new Check(area, target, measured, Verdict.MET, ""));
        } else {
            checks.add(new Check(area, target, measured, Verdict.MISSED,
                    Report.number(value - limit) + " over (" + Report.percent(value / limit - 1) + " above the limit)"));
        }
    }

    private static void lateness(Results results, List<Check> checks) {
        String config = results.configs(LatenessScenario.NAME).stream().findFirst().orElse("");
        String area = "lateness";
        for (String contender : new String[] {ESCAPEMENT, ESCAPEMENT_ID, ESCAPEMENT_100US}) {
            Optional<Results.Measurement> early = results.find(LatenessScenario.NAME, contender, config, "early_fires");
            double worst = early.map(Results.Measurement::max).orElse(Double.NaN);
            atMost(checks, area, contender + ": zero early fires (every iteration)", worst, 0, Report.number(worst) + " early");
        }
        double p99 = results.median(LatenessScenario.NAME, ESCAPEMENT, config, "p99_us");
        atMost(checks, area, "1 ms tick: p99 <= tick + 0.5 ms", p99, 1500, Report.number(p99) + " µs");
        double nettyP99 = results.median(LatenessScenario.NAME, NETTY_WHEEL_1MS, config, "p99_us");
        atMost(checks, area, "1 ms tick: p99 <= netty-wheel-1ms p99", p99, nettyP99,
                Report.number(p99) + " vs " + Report.number(nettyP99) + " µs");
        for (String metric : new String[] {"p50_us", "p99_us"}) {
            double fine = results.median(LatenessScenario.NAME, ESCAPEMENT_100US, config, metric);
            double heap = results.median(LatenessScenario.NAME, NETTY_EXECUTOR, config, metric);
            atMost(checks, area, "100 µs tick: " + metric.replace("_us", "") + " <= netty-executor's", fine, heap,
                    Report.number(fine) + " vs " + Report.number(heap) + " µs");
        }
    }

    private static void expiry(Results results, List<Check> checks) {
        String config = results.configs(ExpiryScenario.NAME).stream().findFirst().orElse("");
        for (String contender : new String[] {ESCAPEMENT, ESCAPEMENT_ID}) {
            Optional<Results.Measurement> done = results.find(ExpiryScenario.NAME, contender, config, "done_after_last_deadline_ms");
            double median = done.map(Results.Measurement::median).orElse(Double.NaN);
            double worst = done.map(Results.Measurement::max).orElse(Double.NaN);
            atMost(checks, "expiry " + config, contender + ": all fired within 50 ms of the last deadline",
                    median, 50, Report.number(median) + " ms (median; worst iteration " + Report.number(worst) + " ms)");
        }
    }

    private static void idle(Results results, List<Check> checks) {
        String config = results.configs(IdleScenario.NAME).stream().findFirst().orElse("");
        double jdkCpu = results.median(IdleScenario.NAME, JDK_EXECUTOR, config, "cpu_ms_per_10s");
        double jdkWakeups = results.median(IdleScenario.NAME, JDK_EXECUTOR, config, "wakeups_per_s");
        for (String contender : new String[] {ESCAPEMENT, ESCAPEMENT_100US}) {
            double cpu = results.median(IdleScenario.NAME, contender, config, "cpu_ms_per_10s");
            double wakeups = results.median(IdleScenario.NAME, contender, config, "wakeups_per_s");
            // "Indistinguishable": within 1 ms of CPU per 10 s and 1 wake-up per second of the idle JDK executor.
            atMost(checks, "idle " + config, contender + ": CPU within 1 ms per 10 s of jdk-executor's", cpu, jdkCpu + 1,
                    Report.number(cpu) + " vs " + Report.number(jdkCpu) + " ms per 10 s");
            atMost(checks, "idle " + config, contender + ": wake-ups within 1/s of jdk-executor's", wakeups, jdkWakeups + 1,
                    Report.number(wakeups) + " vs " + Report.number(jdkWakeups) + " per s");
        }
    }

    private static void connections(Results results, List<Check> checks) {
        String config = results.configs(ConnectionsScenario.NAME).stream().findFirst().orElse("");
        double ours = results.median(ConnectionsScenario.NAME, CONN_ESCAPEMENT, config, "packets_per_s");
        double netty = results.median(ConnectionsScenario.NAME, CONN_NETTY_WAY, config, "packets_per_s");
        atLeast(checks, "connections", "packets/s >= 3x the Netty way", ours, netty, 3.0, Double.NaN, "packets/s");
        double bytes = results.median(ConnectionsScenario.NAME, CONN_ESCAPEMENT, config, "bytes_per_packet");
        // Re-arms allocate a little on the event loop's task queue; the reset itself allocates nothing.
        atMost(checks, "connections", "no allocation per idle reset (< 1 byte per packet, all threads)", bytes, 1,
                Report.number(bytes) + " B per packet");
    }

    private static void core(Results results, List<Check> checks) {
        List<String> configs = new ArrayList<>(results.configs(CoreScenario.NAME));
        String million = configs.stream().filter(c -> c.equals("pending=1000000")).findFirst()
                .orElse(configs.size() > 1 ? configs.get(configs.size() / 2) : "");
        double ours = results.median(CoreScenario.NAME, CORE_ESCAPEMENT, million, "pairs_per_s");
        double agrona = results.median(CoreScenario.NAME, CORE_AGRONA, million, "pairs_per_s");
        atLeast(checks, "core " + million, ">= 2x Agrona DeadlineTimerWheel", ours, agrona, 2.0, Double.NaN);
        if (!configs.isEmpty()) {
            String smallest = configs.get(0);
            String largest = configs.get(configs.size() - 1);
            double small = results.median(CoreScenario.NAME, CORE_ESCAPEMENT, smallest, "pairs_per_s");
            double large = results.median(CoreScenario.NAME, CORE_ESCAPEMENT, largest, "pairs_per_s");
            double share = large / small;
            if (Double.isNaN(share)) {
                checks.add(new Check("core", "largest population >= 70% of the smallest's", "-", Verdict.NOT_MEASURED, ""));
            } else {
                checks.add(new Check("core " + largest, ">= 70% of its own " + smallest + " figure",
                        Report.percent(share), share >= 0.7 ? Verdict.MET : Verdict.MISSED,
                        share >= 0.7 ? "" : Report.percent(0.7 - share) + " short"));
            }
        }
    }
}
