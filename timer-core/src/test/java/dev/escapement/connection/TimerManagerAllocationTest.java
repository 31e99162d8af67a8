package dev.escapement.connection;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * The hot paths of a connection allocate nothing in steady state: an idle reset, and a whole
 * cycle of register, expiry, wake-up and drain. The timer is driven by the test thread, so the
 * timer thread's share (expiry and hand-off) is measured too.
 */
class TimerManagerAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private long eventsSeen;
    private final TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1)
            .wakeUp(eventLoop::add, (m, due) -> eventsSeen += due.eventCount())
            .build();

    private static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void anIdleResetAllocatesNothing() {
        manager.register(TimeoutEvent.IDLE, 30, SECONDS);
        int resets = 200_000;
        resetStorm(resets);
        long before = allocatedBytes();
        resetStorm(resets);
        double bytesPerReset = (allocatedBytes() - before) / (double) resets;
        assertThat(bytesPerReset).as("bytes allocated per reset").isLessThan(0.5);
    }

    private void resetStorm(int resets) {
        for (int i = 0; i < resets; i++) {
            manager.reset(TimeoutEvent.IDLE, 30, SECONDS);
        }
    }

    @Test
    void aCycleOfRegisterExpiryWakeUpAndDrainAllocatesNothing() {
        int cycles = 20_000;
        cycle(cycles);
        long before = allocatedBytes();
        cycle(cycles);
        double bytesPerCycle = (allocatedBytes() - before) / (double) cycles;
        assertThat(eventsSeen).isEqualTo(2L * cycles);
        assertThat(bytesPerCycle).as("bytes allocated per register + expiry + wake-up + drain").isLessThan(0.5);
    }

    /** The same cycle on a connection class that extends the manager, with a spread on its type. */
    @Test
    void aConnectionThatExtendsTheManagerWithASpreadAllocatesNothingPerCycle() {
        SpreadConnection connection = new SpreadConnection(timer, eventLoop);
        int cycles = 20_000;
        cycle(connection, cycles, 2);
        long before = allocatedBytes();
        cycle(connection, cycles, 2);
        double bytesPerCycle = (allocatedBytes() - before) / (double) cycles;
        assertThat(connection.events).isEqualTo(2L * cycles);
        assertThat(bytesPerCycle).as("bytes allocated per register + expiry + wake-up + drain").isLessThan(0.5);
    }

    private static final class SpreadConnection extends AbstractTimerManager<TimeoutEvent> {
        long events;

        SpreadConnection(GlobalTimer timer, ArrayDeque<Runnable> loop) {
            super(TimerManager.builder(timer, 2).wakeUp(loop::add).spread(TimeoutEvent.RETRANSMISSION, 1, MILLISECONDS));
        }

        @Override
        protected void onTimeouts(dev.escapement.unified.TimeoutCheckResult due) {
            events += due.eventCount();
        }
    }

    private void cycle(int cycles) {
        cycle(manager, cycles, 1);
    }

    /** Registers a 1 ms timeout, advances {@code advanceMs} (past it and any spread) and drains. */
    private void cycle(TimerManager<TimeoutEvent> manager, int cycles, long advanceMs) {
        for (int i = 0; i < cycles; i++) {
            manager.register(TimeoutEvent.RETRANSMISSION, 1, MILLISECONDS);
            clock.advance(advanceMs, MILLISECONDS);
            timer.doWork();
            for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
                task.run();
            }
        }
    }
}
