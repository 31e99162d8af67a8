package dev.escapement.connection;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.unified.TimeoutCheckResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A thousand managers share one wheel and take random registrations, resets, cancels, closes and
 * clock advances; a plain reference model (an array of deadlines per connection) says what must
 * be delivered. After every advance to a tick boundary, each timeout due by then has been
 * delivered exactly once, in deadline order per connection, none early, and nothing else; and
 * the wheel holds at most one entry per connection.
 */
class TimerManagerModelTest {

    private static final int MANAGERS = 1_000;
    private static final TimeoutEvent[] TYPES = TimeoutEvent.values();
    private static final long NONE = TimerManager.NO_DEADLINE;

    private record Delivery(int connection, TimeoutEvent type, long deadlineNs) {
    }

    private ManualClock clock;
    private GlobalTimer timer;
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<Delivery> delivered = new ArrayList<>();
    private final List<TimerManager<TimeoutEvent>> managers = new ArrayList<>();
    /** The reference model: the expected deadline per connection and type, or NONE. */
    private final long[][] model = new long[MANAGERS][TYPES.length];

    private TimerManager<TimeoutEvent> open(int connection) {
        return TimerManager.builder(timer, connection)
                .wakeUp(eventLoop::add, (manager, due) -> record((int) manager.connectionId(), due))
                .recordStats().build();
    }

    private void record(int connection, TimeoutCheckResult due) {
        for (int i = 0; i < due.eventCount(); i++) {
            delivered.add(new Delivery(connection, (TimeoutEvent) due.event(i), due.deadlineNs(i)));
        }
    }

    @ParameterizedTest(name = "seed {0}, clock starting at {1}")
    @CsvSource({
            "1, 0",
            "2, 9223372036804775807",   // Long.MAX_VALUE - 50 ms: the clock wraps during the run
            "3, -77777777777"})
    void aThousandManagersOnOneWheelMatchTheReferenceModel(long seed, long startNs) {
        clock = new ManualClock(startNs);
        timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        for (int c = 0; c < MANAGERS; c++) {
            managers.add(open(c));
            java.util.Arrays.fill(model[c], NONE);
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 150; round++) {
            for (int op = 0; op < 400; op++) {
                operate(random);
            }
            clock.advance(random.nextInt(0, 40), MILLISECONDS);   // tick boundaries only
            settle();
            checkDeliveries(round);
            checkQueries();
        }
        for (TimerManager<TimeoutEvent> manager : managers) {
            manager.close();
        }
        timer.doWork();
        assertThat(timer.stats().pending()).as("closing left no entry").isZero();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    private void operate(SplittableRandom random) {
        int c = random.nextInt(MANAGERS);
        TimerManager<TimeoutEvent> manager = managers.get(c);
        TimeoutEvent type = TYPES[random.nextInt(TYPES.length)];
        long delayNs = random.nextLong(0, MILLISECONDS.toNanos(120));
        long nowNs = clock.nanoTime();   // the cached clock equals it: every advance is followed by a pass
        int choice = random.nextInt(100);
        if (choice < 35) {
            manager.register(type, delayNs, NANOSECONDS);
            model[c][type.ordinal()] = nowNs + delayNs;
        } else if (choice < 75) {
            boolean active = model[c][type.ordinal()] != NONE;
            assertThat(manager.reset(type, delayNs, NANOSECONDS)).isEqualTo(active);
            if (active) {
                model[c][type.ordinal()] = nowNs + delayNs;
            }
        } else if (choice < 92) {
            assertThat(manager.cancel(type)).isEqualTo(model[c][type.ordinal()] != NONE);
            model[c][type.ordinal()] = NONE;
        } else if (choice < 97) {
            int active = 0;
            for (int t = 0; t < TYPES.length; t++) {
                active += model[c][t] != NONE ? 1 : 0;
                model[c][t] = NONE;
            }
            assertThat(manager.cancelAll()).isEqualTo(active);
        } else {
            manager.close();
            java.util.Arrays.fill(model[c], NONE);
            managers.set(c, open(c));
        }
    }

    /** Passes of the timer and runs of the event loop until neither has anything left to do. */
    private void settle() {
        int work;
        do {
            work = timer.doWork();
            for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
                task.run();
                work++;
            }
        } while (work > 0);
    }

    private void checkDeliveries(int round) {
        long nowNs = clock.nanoTime();
        List<Delivery> expected = new ArrayList<>();
        for (int c = 0; c < MANAGERS; c++) {
            for (int t = 0; t < TYPES.length; t++) {
                long deadlineNs = model[c][t];
                if (deadlineNs != NONE && deadlineNs - nowNs <= 0) {
                    expected.add(new Delivery(c, TYPES[t], deadlineNs));
                    model[c][t] = NONE;
                }
            }
        }
        assertThat(delivered).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected);
        for (int i = 1; i < delivered.size(); i++) {
            Delivery previous = delivered.get(i - 1);
            Delivery current = delivered.get(i);
            if (previous.connection() == current.connection()) {
                assertThat(current.deadlineNs() - previous.deadlineNs()).as("deadline order").isNotNegative();
            }
        }
        delivered.clear();
    }

    private void checkQueries() {
        long earliestOverall = 0;
        for (int c = 0; c < MANAGERS; c++) {
            TimerManager<TimeoutEvent> manager = managers.get(c);
            long earliest = NONE;
            for (TimeoutEvent type : TYPES) {
                long deadlineNs = model[c][type.ordinal()];
                assertThat(manager.deadline(type)).isEqualTo(deadlineNs);
                assertThat(manager.isActive(type)).isEqualTo(deadlineNs != NONE);
                if (deadlineNs != NONE && (earliest == NONE || deadlineNs - earliest < 0)) {
                    earliest = deadlineNs;
                }
            }
            assertThat(manager.nextDeadline()).isEqualTo(earliest);
            earliestOverall += earliest == NONE ? 0 : 1;
        }
        // One entry per connection at most, and one for every connection that waits for something.
        assertThat(timer.stats().pending()).isBetween(earliestOverall, (long) MANAGERS);
    }
}
