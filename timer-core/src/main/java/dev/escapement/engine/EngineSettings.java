package dev.escapement.engine;

import dev.escapement.clock.NanoClock;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The settings an engine is built with, already validated by {@code GlobalTimerBuilder}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param tickNs               the wheel's tick
 * @param slotsPerLevel        the wheel's slots per level
 * @param maxPendingTimers     the bound on pending timers
 * @param commandQueueCapacity the command queue's capacity, a power of two
 * @param threadFactory        makes the timer thread; null for an engine driven by its caller
 * @param clock                the clock
 * @param callbackExecutor     runs handle tasks; null to run them on the timer thread
 */
public record EngineSettings(long tickNs, int slotsPerLevel, int maxPendingTimers, int commandQueueCapacity,
                             ThreadFactory threadFactory, NanoClock clock, Executor callbackExecutor) {
}
