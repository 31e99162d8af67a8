package dev.escapement.perf.jmh;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerHandle;
import dev.escapement.TimerTask;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Schedule + cancel pairs with {@code pending} other timers in the wheel: the cost must not grow
 * with the population. The timer is driven by the benchmark thread ({@code drivenByCaller}), which
 * runs one duty-cycle pass every {@value #PAIRS_PER_PASS} pairs, so a figure is the whole cost of a
 * pair: the producer's calls and the timer thread's share (linking, unlinking, freeing). Each pair
 * cancels the timeout scheduled {@value #RING} pairs earlier and schedules one 1-30 s out; the
 * background timers are 1 minute to 1 hour out, so none fires during a run.
 *
 * <p>Thread-safety: one benchmark thread per state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+UseG1GC"})
public class ScheduleCancelBenchmark {

    private static final int RING = 1024;
    private static final int PAIRS_PER_PASS = 256;
    private static final int DELAYS = 1 << 12;
    private static final TimerTask TASK = handle -> { };
    private static final TimerExpiryHandler HANDLER = (timerId, nowNs) -> { };

    /** Timers pending besides the ring. */
    @Param({"1000", "1000000", "10000000"})
    public int pending;

    private GlobalTimer timer;
    private final long[] delaysNs = new long[DELAYS];
    private final long[] ids = new long[RING];
    private final TimerHandle[] handles = new TimerHandle[RING];
    private int position;
    private int next;

    @Setup(Level.Trial)
    public void fill() {
        timer = GlobalTimer.builder().drivenByCaller().build();
        Random random = new Random(42);
        for (int i = 0; i < DELAYS; i++) {
            delaysNs[i] = TimeUnit.SECONDS.toNanos(1) + (long) (random.nextDouble() * TimeUnit.SECONDS.toNanos(29));
        }
        long minuteNs = TimeUnit.MINUTES.toNanos(1);
        for (int i = 0; i < pending; i++) {
            timer.scheduleTimer(HANDLER, minuteNs + (long) (random.nextDouble() * 59 * minuteNs), TimeUnit.NANOSECONDS);
            if ((i & 4095) == 0) {
                timer.doWork();
            }
        }
        for (int i = 0; i < RING; i++) {
            ids[i] = timer.scheduleTimer(HANDLER, delaysNs[i], TimeUnit.NANOSECONDS);
            handles[i] = timer.schedule(TASK, delaysNs[i], TimeUnit.NANOSECONDS);
        }
        while (timer.doWork() > 0) {
            // Apply everything before measuring.
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        timer.stop();
    }

    /** The primitive path: {@code cancelTimer(id)} then {@code scheduleTimer(handler, delay)}. */
    @Benchmark
    public long idPath() {
        int slot = position;
        timer.cancelTimer(ids[slot]);
        long id = timer.scheduleTimer(HANDLER, delaysNs[next & (DELAYS - 1)], TimeUnit.NANOSECONDS);
        ids[slot] = id;
        advance();
        return id;
    }

    /** The handle path: {@code handle.cancel()} then {@code schedule(task, delay)}. */
    @Benchmark
    public TimerHandle handlePath() {
        int slot = position;
        handles[slot].cancel();
        TimerHandle handle = timer.schedule(TASK, delaysNs[next & (DELAYS - 1)], TimeUnit.NANOSECONDS);
        handles[slot] = handle;
        advance();
        return handle;
    }

    private void advance() {
        position = (position + 1) & (RING - 1);
        if ((++next & (PAIRS_PER_PASS - 1)) == 0) {
            timer.doWork();
        }
    }
}
