package dev.escapement.perf.compare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code REPORT.md}: how the run was made, the targets, then per scenario one table per
 * figure (median with the minimum and maximum over the measured iterations, and the ratio to
 * Escapement's median), the charts, the processes' notes and the hand-written analysis.
 *
 * <p>Thread-safety: stateless.
 */
final class Report {

    static final String FILE = "REPORT.md";
    private static final String ANALYSIS = "analysis.md";

    private static final Map<String, String> TITLES = Map.of(
            ChurnScenario.NAME, "1. Churn: schedule + cancel pairs with timers pending",
            MemoryScenario.NAME, "2. Memory: retained heap per pending timer",
            LatenessScenario.NAME, "3. Lateness: fire time minus deadline",
            ExpiryScenario.NAME, "4. Expiry: many timers due in one window",
            IdleScenario.NAME, "5. Idle cost: timers pending an hour out, nothing else",
            ConnectionsScenario.NAME, "6. Connections: an idle timeout reset on every packet",
            FootprintScenario.NAME, "7. Footprint: heap per connection with three timeouts",
            RealChannelsScenario.NAME, "8. Real channels: idle handlers on TCP, server and client in separate JVMs",
            CoreScenario.NAME, "9. Single-thread core: the wheels alone");

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            ChurnScenario.NAME, "Each producer cancels the timeout it scheduled a ring of pairs ago and schedules a new one"
                    + " 1-30 s out, while other timers (60-120 s out) stay pending. An iteration lasts until a zero-delay"
                    + " sentinel scheduled after the producers stop has fired, so queued work is paid for; `catch_up_ms` is"
                    + " that wait. Higher pairs/s is better.",
            MemoryScenario.NAME, "Heap in use after full collections with the timers pending, minus the same before scheduling,"
                    + " divided by the number of timers. Shared task object; the array the scenario keeps handles in is"
                    + " created before the baseline. Lower is better.",
            LatenessScenario.NAME, "Random delays up to the maximum, scheduled from one thread. Deadline = `System.nanoTime()`"
                    + " before the schedule call + delay; lateness = fire time - deadline. `early_fires` counts timers that"
                    + " fired before their deadline. Lower is better.",
            ExpiryScenario.NAME, "Deadlines spread evenly over one window starting after a lead time, scheduled in scattered"
                    + " order. `done_after_last_deadline_ms`: how long after the last deadline the last timer fired (lower"
                    + " is better); `timers_per_s`: timers over the time from the first deadline to the last fire.",
            IdleScenario.NAME, "CPU time of the contender's own threads (ThreadMXBean), scaled to 10 s, and their context"
                    + " switches per second (`/proc`), while only far-off timers are pending. Lower is better.",
            ConnectionsScenario.NAME, "Connections spread over Netty event loops; each loop reads bursts of 256 packets for"
                    + " random connections of its own and gives the loop back between bursts. CPU and allocation are the"
                    + " whole process's. Higher packets/s, lower CPU and bytes per packet are better.",
            FootprintScenario.NAME, "Connections opened on Netty event loops, each with an idle, a retransmission and a path"
                    + " validation timeout armed the contender's way (an hour or so out, so none fires). Heap in use after"
                    + " full collections, minus the same before opening (event loops, timer and the arrays holding the"
                    + " connections already made), per connection; one measurement per count on a fresh contender, in a"
                    + " JVM with room for 10 M connections (`conn-jvm-flags`). Lower is better.",
            RealChannelsScenario.NAME, "An echo server (NIO, 2 worker loops) with the contender's idle handler (reader 2 s,"
                    + " writer 1 s): READER_IDLE closes the channel, WRITER_IDLE writes a keep-alive. A client JVM opens the"
                    + " connections; each sends, waits for the echo and sends again (paced: 200 ms later; saturating: at"
                    + " once); every tenth falls silent 1 s into the 4 s window. Messages/s, CPU and allocation per"
                    + " message are the server JVM's; heap per channel is after full collections with every connection"
                    + " open (subtract rc-no-idle-handler's for the handler's own); lateness = READER_IDLE time minus"
                    + " (last read + 2 s). Three runs per configuration (`real-iterations`), each with a fresh server and client, in rounds: each round runs every contender once, in a JVM of its own, starting with a different contender each round, so that the machine's drift during the scenario does not fall on the contender measured last; each JVM first makes one unrecorded run of the first configuration.",
            CoreScenario.NAME, "One thread, no clock, no queue: schedule + cancel pairs on the wheel data structures alone,"
                    + " cycling a ring of 256 timers 1-30 s out over a background population. Higher is better.");

    /** How the run was made, for the report's header. */
    record RunInfo(boolean quick, String date, String command, String machine, String jdk, List<String> jvmFlags,
                   List<String> connJvmFlags) {
    }

    private Report() {
    }

    static void write(Path dir, Results results, RunInfo run, List<Targets.Check> checks, Set<String> charts) throws IOException {
        StringBuilder md = new StringBuilder(16_384);
        md.append("# Escapement performance comparison\n\n");
        if (run.quick()) {
            md.append("> **Quick mode: tiny sizes, one or two short iterations.** These figures show that every scenario"
                    + " runs against every contender; they are not a measurement. Run the full comparison for figures.\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(run.date()).append(" |\n");
        md.append("| runs (start, duration, load, command; a later run replaces what it measured) | `")
                .append(run.command()).append("` |\n");
        md.append("| machine | ").append(run.machine()).append(" |\n");
        md.append("| JDK | ").append(run.jdk()).append(" |\n");
        md.append("| JVM flags (timer and core contenders) | `").append(String.join(" ", run.jvmFlags())).append("` |\n");
        md.append("| JVM flags (per-connection contenders) | `").append(String.join(" ", run.connJvmFlags())).append("` |\n\n");
        md.append("Each contender runs in a fresh JVM, with the flags of its kind (above). Figures are medians over the measured iterations"
                + " (after warm-up), with the minimum and maximum in brackets; **×E** is the contender's median divided by"
                + " Escapement's (`").append(Contender.ESCAPEMENT).append("`, or the Escapement contender of that scenario).\n\n");

        md.append("## Targets\n\n| area | target | measured | verdict |\n|---|---|---|---|\n");
        for (Targets.Check check : checks) {
            String verdict = switch (check.verdict()) {
                case MET -> "met";
                case MISSED -> "**missed**: " + check.shortfall();
                case NOT_MEASURED -> "not measured";
            };
            md.append("| ").append(check.area()).append(" | ").append(check.target()).append(" | ")
                    .append(check.measured()).append(" | ").append(verdict).append(" |\n");
        }
        md.append('\n');

        md.append("## Contenders\n\nThe load average is the machine's 1-minute figure when the contender's JVM started and"
                + " when it ended (the contender's own threads count in it too: up to 3 runnable during churn).\n\n"
                + "| name | configuration | load average |\n|---|---|---|\n");
        for (Contender contender : Contender.all()) {
            md.append("| `").append(contender.name()).append("` | ").append(contender.description()).append(" | ")
                    .append(results.load(contender.name())).append(" |\n");
        }
        md.append('\n');

        for (String scenario : Contender.SCENARIO_ORDER) {
            if (results.contenders(scenario).isEmpty()) {
                continue;
            }
            md.append("## ").append(TITLES.get(scenario)).append("\n\n").append(DESCRIPTIONS.get(scenario)).append("\n\n");
            for (String metric : results.metrics(scenario)) {
                table(md, results, scenario, metric);
            }
            for (String chart : charts) {
                if (chart.startsWith(scenario)) {
                    md.append("![").append(chart).append("](").append(chart).append(")\n\n");
                }
            }
        }
        for (String chart : charts) {
            if (Contender.SCENARIO_ORDER.stream().noneMatch(chart::startsWith)) {
                md.append("![").append(chart).append("](").append(chart).append(")\n\n");
            }
        }

        if (!results.notes().isEmpty()) {
            md.append("## Notes from the run\n\n");
            for (Results.Note note : results.notes()) {
                md.append("- ").append(note.scenario()).append(", `").append(note.contender()).append("`: ")
                        .append(note.text()).append('\n');
            }
            md.append('\n');
        }
        md.append(analysis());
        Files.writeString(dir.resolve(FILE), md.toString(), StandardCharsets.UTF_8);
    }

    private static void table(StringBuilder md, Results results, String scenario, String metric) {
        List<String> configs = List.copyOf(results.configs(scenario));
        String unit = results.measurements().stream().filter(m -> m.scenario().equals(scenario) && m.metric().equals(metric))
                .map(Results.Measurement::unit).findFirst().orElse("");
        md.append("**").append(metric).append("** (").append(unit).append(")\n\n| contender |");
        for (String config : configs) {
            md.append(' ').append(config.replace(",", ", ")).append(" | ×E |");
        }
        md.append("\n|---|");
        md.append("---:|---:|".repeat(configs.size()));
        md.append('\n');
        String reference = Contender.referenceFor(scenario);
        for (String contender : results.contenders(scenario)) {
            md.append("| `").append(contender).append("` |");
            for (String config : configs) {
                var measurement = results.find(scenario, contender, config, metric);
                if (measurement.isEmpty()) {
                    md.append(" - | - |");
                    continue;
                }
                Results.Measurement m = measurement.get();
                md.append(' ').append(number(m.median()));
                if (m.values().length > 1) {
                    md.append(" (").append(number(m.min())).append("–").append(number(m.max())).append(')');
                }
                double ref = results.median(scenario, reference, config, metric);
                md.append(" | ").append(ref == 0 || Double.isNaN(ref) ? "-" : ratio(m.median() / ref)).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String analysis() throws IOException {
        try (InputStream in = Report.class.getResourceAsStream(ANALYSIS)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Three significant digits, with k, M or G for large values. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double abs = Math.abs(value);
        if (abs >= 1e9) {
            return significant(value / 1e9) + " G";
        }
        if (abs >= 1e6) {
            return significant(value / 1e6) + " M";
        }
        if (abs >= 1e4) {
            return significant(value / 1e3) + " k";
        }
        return significant(value);
    }

    private static String significant(double value) {
        double abs = Math.abs(value);
        if (abs == 0) {
            return "0";
        }
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }

    static String ratio(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "-" : significant(ratio) + "x";
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }
}
