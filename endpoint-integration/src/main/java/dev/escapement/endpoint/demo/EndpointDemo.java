package dev.escapement.endpoint.demo;

import java.io.PrintStream;

/**
 * The README's main command: many client connections to one server on loopback, over a link with
 * simulated loss and delay, every timeout of every connection kept by one global timer. Prints a
 * progress line each second and a final report, verifies that no frame was lost silently and that
 * no timer was left behind, and exits with 1 if either failed (2 for a bad command line).
 *
 * <pre>
 * mvn -B -q -pl endpoint-integration -am compile exec:java
 * mvn -B -q -pl endpoint-integration -am compile exec:java -Dexec.args="--connections 500 --loss 0.05"
 * </pre>
 *
 * <p>Runs on the main thread; see {@link DemoOptions#USAGE} for the flags.
 */
public final class EndpointDemo {

    /** Exit status for a run whose verification failed. */
    static final int FAILED = 1;
    /** Exit status for a bad command line. */
    static final int USAGE = 2;

    private EndpointDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args the flags; {@code --help} prints them
     * @throws InterruptedException if interrupted while waiting for the run
     */
    public static void main(String[] args) throws InterruptedException {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the demo, printing to the given streams.
     *
     * @return the exit status: 0 if the verification passed
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(DemoOptions.USAGE);
            return 0;
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException bad) {
            err.println(bad.getMessage());
            err.print(DemoOptions.USAGE);
            return USAGE;
        }
        return new DemoRun(options, out).run() ? 0 : FAILED;
    }
}
