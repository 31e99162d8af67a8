package dev.escapement.connection;

import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The edges {@link TimerManagerModelTest} leaves out: two hundred managers on one caller-driven
 * timer with a command queue of 16, timeouts held at {@link TimeoutLayer#MAX_DELAY_NS} (2^62 ns)
 * mixed with short ones, clocks that start at the end of their range and wrap, and registrations
 * and resets while the queue is full (by natural bursts, and by periods in which filler timers
 * fill it and nothing drains).
 *
 * <p>A plain model (a deadline per connection and type) says what must be delivered. Checked at
 * every delivery: the model has that timeout with that deadline, it is due, and it is delivered
 * once. After every settle: nothing due is left undelivered, the queries agree with the model,
 * and each manager's wheel entry covers its earliest deadline (armed at or before it, or a drain
 * owed), so that a long timeout never hides a short one; and no arm failed. A full queue never
 * refuses a manager (its entry's offers go to the queue's overflow; see
 * {@link TimerManagerFullQueueTest}), so no connection drains itself to recover: only the
 * wake-ups and random drains of its own deliver. At the end the clock moves past every held
 * deadline, and everything is delivered.
 */
@Timeout(60)
class TimerManagerEdgeModelTest {

    private static final int MANAGERS = 200;
    private static final int ROUNDS = 250;
    private static final int CALLS_PER_ROUND = 60;
    private static final int QUEUE_CAPACITY = 16;
    private static final TimeoutEvent[] TYPES = TimeoutEvent.values();
    private static final long NONE = TimerManager.NO_DEADLINE;
    private static final long HELD_NS = TimeoutLayer.MAX_DELAY_NS;

    private ManualClock clock;
    private GlobalTimer timer;
    private SplittableRandom random;
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<DefaultTimerManager<TimeoutEvent>> managers = new ArrayList<>();
    /** The model: the deadline per connection and type, or NONE. */
    private final long[][] model = new long[MANAGERS][TYPES.length];
    private final List<String> violations = new ArrayList<>();
    private long callsOnAFullQueue;
    private long longOnesHidingShortOnes;
    private long deliveries;

    @ParameterizedTest(name = "seed {0}, clock starting at {1}")
    @CsvSource({
            "11, 0",
            "12, 9223372036804775807",   // Long.MAX_VALUE - 50 ms: the clock wraps during the run
            "13, -77777777777",
            "14, 9223372036854775807"})  // Long.MAX_VALUE: it wraps at the first step
    void managersWithHeldAndShortTimeoutsAndAFullQueueMatchTheModel(long seed, long startNs) {
        clock = new ManualClock(startNs);
        timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(QUEUE_CAPACITY).build();
        random = new SplittableRandom(seed);
        for (int c = 0; c < MANAGERS; c++) {
            managers.add(open(c));
            Arrays.fill(model[c], NONE);
        }
        for (int round = 0; round < ROUNDS; round++) {
            if (random.nextInt(8) == 0) {
                fillTheQueue();
            }
            for (int call = 0; call < CALLS_PER_ROUND; call++) {
                operate();
            }
            clock.advance(step(), NANOSECONDS);
            settle();
            check("round " + round);
        }
        clock.advance(HELD_NS + HOURS.toNanos(1), NANOSECONDS);
        settle();
        check("past every held deadline");
        for (long[] deadlines : model) {
            for (long deadlineNs : deadlines) {
                assertThat(deadlineNs).as("every timeout delivered by the end").isEqualTo(NONE);
            }
        }
        assertThat(callsOnAFullQueue).as("registrations and resets while the queue was full").isPositive();
        assertThat(longOnesHidingShortOnes).as("held timeouts with shorter ones registered behind them").isPositive();
        assertThat(deliveries).isPositive();
        for (TimerManager<TimeoutEvent> manager : managers) {
            manager.close();
        }
        timer.doWork();
        assertThat(timer.stats().pending()).as("closing left no entry").isZero();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    @SuppressWarnings("unchecked")
    private DefaultTimerManager<TimeoutEvent> open(int connection) {
        return (DefaultTimerManager<TimeoutEvent>) TimerManager.builder(timer, connection)
                .wakeUp(eventLoop::add, (manager, due) -> delivered((int) manager.connectionId(), due))
                .recordStats().build();
    }

    // ------------------------------------------------------------------ calls

    private void operate() {
        int c = random.nextInt(MANAGERS);
        DefaultTimerManager<TimeoutEvent> manager = managers.get(c);
        TimeoutEvent type = TYPES[random.nextInt(TYPES.length)];
        int t = type.ordinal();
        long delay = delayNs();
        TimeUnit unit = NANOSECONDS;
        if (random.nextInt(20) == 0) {
            unit = DAYS;
            delay = random.nextLong(Long.MAX_VALUE);
        }
        long deadlineNs = deadlineAfter(clock.nanoTime(), unit.toNanos(delay));
        long earliestBefore = earliest(c);
        int choice = random.nextInt(100);
        if (choice < 40) {
            boolean behindAFarOne = earliestBefore != NONE && earliestBefore - clock.nanoTime() > HOURS.toNanos(1);
            if (behindAFarOne && deadlineNs - earliestBefore < 0) {
                longOnesHidingShortOnes++;
            }
            model[c][t] = deadlineNs;
            countFullQueue();
            manager.register(type, delay, unit);
        } else if (choice < 70) {
            boolean active = model[c][t] != NONE;
            if (active) {
                model[c][t] = deadlineNs;
            }
            countFullQueue();
            assertThat(manager.reset(type, delay, unit)).isEqualTo(active);
        } else if (choice < 88) {
            assertThat(manager.cancel(type)).isEqualTo(model[c][t] != NONE);
            model[c][t] = NONE;
        } else if (choice < 93) {
            int active = 0;
            for (int i = 0; i < TYPES.length; i++) {
                active += model[c][i] != NONE ? 1 : 0;
                model[c][i] = NONE;
            }
            assertThat(manager.cancelAll()).isEqualTo(active);
        } else if (choice < 95) {
            manager.close();
            assertThatThrownBy(() -> manager.register(type, 1, SECONDS)).isInstanceOf(IllegalStateException.class);
            Arrays.fill(model[c], NONE);
            managers.set(c, open(c));
        } else {
            // The connection drains on its own schedule, full queue or not.
            countFullQueue();
            drain(c);
        }
    }

    private void countFullQueue() {
        if (timer.stats().commandQueueDepth() >= QUEUE_CAPACITY) {
            callsOnAFullQueue++;
        }
    }

    private long delayNs() {
        return switch (random.nextInt(20)) {
            case 0, 1, 2, 3, 4, 5, 6 -> random.nextLong(MILLISECONDS.toNanos(50));
            case 7, 8 -> 0;
            case 9, 10, 11 -> random.nextLong(SECONDS.toNanos(1), HOURS.toNanos(3));
            case 12, 13 -> Long.MAX_VALUE;
            case 14, 15 -> HELD_NS + random.nextLong(-2, 3);
            case 16, 17 -> random.nextLong(HELD_NS, Long.MAX_VALUE);
            default -> random.nextLong(DAYS.toNanos(1), HELD_NS);
        };
    }

    private long step() {
        int r = random.nextInt(100);
        if (r < 80) {
            return random.nextLong(MILLISECONDS.toNanos(40));
        }
        return r < 95 ? random.nextLong(SECONDS.toNanos(1), HOURS.toNanos(3)) : 0;
    }

    /** Filler timers until the queue refuses one: nothing drains until the next settle. */
    private void fillTheQueue() {
        for (int i = 0; i <= QUEUE_CAPACITY; i++) {
            try {
                timer.schedule(h -> { }, 1, HOURS);
            } catch (RejectedExecutionException full) {
                return;
            }
        }
        throw new AssertionError("the queue never filled");
    }

    // ------------------------------------------------------------------ passes, wake-ups and drains

    /** Passes and wake-ups until nothing is left to do, a pass between every few wake-ups. */
    private void settle() {
        int work;
        int passes = 0;
        do {
            assertThat(++passes).as("passes until quiet: a manager woken on every pass?").isLessThan(10_000);
            work = timer.doWork();
            int run = 0;
            for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
                task.run();
                work++;
                if (++run % (QUEUE_CAPACITY / 2) == 0) {
                    work += timer.doWork();
                }
            }
        } while (work > 0);
    }

