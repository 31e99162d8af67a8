/**
 * JMH benchmarks of Escapement's core paths (SPEC P1), built into {@code perf/target/benchmarks.jar}:
 * run {@code java -jar perf/target/benchmarks.jar -prof gc} for time and bytes allocated per
 * operation.
 *
 * <ul>
 *   <li>{@link dev.escapement.perf.jmh.ScheduleCancelBenchmark}: schedule + cancel pairs on the id
 *       path and the handle path with 1 K, 1 M and 10 M other timers pending.</li>
 *   <li>{@link dev.escapement.perf.jmh.ExpiryBenchmark}: expiry throughput, timers fired per second
 *       by the timer's duty cycle.</li>
 *   <li>{@link dev.escapement.perf.jmh.ClockBenchmark}: a {@code CachedClock} read against
 *       {@code System.nanoTime()}.</li>
 *   <li>{@link dev.escapement.perf.jmh.IdleResetBenchmark}: the per-packet path, a
 *       {@code TimerManager} idle reset with 1, 1 K and 100 K connections, next to the Netty
 *       way's read-time store.</li>
 *   <li>{@link dev.escapement.perf.jmh.UnifiedSchedulerBenchmark}: a
 *       {@code UnifiedTimeoutScheduler}'s next wake-up over 4 layers, cached and after an
 *       invalidation.</li>
 * </ul>
 *
 * <p>Thread-safety: JMH confines each benchmark state to the threads its scope names.
 */
package dev.escapement.perf.jmh;
