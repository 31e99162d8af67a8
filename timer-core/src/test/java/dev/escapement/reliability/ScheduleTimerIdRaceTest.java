package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scheduleTimer} must return the id its handler is later called with. Found by
 * {@link BackpressureRealThreadTest}: {@code IdPath.scheduleId} read {@code entry.id} after the
 * offer (it now reads it before). The offer wakes a parked timer thread (a system call, on the producer's side), which
 * drains, fires a timer that is already due and retires its entry, giving it the next generation,
 * before the producer reads the id. The producer then returns an id its timer never fires with,
 * and the id the entry's next timer (perhaps another thread's) will get, so a later
 * {@code cancelTimer} or {@code postponeTimer} with it acts on a stranger's timer.
 *
 * <p>A race, made likely: one timer at a time, each due at once, each waking the parked thread.
 * Before the fix it failed 5 runs out of 5 on a 2-processor machine, within the first 100 timers.
 */
@Timeout(60)
class ScheduleTimerIdRaceTest {

    private static final int TIMERS = 20_000;

    @Test
    void scheduleTimerReturnsTheIdItsHandlerIsCalledWith() {
        GlobalTimer timer = GlobalTimer.builder().threadName("id-race-timer").build();
        AtomicLong lastFiredId = new AtomicLong();
        List<String> mismatches = new ArrayList<>();
        try {
            for (int i = 0; i < TIMERS && mismatches.size() < 10; i++) {
                long returnedId = timer.scheduleTimer((timerId, nowNs) -> lastFiredId.set(timerId), 0, NANOSECONDS);
                long deadlineNs = System.nanoTime() + SECONDS.toNanos(10);
                long firedId;
                while ((firedId = lastFiredId.getAndSet(0)) == 0) {
                    assertThat(System.nanoTime() - deadlineNs).as("timer %d fired", i).isNegative();
                    Thread.onSpinWait();
                }
                if (firedId != returnedId) {
                    mismatches.add("timer " + i + ": scheduleTimer returned " + Long.toHexString(returnedId)
                            + ", its handler got " + Long.toHexString(firedId));
                }
            }
        } finally {
            timer.stop();
        }
        assertThat(mismatches).isEmpty();
    }
}
