/**
 * Time sources. Every part of Escapement reads time through a {@link dev.escapement.clock.NanoClock},
 * so tests run on a {@link dev.escapement.clock.ManualClock} without sleeping.
 *
 * <p>Conventions for the whole project: times are {@code long} nanoseconds from a monotonic clock,
 * named with a unit suffix ({@code deadlineNs}, {@code tickNs}); two readings are compared by
 * subtraction ({@code a - b < 0}), which stays correct when the counter wraps.
 */
package dev.escapement.clock;
