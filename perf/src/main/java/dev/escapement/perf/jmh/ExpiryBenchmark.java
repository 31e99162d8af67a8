package dev.escapement.perf.jmh;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerTask;
import dev.escapement.clock.ManualClock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Expiry throughput: {@value #TIMERS} timers, spread over 64 ticks, are scheduled and linked
 * before each invocation (not timed); the invocation advances a manual clock past them all and
 * runs duty-cycle passes until every one has fired. A figure is the time per expired timer. Note
 * that {@code -prof gc} also counts what the untimed set-up allocates (the handles, on the handle
 * path).
 *
 * <p>Thread-safety: one benchmark thread per state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
public class ExpiryBenchmark {

    static final int TIMERS = 1 << 16;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private ManualClock clock;
    private GlobalTimer timer;
    private long fired;
    private final TimerExpiryHandler handler = (timerId, nowNs) -> fired++;
    private final TimerTask task = handle -> fired++;

    @Setup(Level.Trial)
    public void createTimer() {
        clock = new ManualClock();
        timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    }

    @TearDown(Level.Trial)
    public void stop() {
        timer.stop();
    }

    /** Which path schedules the timers: {@code scheduleTimer} (id) or {@code schedule} (handle). */
    @Param({"id", "handle"})
    public String path;

    @Setup(Level.Invocation)
    public void scheduleTimers() {
        fill(path.equals("id"));
    }

    void fill(boolean idPath) {
        for (int i = 0; i < TIMERS; i++) {
            long delayNs = TICK_NS * (1 + (i & 63));
            if (idPath) {
                timer.scheduleTimer(handler, delayNs, TimeUnit.NANOSECONDS);
            } else {
                timer.schedule(task, delayNs, TimeUnit.NANOSECONDS);
            }
        }
        while (timer.doWork() > 0) {
            // A pass applies a bounded number of commands: link them all before the clock moves.
        }
        fired = 0;
        clock.advance(65, TimeUnit.MILLISECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(TIMERS)
    public long expire() {
        return expireAll();
    }

    private long expireAll() {
        while (fired < TIMERS) {
            timer.doWork();
        }
        return fired;
    }
}
