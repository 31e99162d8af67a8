package dev.escapement.endpoint.demo;

import java.util.Locale;

/**
 * The demo's settings, parsed from its command line.
 *
 * <p>Thread-safety: immutable.
 *
 * @param connections     client connections open at once (each slot opens one after another)
 * @param durationSeconds seconds of traffic, before the connections finish and the report
 * @param lossRate        the probability that a datagram is dropped, each way
 * @param delayMs         one-way delay of every datagram, in milliseconds
 * @param jitterMs        extra delay of up to this many milliseconds (datagrams may overtake)
 * @param seed            the seed of every random choice (loss, ids, lifetimes)
 * @param minRtoMs        the smallest RTO, in milliseconds
 */
record DemoOptions(int connections, int durationSeconds, double lossRate, int delayMs, int jitterMs, long seed,
                   int minRtoMs) {

    static final DemoOptions DEFAULTS = new DemoOptions(200, 25, 0.02, 5, 2, 1, 200);

    static final String USAGE = """
            Usage: EndpointDemo [--connections N] [--duration SECONDS] [--loss RATE] [--delay MS] [--jitter MS] [--seed N] [--min-rto MS]
              --connections N   client connections open at once, 1 to 100000        (default 200)
              --duration S      seconds of traffic, 1 to 3600; the run takes a few more (default 25)
              --loss RATE       datagrams dropped each way, 0 to 1 (0.05, or 5%%)     (default 0.02)
              --delay MS        one-way delay, 0 to 10000 ms                          (default 5)
              --jitter MS       extra random delay of up to MS, 0 to 10000 ms         (default 2)
              --seed N          seed of every random choice                           (default 1)
              --min-rto MS      the smallest retransmission timeout, 10 to 10000 ms  (default 200)
            With Maven: mvn -B -q -pl endpoint-integration -am compile exec:java -Dexec.args="--connections 500 --loss 0.05"
            """.formatted();

    /**
     * @param args the command line: {@code --name value} or {@code --name=value}
     * @return the options, the defaults where not given
     * @throws IllegalArgumentException naming the option and the value, if one is unknown, missing or out of range
     */
    static DemoOptions parse(String... args) {
        int connections = DEFAULTS.connections;
        int durationSeconds = DEFAULTS.durationSeconds;
        double lossRate = DEFAULTS.lossRate;
        int delayMs = DEFAULTS.delayMs;
        int jitterMs = DEFAULTS.jitterMs;
        long seed = DEFAULTS.seed;
        int minRtoMs = DEFAULTS.minRtoMs;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int equals = name.indexOf('=');
            if (equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            switch (name) {
                case "--connections" -> connections = (int) number(name, value, 1, 100_000);
                case "--duration" -> durationSeconds = (int) number(name, value, 1, 3_600);
                case "--loss" -> lossRate = rate(name, value);
                case "--delay" -> delayMs = (int) number(name, value, 0, 10_000);
                case "--jitter" -> jitterMs = (int) number(name, value, 0, 10_000);
                case "--seed" -> seed = number(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                case "--min-rto" -> minRtoMs = (int) number(name, value, 10, 10_000);
                default -> throw new IllegalArgumentException("unknown option: " + name);
            }
        }
        return new DemoOptions(connections, durationSeconds, lossRate, delayMs, jitterMs, seed, minRtoMs);
    }

    private static long number(String name, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + value);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + value);
        }
        return parsed;
    }

    private static double rate(String name, String value) {
        String text = value.trim();
        boolean percent = text.endsWith("%");
        double parsed;
        try {
            parsed = Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a rate such as 0.05 or 5%: " + value);
        }
        if (percent) {
            parsed /= 100;
        }
        if (!(parsed >= 0 && parsed <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1: " + value);
        }
        return parsed;
    }

    /** @return the settings in one line, as the report's header shows them */
    String describe() {
        return String.format(Locale.ROOT, "%d connections, %d s of traffic, %.1f %% loss each way, %d ms delay + up to %d ms jitter, seed %d",
                connections, durationSeconds, lossRate * 100, delayMs, jitterMs, seed);
    }
}
