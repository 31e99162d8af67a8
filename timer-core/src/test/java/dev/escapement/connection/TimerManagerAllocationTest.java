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

    private void cycle(int cycles) {
        for (int i = 0; i < cycles; i++) {
            manager.register(TimeoutEvent.RETRANSMISSION, 1, MILLISECONDS);
            clock.advance(1, MILLISECONDS);
            timer.doWork();
            for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
                task.run();
            }
        }
    }
}
