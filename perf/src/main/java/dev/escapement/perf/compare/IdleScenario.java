package dev.escapement.perf.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Scenario 5, idle cost: {@code n} timers pending an hour out and nothing else. Measured over each
 * window: the CPU time of the contender's own threads ({@link ThreadMXBean}), scaled to 10 s, and
 * their wake-ups per second (context switches from {@code /proc/self/task/<tid>/status}, matched by
 * thread name; reported as -1 where {@code /proc} is not available). The contender's threads are
 * the ones that appeared while it was opened and loaded.
 *
 * <p>Thread-safety: run from one thread.
 */
final class IdleScenario {

    static final String NAME = "idle";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Path TASKS = Path.of("/proc/self/task");
    /** Linux keeps this many characters of a thread's name. */
    private static final int COMM_LENGTH = 15;

    private IdleScenario() {
    }

    static void run(Options options, Supplier<TimerContender> factory, Recorder out) {
        int timers = options.integer("idle-timers");
        long windowMs = options.longValue("idle-window-ms");
        int windows = options.integer("idle-windows");
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        TimerContender contender = factory.get();
        long hourNs = TimeUnit.HOURS.toNanos(1);
        contender.open(timers + 1, 1, 2 * hourNs);
        try {
            for (int i = 0; i < timers; i++) {
                contender.schedule(i, hourNs + TimeUnit.SECONDS.toNanos(60) * i / timers, FireAction.NOTHING);
            }
            Probes.awaitCaughtUp(contender, timers, 60_000);
            List<Thread> own = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    .collect(Collectors.toList());
            Set<String> names = own.stream().map(t -> truncate(t.getName())).collect(Collectors.toSet());
            out.note(NAME, "threads measured: " + own.stream().map(Thread::getName).sorted().collect(Collectors.joining(", ")));
            Probes.sleep(Math.min(1000, windowMs));
            double[] cpuMsPer10s = new double[windows];
            double[] wakeupsPerSecond = new double[windows];
            for (int w = 0; w < windows; w++) {
                long cpu0 = cpuNs(own);
                long switches0 = contextSwitches(names);
                long start = System.nanoTime();
                Probes.sleep(windowMs);
                long elapsedNs = System.nanoTime() - start;
                long cpu1 = cpuNs(own);
                long switches1 = contextSwitches(names);
                cpuMsPer10s[w] = (cpu1 - cpu0) / 1e6 * (10e9 / elapsedNs);
                wakeupsPerSecond[w] = switches0 < 0 || switches1 < 0 ? -1 : (switches1 - switches0) * 1e9 / elapsedNs;
            }
            String config = "pending=" + timers;
            out.result(NAME, config, "cpu_ms_per_10s", "ms", cpuMsPer10s);
            out.result(NAME, config, "wakeups_per_s", "1/s", wakeupsPerSecond);
        } finally {
            contender.close();
        }
    }

    private static long cpuNs(List<Thread> threads) {
        long total = 0;
        for (Thread thread : threads) {
            long ns = THREADS.getThreadCpuTime(thread.getId());
            if (ns > 0) {
                total += ns;
            }
        }
        return total;
    }

    private static String truncate(String name) {
        return name.length() <= COMM_LENGTH ? name : name.substring(0, COMM_LENGTH);
    }

    /** Voluntary plus involuntary context switches of the named threads, or -1 without /proc. */
    static long contextSwitches(Set<String> names) {
        if (!Files.isDirectory(TASKS)) {
            return -1;
        }
        long total = 0;
        Set<String> seen = new HashSet<>();
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                List<String> status;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                    if (!names.contains(comm)) {
                        continue;
                    }
                    status = Files.readAllLines(task.resolve("status"));
                } catch (IOException gone) {
                    continue;
                }
                seen.add(comm);
                for (String line : status) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return seen.isEmpty() ? -1 : total;
    }
}
