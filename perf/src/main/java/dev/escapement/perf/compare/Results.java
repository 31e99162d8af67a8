package dev.escapement.perf.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every measurement the contender processes reported, with medians, minima and maxima over the
 * measured iterations, and their notes.
 *
 * <p>Thread-safety: not thread-safe; filled by the parent process's reader, then read.
 */
final class Results {

    /**
     * One figure of one contender in one scenario and configuration, over its iterations.
     *
     * @param values one value per measured iteration
     */
    record Measurement(String scenario, String contender, String config, String metric, String unit, double[] values) {

        double median() {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        double min() {
            return Arrays.stream(values).min().orElse(Double.NaN);
        }

        double max() {
            return Arrays.stream(values).max().orElse(Double.NaN);
        }
    }

    /** A remark a contender process made about a scenario. */
    record Note(String scenario, String contender, String text) {
    }

    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();
    /** Per contender: the machine's load average when its process started and ended. */
    private final java.util.Map<String, String> loads = new java.util.LinkedHashMap<>();

    /**
     * Takes one line of a contender process's output.
     *
     * @return true if the line was a result or a note
     */
    boolean accept(String line) {
        String[] fields = line.split("\t");
        if (fields[0].equals(Recorder.RESULT) && fields.length == 7) {
            double[] values = Arrays.stream(fields[6].split(",")).mapToDouble(Double::parseDouble).toArray();
            add(new Measurement(fields[1], fields[2], fields[3], fields[4], fields[5], values));
            return true;
        }
        if (fields[0].equals(Recorder.NOTE) && fields.length == 4) {
            notes.add(new Note(fields[1], fields[2], fields[3]));
            return true;
        }
        return false;
    }

    /**
     * Adds a measurement; one of the same scenario, contender, configuration and metric already
     * here (an earlier round of the same run) gets the new values appended.
     */
    private void add(Measurement measurement) {
        for (int i = 0; i < measurements.size(); i++) {
            Measurement earlier = measurements.get(i);
            if (earlier.scenario().equals(measurement.scenario()) && earlier.contender().equals(measurement.contender())
                    && earlier.config().equals(measurement.config()) && earlier.metric().equals(measurement.metric())) {
                double[] values = Arrays.copyOf(earlier.values(), earlier.values().length + measurement.values().length);
                System.arraycopy(measurement.values(), 0, values, earlier.values().length, measurement.values().length);
                measurements.set(i, new Measurement(earlier.scenario(), earlier.contender(), earlier.config(),
                        earlier.metric(), earlier.unit(), values));
                return;
            }
        }
        measurements.add(measurement);
    }

    void note(String scenario, String contender, String text) {
        notes.add(new Note(scenario, contender, text));
    }

    void load(String contender, String load) {
        loads.put(contender, load);
    }

    /** @return the load average recorded around a contender's process, or "-" */
    String load(String contender) {
        return loads.getOrDefault(contender, "-");
    }

    List<Measurement> measurements() {
        return measurements;
    }

    List<Note> notes() {
        return notes;
    }

    Optional<Measurement> find(String scenario, String contender, String config, String metric) {
        return measurements.stream()
                .filter(m -> m.scenario.equals(scenario) && m.contender.equals(contender)
                        && m.config.equals(config) && m.metric.equals(metric))
                .findFirst();
    }

    /** @return the median, or NaN if there is no such measurement */
    double median(String scenario, String contender, String config, String metric) {
        return find(scenario, contender, config, metric).map(Measurement::median).orElse(Double.NaN);
    }

    /** @return the configurations measured in a scenario, in the order first seen */
    Set<String> configs(String scenario) {
        Set<String> configs = new LinkedHashSet<>();
        measurements.stream().filter(m -> m.scenario.equals(scenario)).forEach(m -> configs.add(m.config));
        return configs;
    }

    /** @return the metrics measured in a scenario, in the order first seen */
    Set<String> metrics(String scenario) {
        Set<String> metrics = new LinkedHashSet<>();
        measurements.stream().filter(m -> m.scenario.equals(scenario)).forEach(m -> metrics.add(m.metric));
        return metrics;
    }

    /** @return the contenders with a measurement in a scenario, in the order first seen */
    Set<String> contenders(String scenario) {
        Set<String> contenders = new LinkedHashSet<>();
        measurements.stream().filter(m -> m.scenario.equals(scenario)).forEach(m -> contenders.add(m.contender));
        return contenders;
    }

    /**
     * Adds the measurements of a {@link #toTsv()} text: a run merged into an earlier one.
     *
     * @param tsv the text, header line first
     */
    void addTsv(String tsv) {
        for (String line : tsv.split("\n")) {
            String[] fields = line.split("\t");
            if (fields.length != 9 || fields[0].equals("scenario")) {
                continue;
            }
            String list = fields[8].substring(1, fields[8].length() - 1);
            double[] values = Arrays.stream(list.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
            measurements.add(new Measurement(fields[0], fields[1], fields[2], fields[3], fields[4], values));
        }
    }

    /** Drops every measurement of {@code contender} in a scenario {@code selected} accepts: about to be measured again. */
    void forget(String contender, java.util.function.Predicate<String> selected) {
        measurements.removeIf(m -> m.contender.equals(contender) && selected.test(m.scenario));
        notes.removeIf(n -> n.contender.equals(contender) && selected.test(n.scenario));
    }

    /** @return every measurement as tab-separated text, one line per measurement */
    String toTsv() {
        StringBuilder out = new StringBuilder("scenario\tcontender\tconfig\tmetric\tunit\tmedian\tmin\tmax\tvalues\n");
        for (Measurement m : measurements) {
            out.append(String.join("\t", m.scenario, m.contender, m.config, m.metric, m.unit,
                    Double.toString(m.median()), Double.toString(m.min()), Double.toString(m.max()),
                    Arrays.toString(m.values))).append('\n');
        }
        return out.toString();
    }
}
