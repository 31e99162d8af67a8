#!/usr/bin/env bash
# Runs the side-by-side comparison (every scenario against every contender, each contender in a
# fresh JVM) and writes perf/results/REPORT.md with its charts. Needs only a JDK 17+ and Maven.
#   perf/run-comparison.sh            full run at the default sizes
#   perf/run-comparison.sh --quick    every scenario at tiny sizes, in seconds
#   perf/run-comparison.sh --help     every flag (sizes, contenders, scenarios, JVM flags)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dstyle.color=never -pl perf -am package -DskipTests
exec java -cp perf/target/benchmarks.jar dev.escapement.perf.compare.ComparisonMain \
    --command "perf/run-comparison.sh $*" "$@"
