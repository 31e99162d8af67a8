package dev.escapement;

import dev.escapement.clock.NanoClock;
import dev.escapement.engine.EngineSettings;
import dev.escapement.wheel.TimingWheel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Configures a {@link GlobalTimer}; get one from {@link GlobalTimer#builder()}. Every setting has
 * a default; {@link #build()} validates them all and throws {@link IllegalArgumentException}
 * naming the parameter, its value and the allowed range, e.g.
 * {@code tick must be between 1 µs and 1 s: 0 ns}.
 *
 * <p>Not thread-safe: confine a builder to one thread.
 */
public final class GlobalTimerBuilder {

    private long tickNs = GlobalTimer.DEFAULT_TICK_NS;
    private int slotsPerLevel = TimingWheel.DEFAULT_SLOTS_PER_LEVEL;
    private int maxPendingTimers = GlobalTimer.DEFAULT_MAX_PENDING_TIMERS;
    private int commandQueueCapacity = GlobalTimer.DEFAULT_COMMAND_QUEUE_CAPACITY;
    private String threadName = GlobalTimer.DEFAULT_THREAD_NAME;
    private ThreadFactory threadFactory;
    private NanoClock clock = NanoClock.system();
    private Executor callbackExecutor;
    private boolean drivenByCaller;
    private boolean jmx;

    GlobalTimerBuilder() {
    }

    /**
     * The wheel's tick, default 1 ms, from 1 µs to 1 s. Timers fire at their exact deadline; the
     * tick is the width of the wheel's finest slot, so it decides how many timers share a slot.
     *
     * @param tick the tick
     * @param unit its unit
     * @return this builder
     */
    public GlobalTimerBuilder tick(long tick, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        this.tickNs = unit.toNanos(tick);
        return this;
    }

    /**
     * The wheel's tick, default 1 ms, from 1 µs to 1 s.
     *
     * @param tick the tick
     * @return this builder
     */
    public GlobalTimerBuilder tick(Duration tick) {
        Objects.requireNonNull(tick, "tick");
        this.tickNs = GlobalTimer.saturatedNanos(tick);
        return this;
    }

    /**
     * Slots per wheel level: a power of two from 2 to 64, default 64. The number of levels
     * follows, so that every delay up to {@link Long#MAX_VALUE} ns fits.
     *
     * @param slotsPerLevel slots per level
     * @return this builder
     */
    public GlobalTimerBuilder slotsPerLevel(int slotsPerLevel) {
        this.slotsPerLevel = slotsPerLevel;
        return this;
    }

    /**
     * The most timers pending at once, from 1 to 2^30, default 2^26. Past it a schedule throws
     * {@link RejectedExecutionException}. The count is the timers the timer thread holds, as it
     * last published them, plus the commands waiting for it or taken since: exact for one
     * producer, and exceeded by at most one timer per other thread scheduling at the same
     * instant (each may read the count before the others' offers land).
     *
     * @param maxPendingTimers the bound
     * @return this builder
     */
    public GlobalTimerBuilder maxPendingTimers(int maxPendingTimers) {
        this.maxPendingTimers = maxPendingTimers;
        return this;
    }

    /**
     * The most commands waiting for the timer thread: a power of two from 16 to 2^30, default
     * 2^20 (allocated up front, 4 bytes each). Past it a schedule throws
     * {@link RejectedExecutionException}.
     *
     * @param commandQueueCapacity the bound
     * @return this builder
     */
    public GlobalTimerBuilder commandQueueCapacity(int commandQueueCapacity) {
        this.commandQueueCapacity = commandQueueCapacity;
        return this;
    }

    /**
     * The timer thread's name, default {@value GlobalTimer#DEFAULT_THREAD_NAME}. Ignored when a
     * thread factory is set.
     *
     * @param threadName the name
     * @return this builder
     */
    public GlobalTimerBuilder threadName(String threadName) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        return this;
    }

    /**
     * Creates the timer thread instead of the default (a daemon thread named
     * {@link #threadName}). The factory decides name, daemon flag and priority.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public GlobalTimerBuilder threadFactory(ThreadFactory threadFactory) {
        this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
        return this;
    }

    /**
     * The clock, default {@link NanoClock#system()}. Tests pass a
     * {@link dev.escapement.clock.ManualClock} together with {@link #drivenByCaller()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public GlobalTimerBuilder clock(NanoClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Runs handle tasks on this executor instead of the timer thread. A rejection is logged and
     * counted and fails the handle's future. Expiry handlers of the id path always run on the
     * timer thread.
     *
     * @param executor the executor
     * @return this builder
     */
    public GlobalTimerBuilder callbackExecutor(Executor executor) {
        this.callbackExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * No timer thread: the owner drives the timer by calling {@link GlobalTimer#doWork()} from one
     * thread (an event loop, or a test on a manual clock); {@code stop()}, {@code dump()} and
     * {@code cancelMatching} then run on the calling thread, which must be that one.
     *
     * @return this builder
     */
    public GlobalTimerBuilder drivenByCaller() {
        this.drivenByCaller = true;
        return this;
    }

    /**
     * Registers a JMX MXBean ({@link GlobalTimerMXBean}) under
     * {@code dev.escapement:type=GlobalTimer,name=<thread name>}, unregistered by
     * {@link GlobalTimer#stop()}. Off by default.
     *
     * @return this builder
     */
    public GlobalTimerBuilder jmx() {
        this.jmx = true;
        return this;
    }

    /**
     * Validates the settings and creates the timer. Its thread starts on first use.
     *
     * @return the timer
     * @throws IllegalArgumentException if a setting is out of range
     */
    public GlobalTimer build() {
        return new GlobalTimer(settings(), jmx ? threadName : null, false);
    }

    EngineSettings settings() {
        if (tickNs < GlobalTimer.MIN_TICK_NS || tickNs > GlobalTimer.MAX_TICK_NS) {
            throw new IllegalArgumentException("tick must be between 1 µs and 1 s: " + tickNs + " ns");
        }
        TimingWheel.checkSlotsPerLevel(slotsPerLevel);
        if (maxPendingTimers < 1 || maxPendingTimers > GlobalTimer.MAX_PENDING_TIMERS) {
            throw new IllegalArgumentException("maxPendingTimers must be between 1 and "
                    + GlobalTimer.MAX_PENDING_TIMERS + ": " + maxPendingTimers);
        }
        if (commandQueueCapacity < GlobalTimer.MIN_COMMAND_QUEUE_CAPACITY
                || commandQueueCapacity > GlobalTimer.MAX_COMMAND_QUEUE_CAPACITY
                || Integer.bitCount(commandQueueCapacity) != 1) {
            throw new IllegalArgumentException("commandQueueCapacity must be a power of two between "
                    + GlobalTimer.MIN_COMMAND_QUEUE_CAPACITY + " and " + GlobalTimer.MAX_COMMAND_QUEUE_CAPACITY
                    + ": " + commandQueueCapacity);
        }
        if (threadName.isBlank()) {
            throw new IllegalArgumentException("threadName must not be blank: \"" + threadName + "\"");
        }
        ThreadFactory factory = null;
        if (!drivenByCaller) {
            String name = threadName;
            factory = threadFactory != null ? threadFactory : runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            };
        }
        return new EngineSettings(tickNs, slotsPerLevel, maxPendingTimers, commandQueueCapacity, factory, clock,
                callbackExecutor);
    }
}
