package dev.escapement.perf.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The comparison's flags, each with a full-run default and a {@code --quick} default. Every flag is
 * {@code --name value}, except {@code --quick}. The parent process passes its own arguments on to
 * every contender process, so both read the same sizes.
 *
 * <p>Thread-safety: immutable after parsing.
 */
final class Options {

    /** Flag name to {full default, quick default, description}. */
    private static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

    static {
        flag("out", "perf/results", "perf/results", "directory for REPORT.md, charts and raw results");
        flag("contenders", "all", "all", "comma-separated contender names, or all");
        flag("scenarios", "all", "all", "comma-separated scenarios (churn,memory,lateness,expiry,idle,connections,footprint,realchannels,core), or all");
        flag("jvm-flags", "-Xms2g -Xmx2g -XX:+UseG1GC", "-Xms256m -Xmx256m -XX:+UseG1GC", "heap and GC flags of every contender JVM");
        flag("warmups", "2", "1", "warm-up iterations before measuring");
        flag("iterations", "5", "2", "measured iterations (churn, connections, core)");
        flag("iteration-ms", "2000", "60", "length of one measured iteration (churn, connections, core)");
        flag("churn-pending", "10000,1000000", "100,5000", "other timers pending during churn");
        flag("churn-producers", "1,2", "1,2", "producer thread counts for churn");
        flag("churn-ring", "16384", "256", "timeouts each producer keeps in flight: each is cancelled this many pairs after it was scheduled");
        flag("memory-timers", "1000000", "20000", "pending timers for the memory scenario");
        flag("memory-iterations", "3", "1", "memory measurements (each on a fresh timer)");
        flag("lateness-timers", "100000", "2000", "timers for the lateness scenario");
        flag("lateness-max-delay-ms", "2000", "100", "largest random delay in the lateness scenario");
        flag("slow-iterations", "3", "1", "measured iterations of the lateness and expiry scenarios");
        flag("expiry-timers", "1000000", "20000", "timers due within one window in the expiry scenario");
        flag("expiry-window-ms", "1000", "50", "the window their deadlines are spread over");
        flag("expiry-lead-ms", "3000", "150", "time from the start of scheduling to the first deadline");
        flag("idle-timers", "10000", "1000", "timers pending an hour out in the idle scenario");
        flag("idle-window-ms", "10000", "150", "length of one idle measurement window");
        flag("idle-windows", "3", "1", "idle measurement windows");
        flag("conn-jvm-flags", "-Xms2g -Xmx16g -XX:+UseG1GC", "-Xms256m -Xmx512m -XX:+UseG1GC",
                "heap and GC flags of the JVMs of the per-connection contenders (conn-*), which hold up to 10 M connections");
        flag("connections", "100000,1000000", "2000", "connection counts for the connections scenario");
        flag("footprint-connections", "1000000,10000000", "20000", "connection counts for the footprint scenario");
        flag("event-loops", "2", "2", "event loops the connections are spread over");
        flag("packet-rate", "0", "0", "packets per second over all connections; 0 = as fast as the event loops go");
        flag("idle-timeout-ms", "10000", "20", "the connections' idle timeout (long enough that at 1 M connections resets, not expiries, are measured)");
        flag("real-connections", "1000,10000", "200", "connection counts for the real-channels scenario");
        flag("real-modes", "paced,saturating", "paced", "client modes for the real-channels scenario: paced (200 ms"
                + " between an echo and the next message), saturating (at once)");
        flag("real-iterations", "3", "1", "measured runs of each real-channels configuration (a fresh server and client each)");
        flag("core-pending", "1000,1000000,10000000", "1000,20000,100000", "pending timers for the single-thread core scenario");
        flag("merge", "false", "false", "true: keep the results already in --out and replace only those of the"
                + " contenders and scenarios this run measures");
        flag("command", "", "", "the command line to print in the report (set by the launch script)");
    }

    private static void flag(String name, String full, String quick, String description) {
        FLAGS.put(name, new String[] {full, quick, description});
    }

    private final boolean quick;
    private final Map<String, String> values;
    private final List<String> raw;

    private Options(boolean quick, Map<String, String> values, List<String> raw) {
        this.quick = quick;
        this.values = values;
        this.raw = raw;
    }

    /**
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming an unknown flag or a flag without a value
     */
    static Options parse(String... args) {
        boolean quick = false;
        Map<String, String> values = new LinkedHashMap<>();
        List<String> passOn = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--quick")) {
                quick = true;
                passOn.add(arg);
                continue;
            }
            if (!arg.startsWith("--") || !FLAGS.containsKey(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option: " + arg + "\n" + usage());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option needs a value: " + arg);
            }
            String value = args[++i];
            values.put(arg.substring(2), value);
            passOn.add(arg);
            passOn.add(value);
        }
        return new Options(quick, values, passOn);
    }

    /** @return the flags, their defaults and what they do */
    static String usage() {
        StringBuilder out = new StringBuilder("options:\n  --quick\n      every scenario at tiny sizes, in seconds\n");
        FLAGS.forEach((name, spec) -> out.append("  --").append(name).append(" <value>\n      ").append(spec[2])
                .append(spec[0].isEmpty() ? "" : "; default " + spec[0] + (spec[0].equals(spec[1]) ? "" : ", with --quick " + spec[1]))
                .append('\n'));
        return out.toString();
    }

    boolean quick() {
        return quick;
    }

    /** @return the arguments as given, to pass on to a contender process */
    List<String> arguments() {
        return raw;
    }

    String string(String name) {
        String[] spec = FLAGS.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no such option: " + name);
        }
        return values.getOrDefault(name, quick ? spec[1] : spec[0]);
    }

    int integer(String name) {
        return Math.toIntExact(longValue(name));
    }

    long longValue(String name) {
        String value = string(name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number: " + value, e);
        }
    }

    int[] integers(String name) {
        try {
            return Arrays.stream(string(name).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be comma-separated whole numbers: " + string(name), e);
        }
    }

    /** @return true if {@code item} is selected by the comma-separated flag {@code name} ("all" selects everything) */
    boolean selects(String name, String item) {
        String value = string(name);
        return value.equals("all") || Set.of(value.split(",")).contains(item);
    }

    List<String> jvmFlags() {
        return jvmFlags("jvm-flags");
    }

    /** @return the flags {@code name} holds, split at white space */
    List<String> jvmFlags(String name) {
        String flags = string(name).trim();
        return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
    }
}
