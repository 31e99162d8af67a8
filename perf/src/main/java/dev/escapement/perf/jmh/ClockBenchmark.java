package dev.escapement.perf.jmh;

import dev.escapement.clock.CachedClock;
import dev.escapement.clock.NanoClock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A {@link CachedClock} read (one volatile load) against {@link System#nanoTime()}: the saving the
 * per-packet paths make by reading the cached clock, which a read burst refreshes once.
 *
 * <p>Thread-safety: the cached clock is shared by the benchmark threads, as it is in use.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClockBenchmark {

    private final CachedClock cached = new CachedClock(NanoClock.system());

    @Benchmark
    public long cachedClockRead() {
        return cached.nanoTime();
    }

    @Benchmark
    public long systemNanoTime() {
        return System.nanoTime();
    }

    /** A refresh, as the start of a read burst pays it: one source read and one publish. */
    @Benchmark
    public long cachedClockRefresh() {
        return cached.refresh();
    }
}
