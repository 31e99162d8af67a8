package dev.escapement.perf.compare;

import static dev.escapement.perf.compare.Contender.CONN_ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.CONN_ESCAPEMENT_HELD;
import static dev.escapement.perf.compare.Contender.CONN_NETTY_WAY;
import static dev.escapement.perf.compare.Contender.CORE_AGRONA;
import static dev.escapement.perf.compare.Contender.CORE_ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT_100US;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT_ID;
import static dev.escapement.perf.compare.Contender.ESCAPEMENT_NETTY_TIMER;
import static dev.escapement.perf.compare.Contender.JDK_EXECUTOR;
import static dev.escapement.perf.compare.Contender.NETTY_EXECUTOR;
import static dev.escapement.perf.compare.Contender.NETTY_WHEEL_1MS;
import static dev.escapement.perf.compare.Contender.RC_ESCAPEMENT;
import static dev.escapement.perf.compare.Contender.RC_NETTY;
import static dev.escapement.perf.compare.Contender.RC_NONE;

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
        footprint(results, checks);
        realChannels(results, checks);
        core(results, checks);
        return checks;
    }

    private static void churn(Results results, List<Check> checks) {
        for (String config : results.configs(ChurnScenario.NAME)) {
            String where = "churn " + config.replace(',', ' ');
            double netty = results.median(ChurnScenario.NAME, NETTY_WHEEL_1MS, config, "pairs_per_s");
            atLeast(checks, where, "handle path >= 2x netty-wheel-1ms",
                    results.median(ChurnScenario.NAME, ESCAPEMENT, config, "pairs_per_s"), netty, 2.0);
            atLeast(checks, where, "id path >= 2.5x netty-wheel-1ms",
                    results.median(ChurnScenario.NAME, ESCAPEMENT_ID, config, "pairs_per_s"), netty, 2.5);
            atLeast(checks, where, "EscapementTimer >= 1.5x netty-wheel-1ms",
                    results.median(ChurnScenario.NAME, ESCAPEMENT_NETTY_TIMER, config, "pairs_per_s"), netty, 1.5);
            for (String contender : new String[] {ESCAPEMENT, ESCAPEMENT_ID, ESCAPEMENT_NETTY_TIMER}) {
                Optional<Results.Measurement> pairs = results.find(ChurnScenario.NAME, contender, config, "pairs_per_s");
                double steadiness = pairs.map(m -> m.min() / m.median()).orElse(Double.NaN);
                if (Double.isNaN(steadiness)) {
                    checks.add(new Check(where, contender + ": slowest iteration >= 0.8x the median", "-", Verdict.NOT_MEASURED, ""));
                } else {
                    checks.add(new Check(where, contender + ": slowest iteration >= 0.8x the median", Report.ratio(steadiness),
                            steadiness >= 0.8 ? Verdict.MET : Verdict.MISSED,
                            steadiness >= 0.8 ? "" : "the slowest iteration ran at " + Report.percent(steadiness) + " of the median"));
                }
            }
        }
    }

    private static void atLeast(List<Check> checks, String area, String target, double ours, double theirs, double factor) {
        atLeast(checks, area, target, ours, theirs, factor, "pairs/s");
    }

    private static void atLeast(List<Check> checks, String area, String target, double ours, double theirs, double factor,
                                String unit) {
        double ratio = ours / theirs;
        String measured = Report.ratio(ratio) + " (" + Report.number(ours) + " vs " + Report.number(theirs) + " " + unit + ")";
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
        double adapter = results.median(MemoryScenario.NAME, ESCAPEMENT_NETTY_TIMER, config, "bytes_per_timer");
        double id = results.median(MemoryScenario.NAME, ESCAPEMENT_ID, config, "bytes_per_timer");
        String area = "memory " + config;
        atMost(checks, area, "handle path <= 48 bytes per timer, handle included", handle, 48, Report.number(handle) + " B");
        atMost(checks, area, "EscapementTimer <= netty-wheel-1ms bytes per timer", adapter, netty,
                Report.number(adapter) + " vs " + Report.number(netty) + " B");
        atMost(checks, area, "id path <= 24 bytes per timer", id, 24, Report.number(id) + " B");
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
        double p50 = results.median(LatenessScenario.NAME, ESCAPEMENT, config, "p50_us");
        atMost(checks, area, "1 ms tick: p50 <= 0.6 ms", p50, 600, Report.number(p50) + " µs");
        double p99 = results.median(LatenessScenario.NAME, ESCAPEMENT, config, "p99_us");
        atMost(checks, area, "1 ms tick: p99 <= 1.2 ms", p99, 1200, Report.number(p99) + " µs");
        for (String metric : new String[] {"p50_us", "p99_us"}) {
            double fine = results.median(LatenessScenario.NAME, ESCAPEMENT_100US, config, metric);
            double heap = results.median(LatenessScenario.NAME, NETTY_EXECUTOR, config, metric);
            atMost(checks, area, "100 µs tick: " + metric.replace("_us", "") + " <= netty-executor's", fine, heap,
                    Report.number(fine) + " vs " + Report.number(heap) + " µs");
        }
    }

    private static void expiry(Results results, List<Check> checks) {
        String config = results.configs(ExpiryScenario.NAME).stream().findFirst().orElse("");
        String area = "expiry " + config;
        double netty = results.median(ExpiryScenario.NAME, NETTY_WHEEL_1MS, config, "schedule_ms");
        for (String contender : new String[] {ESCAPEMENT, ESCAPEMENT_ID}) {
            double scheduleMs = results.median(ExpiryScenario.NAME, contender, config, "schedule_ms");
            atMost(checks, area, contender + ": scheduling takes <= 0.5x netty-wheel-1ms's time", scheduleMs, netty / 2,
                    Report.number(scheduleMs) + " vs " + Report.number(netty) + " ms");
            Optional<Results.Measurement> done = results.find(ExpiryScenario.NAME, contender, config, "done_after_last_deadline_ms");
            double median = done.map(Results.Measurement::median).orElse(Double.NaN);
            double worst = done.map(Results.Measurement::max).orElse(Double.NaN);
            atMost(checks, area, contender + ": all fired within 5 ms of the last deadline",
                    median, 5, Report.number(median) + " ms (median; worst iteration " + Report.number(worst) + " ms)");
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
        List<String> configs = new ArrayList<>(results.configs(ConnectionsScenario.NAME));
        if (configs.isEmpty()) {
            configs.add("");
        }
        for (String config : configs) {
            String where = "connections " + config.replaceAll(",.*", "");
            double netty = results.median(ConnectionsScenario.NAME, CONN_NETTY_WAY, config, "packets_per_s");
            atLeast(checks, where, "packets/s >= 1.0x the Netty way",
                    results.median(ConnectionsScenario.NAME, CONN_ESCAPEMENT, config, "packets_per_s"), netty, 1.0, "packets/s");
            atLeast(checks, where, CONN_ESCAPEMENT_HELD + ": packets/s >= 1.0x the Netty way",
                    results.median(ConnectionsScenario.NAME, CONN_ESCAPEMENT_HELD, config, "packets_per_s"), netty, 1.0,
                    "packets/s");
            double bytes = results.median(ConnectionsScenario.NAME, CONN_ESCAPEMENT, config, "bytes_per_packet");
            // Re-arms allocate a little on the event loop's task queue; the reset itself allocates nothing.
            atMost(checks, where, "no allocation per idle reset (< 1 byte per packet, all threads)", bytes, 1,
                    Report.number(bytes) + " B per packet");
        }
    }

    private static void footprint(Results results, List<Check> checks) {
        List<String> configs = new ArrayList<>(results.configs(FootprintScenario.NAME));
        if (configs.isEmpty()) {
            checks.add(new Check("footprint", "heap per connection with three timeouts", "-", Verdict.NOT_MEASURED, ""));
            return;
        }
        for (String config : configs) {
            String where = "footprint " + config;
            double netty = results.median(FootprintScenario.NAME, CONN_NETTY_WAY, config, "bytes_per_connection");
            for (String contender : new String[] {CONN_ESCAPEMENT, CONN_ESCAPEMENT_HELD}) {
                double ours = results.median(FootprintScenario.NAME, contender, config, "bytes_per_connection");
                atMost(checks, where, contender + ": <= 100 bytes per connection", ours, 100,
                        Report.number(ours) + " B per connection");
                atMost(checks, where, contender + ": <= 0.5x the Netty way's bytes", ours, netty * 0.5,
                        Report.number(ours) + " vs " + Report.number(netty) + " B (" + Report.ratio(ours / netty) + ")");
            }
        }
    }

    private static void realChannels(Results results, List<Check> checks) {
        String scenario = RealChannelsScenario.NAME;
        List<String> configs = new ArrayList<>(results.configs(scenario));
        if (configs.isEmpty()) {
            checks.add(new Check("realchannels", "idle handlers on real channels", "-", Verdict.NOT_MEASURED, ""));
            return;
        }
        for (String config : configs) {
            String where = "realchannels " + config.replace(',', ' ');
            double exceptions = results.median(scenario, RC_ESCAPEMENT, config, "exceptions");
            atMost(checks, where, "no exception from any handler", exceptions, 0, Report.number(exceptions) + " exceptions");
            boolean paced = config.endsWith("paced");
            double factor = paced && config.startsWith("connections=1000,") ? 1.0 : paced ? 2.0 : Double.NaN;
            if (!Double.isNaN(factor)) {
                for (String metric : new String[] {"lateness_p50_ms", "lateness_p99_ms"}) {
                    double ours = results.median(scenario, RC_ESCAPEMENT, config, metric);
                    double netty = results.median(scenario, RC_NETTY, config, metric);
                    atMost(checks, where, metric + " <= " + Report.number(factor) + "x Netty's", ours, netty * factor,
                            Report.number(ours) + " vs " + Report.number(netty) + " ms");
                }
            }
            double baseline = results.median(scenario, RC_NONE, config, "heap_bytes_per_channel");
            double oursHeap = results.median(scenario, RC_ESCAPEMENT, config, "heap_bytes_per_channel") - baseline;
            double nettyHeap = results.median(scenario, RC_NETTY, config, "heap_bytes_per_channel") - baseline;
            atMost(checks, where, "handler heap per channel <= 0.5x Netty's", oursHeap, nettyHeap * 0.5,
                    Report.number(oursHeap) + " vs " + Report.number(nettyHeap) + " B beyond the channel");
            double oursRate = results.median(scenario, RC_ESCAPEMENT, config, "messages_per_s");
            double nettyRate = results.median(scenario, RC_NETTY, config, "messages_per_s");
            atLeast(checks, where, "messages/s >= 0.95x Netty's", oursRate, nettyRate, 0.95, "messages/s");
            double oursCpu = results.median(scenario, RC_ESCAPEMENT, config, "cpu_ns_per_message");
            double nettyCpu = results.median(scenario, RC_NETTY, config, "cpu_ns_per_message");
            atMost(checks, where, "CPU per message <= 1.05x Netty's", oursCpu, nettyCpu * 1.05,
                    Report.number(oursCpu) + " vs " + Report.number(nettyCpu) + " ns");
        }
    }

    private static void core(Results results, List<Check> checks) {
        List<String> configs = new ArrayList<>(results.configs(CoreScenario.NAME));
        if (configs.isEmpty()) {
            checks.add(new Check("core", "the wheel alone", "-", Verdict.NOT_MEASURED, ""));
            return;
        }
        String smallest = configs.get(0);
        String largest = configs.get(configs.size() - 1);
        String million = configs.stream().filter(c -> c.equals("pending=1000000")).findFirst()
                .orElse(configs.get(configs.size() / 2));
        atLeast(checks, "core " + smallest, ">= Agrona DeadlineTimerWheel",
                results.median(CoreScenario.NAME, CORE_ESCAPEMENT, smallest, "pairs_per_s"),
                results.median(CoreScenario.NAME, CORE_AGRONA, smallest, "pairs_per_s"), 1.0);
        atLeast(checks, "core " + million, ">= 2x Agrona DeadlineTimerWheel",
                results.median(CoreScenario.NAME, CORE_ESCAPEMENT, million, "pairs_per_s"),
                results.median(CoreScenario.NAME, CORE_AGRONA, million, "pairs_per_s"), 2.0);
        double share = results.median(CoreScenario.NAME, CORE_ESCAPEMENT, largest, "pairs_per_s")
                / results.median(CoreScenario.NAME, CORE_ESCAPEMENT, smallest, "pairs_per_s");
        if (Double.isNaN(share)) {
            checks.add(new Check("core " + largest, ">= 90% of its own " + smallest + " figure", "-", Verdict.NOT_MEASURED, ""));
        } else {
            checks.add(new Check("core " + largest, ">= 90% of its own " + smallest + " figure",
                    Report.percent(share), share >= 0.9 ? Verdict.MET : Verdict.MISSED,
                    share >= 0.9 ? "" : Report.percent(0.9 - share) + " short"));
        }
    }
}
