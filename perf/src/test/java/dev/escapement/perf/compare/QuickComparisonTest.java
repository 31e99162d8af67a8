package dev.escapement.perf.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the comparison in {@code --quick} mode, every contender in its own JVM, and checks what it
 * wrote: the report with a row for every contender, the raw results and the charts. It asserts
 * nothing about speed.
 */
class QuickComparisonTest {

    private static final List<String> CHARTS = List.of("churn.png", "memory.png", "lateness.png", "expiry.png",
            "idle.png", "connections.png", "footprint.png", "realchannels.png", "core.png", "cost-vs-pending.png");

    @Test
    void quickModeWritesTheReportAndChartsWithARowForEveryContender(@TempDir Path out) throws Exception {
        Path report = ComparisonMain.run("--quick", "--out", out.toString());

        assertThat(report).isEqualTo(out.resolve("REPORT.md")).isRegularFile();
        String markdown = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(markdown).contains("Quick mode", "## Targets", "| JDK |", "| machine |", "| runs (start, duration, load, command");
        for (String chart : CHARTS) {
            assertThat(out.resolve(chart)).as(chart).isRegularFile();
            assertThat(Files.size(out.resolve(chart))).as(chart).isGreaterThan(1000);
            assertThat(markdown).contains("](" + chart + ")");
        }

        List<String> rows = Files.readAllLines(out.resolve("results.tsv"));
        for (Contender contender : Contender.all()) {
            for (String scenario : contender.scenarios()) {
                assertThat(rows).as(contender.name() + " in " + scenario)
                        .anyMatch(row -> row.startsWith(scenario + "\t" + contender.name() + "\t"));
            }
            // One row in the contenders table and at least one in a scenario's table.
            assertThat(markdown.split("\\| `" + contender.name() + "` \\|", -1).length - 1)
                    .as("report rows for " + contender.name()).isGreaterThanOrEqualTo(2);
        }
        String failures = markdown.lines().filter(line -> line.contains("FAILED") || line.contains("exited with code"))
                .collect(Collectors.joining("\n"));
        assertThat(failures).as("scenarios that failed").isEmpty();

        // A merged run replaces what it measures and keeps the rest.
        long kafkaMemoryRows = rows.stream().filter(row -> row.startsWith("memory\tkafka\t")).count();
        ComparisonMain.run("--quick", "--out", out.toString(), "--merge", "true", "--contenders", "kafka", "--scenarios", "memory");
        List<String> merged = Files.readAllLines(out.resolve("results.tsv"));
        assertThat(merged).hasSameSizeAs(rows);
        assertThat(merged.stream().filter(row -> row.startsWith("memory\tkafka\t")).count()).isEqualTo(kafkaMemoryRows);
        assertThat(merged).anyMatch(row -> row.startsWith("churn\tescapement-handle\t"));
        assertThat(Files.readAllLines(out.resolve("runs.txt"))).hasSize(2);
    }
}
