/**
 * The global timer: {@link dev.escapement.GlobalTimer} (built by its builder), the
 * {@link dev.escapement.TimerHandle} it returns, the {@link dev.escapement.TimerTask} it runs, the
 * primitive id path's {@link dev.escapement.TimerExpiryHandler}, and
 * {@link dev.escapement.TimerStats}.
 *
 * <p>Threading conventions of the package: public types are safe from any thread unless their
 * javadoc says otherwise. Package-private types name their thread in their first paragraph; those
 * "confined to the timer thread" are touched by {@code GlobalTimerTask} alone. Memory-ordering
 * reasons are given where the ordering happens.
 */
package dev.escapement;
