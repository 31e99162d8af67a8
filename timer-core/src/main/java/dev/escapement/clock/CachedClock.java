package dev.escapement.clock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A {@link NanoClock} whose reads return a value refreshed explicitly, once per batch of work,
 * so a hot path (a burst of packets each resetting an idle timeout) pays for one
 * {@link System#nanoTime()} per batch instead of one per read.
 *
 * <p>Thread-safety: any thread may read and refresh. A read is one volatile load. A refresh reads
 * the source and publishes the result by compare-and-set unless another thread has already
 * published a later one, so readings never go backwards and refreshing never blocks.
 *
 * <h2>Staleness</h2>
 * A read lags real time by at most the time since the last {@link #refresh()}. Whoever drives the
 * batch refreshes at its start: the timer thread at the start of each pass (for
 * {@link dev.escapement.GlobalTimer#cachedClock()}), a connection's event loop at the start of each
 * read burst. Deadlines computed from a cached reading are therefore early by at most that lag;
 * a timeout of {@code d} computed from it expires no earlier than {@code d - lag} after the real
 * event, which for idle and retransmission timeouts (milliseconds to minutes, refreshed every few
 * microseconds under load) is immaterial. Where a deadline must never be early, read the source.
 */
public final class CachedClock implements NanoClock {

    private static final VarHandle CACHED_NS;

    static {
        try {
            CACHED_NS = MethodHandles.lookup().findVarHandle(CachedClock.class, "cachedNs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NanoClock source;
    private volatile long cachedNs;

    /**
     * Creates a cached clock, reading the source once.
     *
     * @param source the clock to cache
     */
    public CachedClock(NanoClock source) {
        this.source = Objects.requireNonNull(source, "source");
        this.cachedNs = source.nanoTime();
    }

    /** @return the reading taken at the last {@link #refresh()} */
    @Override
    public long nanoTime() {
        return cachedNs;
    }

    /**
     * Reads the source and publishes the reading, unless a later one is already published.
     *
     * @return the cached reading after the refresh
     */
    public long refresh() {
        return update(source.nanoTime());
    }

    /**
     * Publishes a reading the caller has already taken from the source (the timer thread reads
     * the clock once per pass and shares it).
     *
     * @param nowNs a reading of the source
     * @return the cached reading after the update
     */
    public long update(long nowNs) {
        long current = cachedNs;
        // Lock-free: many event loops refresh one clock. A racing older reading must not win.
        while (nowNs - current > 0) {
            if (CACHED_NS.compareAndSet(this, current, nowNs)) {
                return nowNs;
            }
            current = cachedNs;
        }
        return current;
    }

    /** @return the underlying clock */
    public NanoClock source() {
        return source;
    }

    @Override
    public String toString() {
        return "CachedClock[" + cachedNs + " ns of " + source + "]";
    }
}
