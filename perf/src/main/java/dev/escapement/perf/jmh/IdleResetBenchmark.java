package dev.escapement.perf.jmh;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
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
 * The per-packet path: a {@link TimerManager} idle reset on a connection picked at random among
 * {@code connections}, next to what Netty's {@code IdleStateHandler} does per read (store
 * {@code System.nanoTime()} in the connection's handler). The cached clock is refreshed once per
 * 256 packets, as a read burst would. The reset moves the idle deadline later, so it touches
 * neither the command queue nor the wheel; {@code -prof gc} shows it allocates nothing.
 *
 * <p>With many connections the figure is memory-bound: it measures how many cache lines a reset
 * touches as much as the instructions it runs.
 *
 * <p>Thread-safety: each benchmark thread has its own managers (as each event loop has its own
 * connections); the global timer is driven by the benchmark and never fires (deadlines are an hour
 * out).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IdleResetBenchmark {

    private static final long IDLE_TIMEOUT_S = 3600;

    /** A Netty handler's idle state: the last read time, set per read. */
    static final class NettyWayHandler {
        long lastReadTimeNs;
    }

    @Param({"1", "1000", "100000"})
    public int connections;

    private GlobalTimer timer;
    private TimerManager<TimeoutEvent>[] managers;
    private NettyWayHandler[] handlers;
    private long random = 0x9E3779B97F4A7C15L;
    private int packet;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void open() {
        timer = GlobalTimer.builder().drivenByCaller().build();
        managers = new TimerManager[connections];
        handlers = new NettyWayHandler[connections];
        for (int i = 0; i < connections; i++) {
            managers[i] = TimerManager.builder(timer, i).build();
            managers[i].register(TimeoutEvent.IDLE, IDLE_TIMEOUT_S, TimeUnit.SECONDS);
            handlers[i] = new NettyWayHandler();
        }
        timer.doWork();
    }

    @TearDown(Level.Trial)
    public void close() {
        for (TimerManager<TimeoutEvent> manager : managers) {
            manager.close();
        }
        timer.stop();
    }

    private int nextConnection() {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return (int) (((random >>> 32) * connections) >>> 32);
    }

    @Benchmark
    public boolean timerManagerReset() {
        if ((packet++ & 255) == 0) {
            timer.cachedClock().refresh();
        }
        return managers[nextConnection()].reset(TimeoutEvent.IDLE, IDLE_TIMEOUT_S, TimeUnit.SECONDS);
    }

    @Benchmark
    public long nettyWayRead() {
        NettyWayHandler handler = handlers[nextConnection()];
        handler.lastReadTimeNs = System.nanoTime();
        return handler.lastReadTimeNs;
    }
}
