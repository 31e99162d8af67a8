package dev.escapement.connection;

import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.RETRANSMISSION;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.unified.TimeoutLayer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A manager's wheel entry is armed and moved even when the command queue is full (its offers go
 * to the queue's overflow), so that no timeout it holds is left uncovered. The smallest
 * reproductions of what {@link TimerManagerEdgeModelTest} found when a full queue refused them:
 * timeouts never delivered, and (the last) a manager woken on every pass. A caller-driven timer
 * with a command queue of 16 and a manual clock; wake-ups run on a queue the test runs.
 */
class TimerManagerFullQueueTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<String> delivered = new ArrayList<>();

    private TimerManager<TimeoutEvent> open(long connection) {
        return TimerManager.builder(timer, connection)
                .wakeUp(eventLoop::add, (manager, due) -> {
                    for (int i = 0; i < due.eventCount(); i++) {
                        delivered.add(due.event(i) + "@" + clock.nanoTime() / 1_000_000 + "ms");
                    }
                })
                .recordStats().build();
    }

    private void fillTheQueue() {
        for (int i = 0; i <= 16; i++) {
            try {
                timer.schedule(h -> { }, 1, HOURS);
            } catch (RejectedExecutionException full) {
                return;
            }
        }
        throw new AssertionError("the queue never filled");
    }

    /** Passes and wake-ups until neither has anything to do, at most {@code passes} passes. */
    private int settle(int passes) {
        int done = 0;
        int work;
        do {
            work = timer.doWork();
            for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
                task.run();
                work++;
            }
        } while (work > 0 && ++done < passes);
        return done;
    }

    private void advanceMs(long ms) {
        for (long i = 0; i < ms; i++) {
            clock.advance(1, MILLISECONDS);
            settle(100);
        }
    }

    @Test
    void aRegistrationOnAnUnarmedManagerWithTheQueueFullIsDeliveredOnTime() {
        TimerManager<TimeoutEvent> manager = open(1);
        fillTheQueue();
        manager.register(IDLE, 10, MILLISECONDS);
        assertThat(manager.stats().wheelSchedules()).isEqualTo(1);
        advanceMs(20);
        assertThat(delivered).as("was: refused, then never delivered").containsExactly("IDLE@10ms");
        assertThat(manager.stats().armFailures()).isZero();
    }

    @Test
    void aShortTimeoutBehindAHeldOneWithTheQueueFullIsDeliveredOnTime() {
        TimerManager<TimeoutEvent> manager = open(1);
        manager.register(IDLE, Long.MAX_VALUE, NANOSECONDS);
        settle(100);
        fillTheQueue();
        manager.register(RETRANSMISSION, 10, MILLISECONDS);
        assertThat(manager.stats().wheelMoves()).isEqualTo(1);
        advanceMs(20);
        assertThat(delivered).as("was: refused, then never delivered").containsExactly("RETRANSMISSION@10ms");
    }

    @Test
    void theTimeoutsLeftWhenAWakeUpCouldNotReArmAreStillDelivered() {
        TimerManager<TimeoutEvent> manager = open(1);
        manager.register(IDLE, 5, MILLISECONDS);
        manager.register(RETRANSMISSION, 20, MILLISECONDS);
        clock.advance(5, MILLISECONDS);
        timer.doWork();
        fillTheQueue();
        // The wake-up runs while the queue is full: IDLE is delivered, and RETRANSMISSION re-armed.
        for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
            task.run();
        }
        assertThat(manager.stats().armFailures()).isZero();
        advanceMs(30);
        assertThat(delivered).as("was: [IDLE@5ms]").containsExactly("IDLE@5ms", "RETRANSMISSION@20ms");
    }

    @Test
    void aHeldTimeoutRegisteredLateInTheTimersLifeDoesNotWakeItsConnectionOnEveryPass() {
        TimerManager<TimeoutEvent> manager = open(1);
        clock.advance(TimeoutLayer.MAX_DELAY_NS + 1_000_000_000L, NANOSECONDS);
        timer.doWork();
        manager.register(IDLE, Long.MAX_VALUE, NANOSECONDS);
        assertThat(settle(1_000)).as("passes until quiet; was: never").isLessThan(10);
        assertThat(manager.stats().emptyDrains()).isZero();
    }
}
