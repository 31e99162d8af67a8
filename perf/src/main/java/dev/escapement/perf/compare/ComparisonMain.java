package dev.escapement.perf.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The side-by-side comparison (SPEC P2, P3): runs every selected scenario against every selected
 * contender, each contender in a fresh JVM with the same heap and GC flags ({@link ContenderMain}),
 * then writes {@code REPORT.md}, the PNG charts and {@code results.tsv} to the output directory.
 * {@code --quick} runs every scenario at tiny sizes in seconds; {@code --help} lists the flags.
 *
 * <p>Thread-safety: a program entry point.
 */
public final class ComparisonMain {

    private static final long CONTENDER_TIMEOUT_MINUTES = 60;
    /** Agrona 2 reads {@code jdk.internal.misc.Unsafe}; every contender JVM gets the same flag. */
    static final List<String> REQUIRED_FLAGS = List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED");

    private ComparisonMain() {
    }

    /**
     * @param args the options; see {@code --help}
     * @throws Exception if a contender process cannot be run or the report cannot be written
     */
    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println("runs every scenario against every contender and writes REPORT.md with charts\n" + Options.usage());
            return;
        }
        Path report = run(args);
        System.out.println("report: " + report.toAbsolutePath());
    }

    /**
     * Runs the comparison.
     *
     * @param args the options
     * @return the report's path
     * @throws IOException          if the output cannot be written
     * @throws InterruptedException if interrupted while a contender runs
     */
    static Path run(String... args) throws IOException, InterruptedException {
        Options options = Options.parse(args);
        Path out = Path.of(options.string("out"));
        Files.createDirectories(out);
        Instant started = Instant.now();
        long startNs = System.nanoTime();
        double loadAverage = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Results results = new Results();
        String command = options.string("command").isEmpty()
                ? "java -cp perf/target/benchmarks.jar " + ComparisonMain.class.getName() + " " + String.join(" ", args)
                : options.string("command");
        List<String> runs = new ArrayList<>();
        Path runsFile = out.resolve("runs.txt");
        if (options.string("merge").equals("true") && Files.exists(out.resolve("results.tsv"))) {
            results.addTsv(Files.readString(out.resolve("results.tsv"), StandardCharsets.UTF_8));
            if (Files.exists(runsFile)) {
                runs.addAll(Files.readAllLines(runsFile, StandardCharsets.UTF_8));
            }
        }
        boolean measured = false;
        List<Contender> inRounds = new ArrayList<>();
        for (Contender contender : Contender.all()) {
            if (!options.selects("contenders", contender.name())
                    || contender.scenarios().stream().noneMatch(s -> options.selects("scenarios", s))) {
                continue;
            }
            results.forget(contender.name(), scenario -> options.selects("scenarios", scenario));
            if (contender.scenarios().equals(Set.of(RealChannelsScenario.NAME))) {
                inRounds.add(contender);
            } else {
                runContender(contender, options, results, List.of());
            }
            measured = true;
        }
        runInRounds(inRounds, options, results);
        double durationSeconds = (System.nanoTime() - startNs) / 1e9;
        if (measured || runs.isEmpty()) {
            // A merge that measures nothing only rewrites the report (after its text changed, say).
            runs.add(String.format(Locale.ROOT, "%s, %.0f s, load average %.2f at start: %s",
                    started.truncatedTo(ChronoUnit.SECONDS), durationSeconds, loadAverage, command.trim()));
        }
        Files.write(runsFile, runs, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.tsv"), results.toTsv(), StandardCharsets.UTF_8);
        for (Path old : oldCharts(out)) {
            Files.delete(old);
        }
        Set<String> charts = Charts.write(out, results);
        List<Targets.Check> checks = Targets.evaluate(results);
        Report.RunInfo run = new Report.RunInfo(options.quick(), started.truncatedTo(ChronoUnit.SECONDS).toString(),
                String.join("`<br>`", runs), machine(), jdk(), jvmFlags(options.jvmFlags()), jvmFlags(options.jvmFlags("conn-jvm-flags")));
        Report.write(out, results, run, checks, charts);
        System.err.printf(Locale.ROOT, "comparison finished in %.0f s%n", durationSeconds);
        return out.resolve(Report.FILE);
    }

    /**
     * The real-channels contenders, one iteration at a time: each round runs every contender once,
     * each in a JVM of its own, starting with a different contender each round. Their figures take
     * minutes per contender, and this machine's speed drifts within that; run one after the other,
     * the contender measured last paid for the drift.
     */
    private static void runInRounds(List<Contender> contenders, Options options, Results results)
            throws IOException, InterruptedException {
        int rounds = options.integer("real-iterations");
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < contenders.size(); k++) {
                Contender contender = contenders.get((round + k) % contenders.size());
                runContender(contender, options, results, List.of("--real-iterations", "1"));
            }
        }
    }

    /** Runs one contender's JVM with the run's arguments and then {@code overrides}. */
    private static void runContender(Contender contender, Options options, Results results, List<String> overrides)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        boolean perConnection = Contender.CONNECTION_SCENARIOS.containsAll(contender.scenarios());
        command.addAll(perConnection ? options.jvmFlags("conn-jvm-flags") : options.jvmFlags());
        command.addAll(REQUIRED_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ContenderMain.class.getName());
        command.add(contender.name());
        command.addAll(options.arguments());
        command.addAll(overrides);
        System.err.println("contender " + contender.name());
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!results.accept(line)) {
                    System.err.println("  [" + contender.name() + "] " + line);
                }
            }
        }
        boolean finished = process.waitFor(CONTENDER_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        results.load(contender.name(), String.format(Locale.ROOT, "%.2f → %.2f", loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        if (!finished) {
            process.destroyForcibly();
            results.note("all", contender.name(), "contender process did not finish within " + CONTENDER_TIMEOUT_MINUTES + " minutes");
        } else if (process.exitValue() != 0) {
            results.note("all", contender.name(), "contender process exited with code " + process.exitValue()
                    + "; a scenario failed (see its FAILED note)");
        }
    }

    private static List<String> jvmFlags(List<String> chosen) {
        List<String> flags = new ArrayList<>(chosen);
        flags.addAll(REQUIRED_FLAGS);
        return flags;
    }

    private static List<Path> oldCharts(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png")).toList();
        }
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException noProc) {
            // Not Linux: the processor's name is not essential.
        }
        long memoryBytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format(Locale.ROOT, "%s, %d cores, %.0f GiB, %s %s %s", cpu, Runtime.getRuntime().availableProcessors(),
                memoryBytes / (double) (1L << 30), System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
    }

    private static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")";
    }
}
