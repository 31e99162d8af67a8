package dev.escapement.perf.compare;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Escapement's {@link GlobalTimer} with its default settings except the tick, on the handle path
 * ({@code schedule} returning a {@link TimerHandle}) or the primitive id path
 * ({@code scheduleTimer} returning a {@code long}).
 *
 * <p>A full command queue is met as a user would meet it: the producer waits while the timer
 * reports {@link GlobalTimer#isApplyingBackpressure() backpressure}, then tries again
 * ({@link #awaitRoom}); the refusals are counted ({@link #backpressureRetries()}).
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class EscapementContender implements EscapementBacked {

    private static final long BACKPRESSURE_PAUSE_NS = 20_000;

    private final boolean idPath;
    private final long tickNs;
    private final LongAdder backpressureRetries = new LongAdder();
    private GlobalTimer timer;
    private TimerHandle[] handles;
    private long[] ids;

    EscapementContender(boolean idPath, long tickNs) {
        this.idPath = idPath;
        this.tickNs = tickNs;
    }

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        timer = GlobalTimer.builder()
                .tick(tickNs, TimeUnit.NANOSECONDS)
                .threadName("tmr-escapement")
                .build();
        timer.start();
        if (idPath) {
            ids = new long[slots];
        } else {
            handles = new TimerHandle[slots];
        }
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        while (true) {
            try {
                if (idPath) {
                    ids[slot] = timer.scheduleTimer(action, delayNs, TimeUnit.NANOSECONDS);
                } else {
                    handles[slot] = timer.schedule(action, delayNs, TimeUnit.NANOSECONDS);
                }
                return;
            } catch (RejectedExecutionException full) {
                awaitRoom(timer, full);
                backpressureRetries.increment();
            }
        }
    }

    @Override
    public void cancel(int slot) {
        if (idPath) {
            long id = ids[slot];
            if (id != 0) {
                timer.cancelTimer(id);
                ids[slot] = 0;
            }
        } else {
            TimerHandle handle = handles[slot];
            if (handle != null) {
                handle.cancel();
                handles[slot] = null;
            }
        }
    }

    /**
     * After a refused schedule: waits for the timer thread to drain a quarter of the queue, rather
     * than spin on exceptions and take the CPU it needs.
     *
     * @param timer   the global timer that refused
     * @param refusal the refusal, rethrown if the timer has stopped (no room will come)
     */
    static void awaitRoom(GlobalTimer timer, RejectedExecutionException refusal) {
        if (timer.isStopped()) {
            throw refusal;
        }
        do {
            LockSupport.parkNanos(BACKPRESSURE_PAUSE_NS);
        } while (timer.isApplyingBackpressure());
    }

    @Override
    public long backpressureRetries() {
        return backpressureRetries.sum();
    }

    @Override
    public GlobalTimer globalTimer() {
        return timer;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.stop();
        }
        timer = null;
        handles = null;
        ids = null;
    }
}
