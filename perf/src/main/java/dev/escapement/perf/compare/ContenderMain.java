package dev.escapement.perf.compare;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The contender process: runs every selected scenario against one contender and prints the
 * results for the parent ({@link Recorder}). Started by {@link ComparisonMain}, one fresh JVM per
 * contender.
 *
 * <p>Thread-safety: a program entry point.
 */
public final class ContenderMain {

    private ContenderMain() {
    }

    /**
     * @param args {@code <contender name>} followed by the comparison's own options
     */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ContenderMain <contender> [options]\n" + Options.usage());
            System.exit(2);
        }
        Contender contender = Contender.named(args[0]);
        Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length));
        PrintStream out = System.out;
        Recorder recorder = new Recorder(out, contender.name());
        List<String> failed = new ArrayList<>();
        for (String scenario : Contender.SCENARIO_ORDER) {
            if (!contender.scenarios().contains(scenario) || !options.selects("scenarios", scenario)) {
                continue;
            }
            long startNs = System.nanoTime();
            try {
                run(scenario, contender, options, recorder);
            } catch (RuntimeException | OutOfMemoryError failure) {
                failed.add(scenario);
                recorder.note(scenario, "FAILED: " + failure);
                failure.printStackTrace();
            }
            System.err.printf("  %-24s %-12s %6.1f s%n", contender.name(), scenario, (System.nanoTime() - startNs) / 1e9);
        }
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    private static void run(String scenario, Contender contender, Options options, Recorder out) {
        switch (scenario) {
            case ChurnScenario.NAME -> ChurnScenario.run(options, contender.timer(), out);
            case MemoryScenario.NAME -> MemoryScenario.run(options, contender.timer(), out);
            case LatenessScenario.NAME -> LatenessScenario.run(options, contender.timer(), out);
            case ExpiryScenario.NAME -> ExpiryScenario.run(options, contender.timer(), out);
            case IdleScenario.NAME -> IdleScenario.run(options, contender.timer(), out);
            case ConnectionsScenario.NAME -> ConnectionsScenario.run(options, contender.idle(), out);
            case FootprintScenario.NAME -> FootprintScenario.run(options, contender.idle(), out);
            case RealChannelsScenario.NAME -> RealChannelsScenario.run(options, RealChannelsScenario.forContender(contender.name()), out);
            case CoreScenario.NAME -> CoreScenario.run(options, contender.wheel(), out);
            default -> throw new IllegalArgumentException("unknown scenario: " + scenario);
        }
    }
}
