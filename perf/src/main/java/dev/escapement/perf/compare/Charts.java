package dev.escapement.perf.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * Draws the report's PNG charts with XChart: throughput bars per scenario, lateness percentiles,
 * bytes per timer, idle cost, and cost per pair against the number of pending timers. Each chart
 * file name starts with its scenario's name, which is how the report places it.
 *
 * <p>Thread-safety: stateless; uses AWT in headless mode.
 */
final class Charts {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    /** Log axes cannot show zero; values below a chart's floor (this one unless it says) are drawn at it. */
    private static final double LOG_FLOOR = 0.01;

    private Charts() {
    }

    /** @return the file names written, in the order drawn */
    static Set<String> write(Path dir, Results results) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Set<String> written = new LinkedHashSet<>();
        byConfig(dir, written, results, ChurnScenario.NAME, "pairs_per_s", "Churn: schedule + cancel pairs",
                "M pairs/s", v -> v / 1e6, false);
        byContender(dir, written, results, MemoryScenario.NAME, List.of("bytes_per_timer"), "Memory: retained bytes per pending timer",
                "bytes", v -> v, false, 0);
        byContender(dir, written, results, LatenessScenario.NAME, List.of("p50_us", "p99_us", "p999_us", "max_us"),
                "Lateness percentiles (log scale; below 1 µs drawn at 1)", "µs late", v -> v, true, 1);
        byContender(dir, written, results, ExpiryScenario.NAME, List.of("timers_per_s"), "Expiry: timers fired per second",
                "M timers/s", v -> v / 1e6, false, 0);
        byContender(dir, written, results, IdleScenario.NAME, List.of("cpu_ms_per_10s", "wakeups_per_s"),
                "Idle cost (log scale)", "CPU ms per 10 s | wake-ups per s", v -> v, true, LOG_FLOOR);
        byConfig(dir, written, results, ConnectionsScenario.NAME, "packets_per_s",
                "Connections: packets per second with an idle reset each", "M packets/s", v -> v / 1e6, false);
        byConfig(dir, written, results, FootprintScenario.NAME, "bytes_per_connection",
                "Footprint: heap per connection with three timeouts", "bytes", v -> v, false);
        byConfig(dir, written, results, RealChannelsScenario.NAME, "lateness_p99_ms",
                "Real channels: READER_IDLE lateness p99", "ms", v -> v, false);
        byConfig(dir, written, results, CoreScenario.NAME, "pairs_per_s", "Single-thread core: schedule + cancel pairs",
                "M pairs/s", v -> v / 1e6, false);
        costAgainstPending(dir, written, results);
        return written;
    }

    /** Bars: one group per configuration, one bar per contender. */
    private static void byConfig(Path dir, Set<String> written, Results results, String scenario, String metric,
                                 String title, String yTitle, DoubleUnaryOperator scale, boolean log) throws IOException {
        List<String> configs = new ArrayList<>(results.configs(scenario));
        if (configs.isEmpty()) {
            return;
        }
        CategoryChart chart = categoryChart(title, yTitle, log, LOG_FLOOR);
        List<String> labels = configs.stream().map(Charts::shortLabel).toList();
        for (String contender : results.contenders(scenario)) {
            List<Double> values = new ArrayList<>();
            for (String config : configs) {
                values.add(value(results.median(scenario, contender, config, metric), scale, log, LOG_FLOOR));
            }
            chart.addSeries(contender, labels, values);
        }
        save(dir, written, chart, scenario);
    }

    /** Bars: one group per contender, one bar per metric. */
    private static void byContender(Path dir, Set<String> written, Results results, String scenario, List<String> metrics,
                                    String title, String yTitle, DoubleUnaryOperator scale, boolean log, double floor)
            throws IOException {
        List<String> contenders = new ArrayList<>(results.contenders(scenario));
        String config = results.configs(scenario).stream().findFirst().orElse(null);
        if (contenders.isEmpty() || config == null) {
            return;
        }
        CategoryChart chart = categoryChart(title, yTitle, log, floor);
        chart.getStyler().setXAxisLabelRotation(30);
        for (String metric : metrics) {
            List<Double> values = new ArrayList<>();
            for (String contender : contenders) {
                values.add(value(results.median(scenario, contender, config, metric), scale, log, floor));
            }
            chart.addSeries(metric, contenders, values);
        }
        save(dir, written, chart, scenario);
    }

    /** Lines: nanoseconds per pair against pending timers, churn with one producer and the core. */
    private static void costAgainstPending(Path dir, Set<String> written, Results results) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Cost per schedule + cancel pair against pending timers (log-log)")
                .xAxisTitle("pending timers").yAxisTitle("ns per pair").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        boolean any = false;
        for (String scenario : List.of(ChurnScenario.NAME, CoreScenario.NAME)) {
            for (String contender : results.contenders(scenario)) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (String config : results.configs(scenario)) {
                    if (scenario.equals(ChurnScenario.NAME) && !config.endsWith("producers=1")) {
                        continue;
                    }
                    double pairs = results.median(scenario, contender, config, "pairs_per_s");
                    if (pairs > 0) {
                        xs.add(Double.parseDouble(config.replaceAll("pending=(\\d+).*", "$1")));
                        ys.add(1e9 / pairs);
                    }
                }
                if (!xs.isEmpty()) {
                    chart.addSeries(scenario + ": " + contender, xs, ys);
                    any = true;
                }
            }
        }
        if (any) {
            save(dir, written, chart, "cost-vs-pending");
        }
    }

    /** "pending=10000,producers=2" reads "10k pending, 2 prod." on an axis. */
    static String shortLabel(String config) {
        StringBuilder label = new StringBuilder();
        for (String part : config.split(",")) {
            String[] pair = part.split("=", 2);
            if (label.length() > 0) {
                label.append(", ");
            }
            String value = pair.length == 2 && pair[1].matches("\\d+") ? compact(Long.parseLong(pair[1])) : pair[pair.length - 1];
            label.append(value).append(pair[0].equals("producers") ? " prod." : pair[0].equals("pending") ? " pending"
                    : pair[0].equals("connections") ? " conns" : "");
        }
        return label.toString();
    }

    private static String compact(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n >= 1_000 && n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return Long.toString(n);
    }

    private static CategoryChart categoryChart(String title, String yTitle, boolean log, double floor) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(log);
        if (log) {
            // Bars are anchored at zero unless the axis minimum is given.
            chart.getStyler().setYAxisMin(floor);
        }
        return chart;
    }

    private static double value(double median, DoubleUnaryOperator scale, boolean log, double floor) {
        double v = Double.isNaN(median) ? 0 : scale.applyAsDouble(median);
        return log ? Math.max(floor, v) : Math.max(0, v);
    }

    private static void save(Path dir, Set<String> written, Chart<?, ?> chart, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(name + ".png");
    }
}
