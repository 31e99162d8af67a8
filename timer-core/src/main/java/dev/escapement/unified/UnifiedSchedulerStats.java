package dev.escapement.unified;

/**
 * A snapshot of a {@link UnifiedTimeoutScheduler}'s counters, from
 * {@link UnifiedTimeoutScheduler#stats()}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param checks           queries of the unified deadline ({@link UnifiedTimeoutScheduler#nextDeadline()},
 *                         including the one each {@link UnifiedTimeoutScheduler#checkAll(long)} makes)
 * @param cacheHits        queries answered from the cache, without asking a layer
 * @param invalidations    layer changes that made the cache unknown (the layer holding the earliest
 *                         deadline removed it or moved it later)
 * @param checkAllRuns     calls of {@link UnifiedTimeoutScheduler#checkAll(long)}
 * @param layerChecks      layers those calls checked (only layers with a due deadline are checked)
 * @param totalCheckTimeNs time spent in {@code checkAll}, measured on the scheduler's stopwatch
 */
public record UnifiedSchedulerStats(
        long checks,
        long cacheHits,
        long invalidations,
        long checkAllRuns,
        long layerChecks,
        long totalCheckTimeNs) {

    /** @return the share of {@link #checks()} answered from the cache, from 0 to 1; 0 when none */
    public double hitRate() {
        return checks == 0 ? 0.0 : (double) cacheHits / checks;
    }

    /** @return the mean time of one {@code checkAll} run, in nanoseconds; 0 when none */
    public double meanCheckTimeNs() {
        return checkAllRuns == 0 ? 0.0 : (double) totalCheckTimeNs / checkAllRuns;
    }
}
