package dev.escapement.connection;

import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import dev.escapement.unified.TimeoutCheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Managers on several event-loop threads (one single-thread executor each) against the real
 * timer thread. Each connection is driven on its own loop, like a Netty channel, and closes while
 * the others are still busy. Every timeout is accounted for (delivered, replaced, cancelled or
 * still pending at close), every wheel entry too (the timer's counters equal the managers'), no
 * two wake-ups of one manager are ever outstanding, and afterwards no timer is left and no
 * connection is registered. The loops only record; the test thread asserts.
 */
@Timeout(120)
class TimerManagerConcurrencyTest {

    private static final int LOOPS = 4;
    private static final int CONNECTIONS_PER_LOOP = 50;
    private static final int OPERATIONS = 300;
    private static final long NONE = TimerManager.NO_DEADLINE;

    /** One connection, confined to its loop's thread except for the atomic wake-up counters. */
    private static final class Connection {
        final ScheduledExecutorService loop;
        final GlobalTimer timer;
        final SplittableRandom random;
        final ConcurrentLinkedQueue<String> violations;
        final CountDownLatch finished;
        final long[] expected = new long[TimeoutEvent.values().length];
        final AtomicInteger wakeUpsOutstanding = new AtomicInteger();
        final AtomicInteger wakeUpsRun = new AtomicInteger();
        TimerManager<TimeoutEvent> manager;
        int operationsLeft = OPERATIONS;
        long registered;
        long replaced;
        long cancelled;
        long delivered;
        long pendingAtClose;
        TimerManagerStats statsAtClose;

        Connection(ScheduledExecutorService loop, GlobalTimer timer, long seed,
                   ConcurrentLinkedQueue<String> violations, CountDownLatch finished) {
            this.loop = loop;
            this.timer = timer;
            this.random = new SplittableRandom(seed);
            this.violations = violations;
            this.finished = finished;
            java.util.Arrays.fill(expected, NONE);
        }

        /** The executor the manager wakes: counts hand-overs that overlap an unstarted one. */
        Executor wakeUpExecutor() {
            return task -> {
                if (wakeUpsOutstanding.incrementAndGet() > 1) {
                    violations.add("two wake-ups outstanding for connection " + manager.connectionId());
                }
                loop.execute(() -> {
                    wakeUpsOutstanding.decrementAndGet();
                    wakeUpsRun.incrementAndGet();
                    task.run();
                });
            };
        }

        void onTimeouts(TimeoutCheckResult due) {
            long nowNs = timer.nanoTime();
            for (int i = 0; i < due.eventCount(); i++) {
                TimeoutEvent type = (TimeoutEvent) due.event(i);
                long deadlineNs = due.deadlineNs(i);
                if (expected[type.ordinal()] != deadlineNs) {
                    violations.add("stale or unknown " + type + "@" + deadlineNs + " for connection "
                            + manager.connectionId() + ", expected " + expected[type.ordinal()]);
                }
                if (nowNs - deadlineNs < 0) {
                    violations.add("early " + type + " by " + (deadlineNs - nowNs) + " ns");
                }
                expected[type.ordinal()] = NONE;
                delivered++;
            }
        }

        void step() {
            try {
                if (operationsLeft-- == 0) {
                    closeUnderLoad();
                    return;
                }
                operate();
                loop.schedule(this::step, random.nextLong(0, 400), MICROSECONDS);
            } catch (Throwable failure) {
                violations.add("connection " + manager.connectionId() + " failed: " + failure);
                finished.countDown();
            }
        }

        private void operate() {
            manager.refreshClock();   // the start of a "read burst"
            TimeoutEvent type = TimeoutEvent.values()[random.nextInt(TimeoutEvent.values().length)];
            int slot = type.ordinal();
            long delayNs = random.nextLong(0, 3_000_000);
            int choice = random.nextInt(10);
            if (choice < 4) {
                if (expected[slot] != NONE) {
                    replaced++;
                }
                manager.register(type, delayNs, NANOSECONDS);
                registered++;
                expected[slot] = manager.deadline(type);
            } else if (choice < 8) {
                boolean moved = manager.reset(type, delayNs, NANOSECONDS);
                if (moved != (expected[slot] != NONE)) {
                    violations.add("reset of " + type + " returned " + moved);
                }
                if (moved) {
                    expected[slot] = manager.deadline(type);
                }
            } else {
                boolean wasActive = manager.cancel(type);
                if (wasActive != (expected[slot] != NONE)) {
                    violations.add("cancel of " + type + " returned " + wasActive);
                }
                if (wasActive) {
                    cancelled++;
                }
                expected[slot] = NONE;
            }
        }

