package dev.escapement.perf.compare;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes a contender process's measurements as tab-separated lines on standard output, which the
 * parent process reads: {@code RESULT scenario contender config metric unit v1,v2,...} (one value
 * per measured iteration) and {@code NOTE scenario contender text}.
 *
 * <p>Thread-safety: call from the scenario's thread.
 */
final class Recorder {

    static final String RESULT = "RESULT";
    static final String NOTE = "NOTE";

    private final PrintStream out;
    private final String contender;

    Recorder(PrintStream out, String contender) {
        this.out = out;
        this.contender = contender;
    }

    String contender() {
        return contender;
    }

    void result(String scenario, String config, String metric, String unit, double... values) {
        String joined = Arrays.stream(values).mapToObj(v -> Double.toString(v)).collect(Collectors.joining(","));
        out.println(String.join("\t", RESULT, scenario, contender, config, metric, unit, joined));
        out.flush();
    }

    void note(String scenario, String text) {
        out.println(String.join("\t", NOTE, scenario, contender, text.replace('\t', ' ').replace('\n', ' ')));
        out.flush();
    }
}