    private void drain(int c) {
        delivered(c, managers.get(c).checkTimerEvents());
    }

    /** A drain's result: each event the model has, due, and now consumed. */
    private void delivered(int c, TimeoutCheckResult due) {
        long nowNs = clock.nanoTime();
        for (int i = 0; i < due.eventCount(); i++) {
            int t = due.event(i).ordinal();
            long deadlineNs = due.deadlineNs(i);
            if (model[c][t] != deadlineNs) {
                violations.add("connection " + c + ": " + due.event(i) + " delivered at " + deadlineNs
                        + ", the model has " + model[c][t]);
            } else if (deadlineNs - nowNs > 0) {
                violations.add("connection " + c + ": " + due.event(i) + " delivered " + (deadlineNs - nowNs) + " ns early");
            }
            model[c][t] = NONE;
            deliveries++;
        }
    }

    // ------------------------------------------------------------------ checks

    private void check(String when) {
        assertThat(violations).as(when).isEmpty();
        long nowNs = clock.nanoTime();
        for (int c = 0; c < MANAGERS; c++) {
            DefaultTimerManager<TimeoutEvent> manager = managers.get(c);
            for (TimeoutEvent type : TYPES) {
                long deadlineNs = model[c][type.ordinal()];
                assertThat(deadlineNs == NONE || deadlineNs - nowNs > 0)
                        .as("%s: connection %d's %s, due at %d, was not delivered by %d", when, c, type, deadlineNs, nowNs)
                        .isTrue();
                assertThat(manager.deadline(type)).as("%s: deadline(%s) of %d", when, type, c).isEqualTo(deadlineNs);
                assertThat(manager.isActive(type)).isEqualTo(deadlineNs != NONE);
            }
            long earliest = earliest(c);
            assertThat(manager.nextDeadline()).as("%s: nextDeadline of %d", when, c).isEqualTo(earliest);
            if (earliest != NONE) {
                assertThat(manager.isExpirySignalled() || manager.isArmed() && manager.armedDeadlineNs() - earliest <= 0)
                        .as("%s: connection %d's entry (%s) covers its earliest deadline %d", when, c, manager, earliest)
                        .isTrue();
            }
            assertThat(manager.stats().armFailures()).as("%s: connection %d's failed arms", when, c).isZero();
        }
    }

    private long earliest(int c) {
        long earliest = NONE;
        for (long deadlineNs : model[c]) {
            if (deadlineNs != NONE && (earliest == NONE || deadlineNs - earliest < 0)) {
                earliest = deadlineNs;
            }
        }
        return earliest;
    }

    /** The manager's rule: the delay held at 2^62 ns, and never the NONE sentinel itself. */
    private static long deadlineAfter(long nowNs, long delayNs) {
        long deadlineNs = nowNs + Math.min(delayNs, HELD_NS);
        return deadlineNs == NONE ? deadlineNs + 1 : deadlineNs;
    }
}