        private void closeUnderLoad() {
            for (long deadlineNs : expected) {
                pendingAtClose += deadlineNs != NONE ? 1 : 0;
            }
            manager.close();
            statsAtClose = manager.stats();
            finished.countDown();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    void managersOnSeveralLoopsAccountForEveryTimeoutAndCloseCleanly(long seed) throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(100, MICROSECONDS).threadName("manager-test-timer").build();
        List<ScheduledExecutorService> loops = new ArrayList<>();
        for (int l = 0; l < LOOPS; l++) {
            String name = "loop-" + l;
            loops.add(Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, name)));
        }
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(LOOPS * CONNECTIONS_PER_LOOP);
        List<Connection> connections = new ArrayList<>();
        try {
            for (int l = 0; l < LOOPS; l++) {
                for (int k = 0; k < CONNECTIONS_PER_LOOP; k++) {
                    long id = l * 1_000L + k;
                    Connection connection = new Connection(loops.get(l), timer, seed * 1_000_003 + id, violations, finished);
                    connection.manager = TimerManager.builder(timer, id)
                            .wakeUp(connection.wakeUpExecutor(), (manager, due) -> connection.onTimeouts(due))
                            .recordStats().build();
                    connections.add(connection);
                }
            }
            assertThat(timer.stats().activeConnections()).isEqualTo(LOOPS * CONNECTIONS_PER_LOOP);
            connections.forEach(connection -> connection.loop.execute(connection::step));
            assertThat(finished.await(60, SECONDS)).as("every connection finished").isTrue();
            assertThat(timer.stats().activeConnections()).as("every connection unregistered").isZero();
        } finally {
            timer.stop();
            for (ScheduledExecutorService loop : loops) {
                loop.shutdown();
                assertThat(loop.awaitTermination(10, SECONDS)).isTrue();
            }
        }

        assertThat(violations).isEmpty();
        long delivered = 0;
        long schedules = 0;
        long cancels = 0;
        long expiries = 0;
        for (Connection connection : connections) {
            assertThat(connection.registered)
                    .as("connection %d: every timeout delivered, replaced, cancelled or pending at close",
                            connection.manager.connectionId())
                    .isEqualTo(connection.delivered + connection.replaced + connection.cancelled + connection.pendingAtClose);
            TimerManagerStats stats = connection.manager.stats();
            assertThat(stats.wakeUpFailures()).isZero();
            assertThat(connection.wakeUpsRun.get()).as("every wake-up handed over ran").isEqualTo(stats.wakeUps());
            // Drains are only made by wake-ups; one more wake-up may arrive after close and do nothing.
            assertThat(stats.wakeUps() - connection.statsAtClose.drains()).isBetween(0L, 1L);
            assertThat(stats.wakeUps()).isLessThanOrEqualTo(stats.expiries());
            delivered += connection.delivered;
            schedules += stats.wheelSchedules();
            cancels += stats.wheelCancels();
            expiries += stats.expiries();
        }
        assertThat(delivered).as("timeouts fired").isPositive();

        TimerStats stats = timer.stats();
        assertThat(stats.returnedByStop()).as("closing left no entry in the wheel").isZero();
        assertThat(stats.pending()).isZero();
        assertThat(stats.activeConnections()).isZero();
        assertThat(stats.scheduled()).as("every wheel entry is a manager's").isEqualTo(schedules);
        assertThat(stats.fired()).isEqualTo(expiries);
        assertThat(stats.cancelled()).isEqualTo(cancels);
        assertThat(stats.taskFailures()).isZero();
    }
}
