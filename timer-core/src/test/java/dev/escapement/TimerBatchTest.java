package dev.escapement;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TimerBatchTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> fired = new ArrayList<>();

    private TimerTask record(String name) {
        return handle -> fired.add(name);
    }

    @Test
    void batchSchedulesCancelsAndPostponesInOneHandOff() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        TimerHandle toCancel = timer.schedule(record("cancelled"), 5, MILLISECONDS);
        TimerHandle toMove = timer.schedule(record("moved"), 5, MILLISECONDS);
        long idToCancel = timer.scheduleTimer((id, now) -> fired.add("id"), 5, MILLISECONDS);
        timer.doWork();
        long drainedBefore = timer.stats().commandsDrained();

        BatchResult result = timer.newBatch()
                .schedule(record("one"), 1, MILLISECONDS)
                .schedule(record("two"), 2, MILLISECONDS)
                .cancel(toCancel)
                .cancel(idToCancel)
                .postpone(toMove, 20, MILLISECONDS)
                .submit();

        assertThat(result.size()).isEqualTo(5);
        assertThat(result.successCount()).isEqualTo(5);
        assertThat(result.handle(0)).isNotNull();
        assertThat(result.handle(2)).isSameAs(toCancel);
        assertThat(toCancel.isCancelled()).isTrue();
        timer.doWork();
        assertThat(timer.stats().commandsDrained() - drainedBefore).as("one hand-off").isEqualTo(1);
        clock.advance(5, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("one", "two");
        clock.advance(20, MILLISECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("one", "two", "moved");
        TimerStats stats = timer.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled());
    }

    @Test
    void resultSaysWhichEntriesFailedAndWhy() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().maxPendingTimers(3).build();
        TimerHandle done = timer.schedule(record("done"), 0, MILLISECONDS);
        timer.doWork();
        BatchResult result = timer.newBatch()
                .schedule(record("a"), 1, SECONDS)
                .schedule(record("b"), 1, SECONDS)
                .schedule(record("c"), 1, SECONDS)
                .schedule(record("d"), 1, SECONDS)
                .cancel(done)
                .postpone(done, 5, SECONDS)
                .cancel(12345L)
                .submit();
        assertThat(result.succeeded(0)).isTrue();
        assertThat(result.succeeded(1)).isTrue();
        assertThat(result.succeeded(2)).isTrue();
        assertThat(result.succeeded(3)).isFalse();
        assertThat(result.failure(3)).isEqualTo("pending timers bound reached: maxPendingTimers=3");
        assertThat(result.handle(3)).isNull();
        assertThat(result.failure(4)).isEqualTo("not pending");
        assertThat(result.failure(5)).isEqualTo("not pending");
        assertThat(result.failure(6)).isEqualTo("not pending");
        assertThat(result.successCount()).isEqualTo(3);
        assertThat(result.toString()).startsWith("BatchResult[3 of 7 succeeded");
    }

    @Test
    void aFullQueueFailsTheBatchsSchedulesAndPostponesButKeepsItsCancels() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
        TimerHandle toCancel = timer.schedule(record("x"), 1, SECONDS);
        TimerHandle toMove = timer.schedule(record("y"), 1, SECONDS);
        timer.doWork();
        for (int i = 0; i < 16; i++) {
            timer.schedule(record("filler"), 1, HOURS);
        }
        long before = toMove.deadlineNs();
        BatchResult result = timer.newBatch()
                .schedule(record("z"), 1, SECONDS)
                .cancel(toCancel)
                .postpone(toMove, 5, SECONDS)
                .submit();
        assertThat(result.succeeded(0)).isFalse();
        assertThat(result.failure(0)).isEqualTo("command queue full: commandQueueCapacity=16");
        assertThat(result.succeeded(1)).isTrue();
        assertThat(result.succeeded(2)).isFalse();
        assertThat(toMove.deadlineNs()).isEqualTo(before);
        assertThat(toMove.isPending()).isTrue();
        assertThat(toCancel.isCancelled()).isTrue();
        timer.doWork();
        clock.advance(1, SECONDS);
        timer.doWork();
        assertThat(fired).containsExactly("y");
    }

    @Test
    void batchesAreSingleUseAndCheckTheirArguments() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        GlobalTimer other = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        TimerBatch batch = timer.newBatch().schedule(record("a"), 1, SECONDS);
        batch.submit();
        assertThatThrownBy(batch::submit).isInstanceOf(IllegalStateException.class).hasMessage("batch already submitted");
        assertThatThrownBy(() -> batch.schedule(record("b"), 1, SECONDS)).isInstanceOf(IllegalStateException.class);
        TimerHandle foreign = other.schedule(record("f"), 1, SECONDS);
        assertThatThrownBy(() -> timer.newBatch().cancel(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("handle belongs to another timer");
        assertThatThrownBy(() -> timer.newBatch().schedule(null, 1, SECONDS)).hasMessage("task");
        assertThatThrownBy(() -> timer.newBatch().cancel((TimerHandle) null)).hasMessage("handle");
    }

    @Test
    void aBatchWakesAParkedTimerThreadAtMostOnce() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().build();
        AtomicReference<Thread> thread = new AtomicReference<>();
        timer.schedule(h -> thread.set(Thread.currentThread()), 0, MILLISECONDS).completion().get(10, SECONDS);
        timer.schedule(h -> { }, 1, HOURS);
        timer.schedule(h -> { }, 0, MILLISECONDS).completion().get(10, SECONDS);
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (thread.get().getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).isNegative();
            Thread.onSpinWait();
        }
        long wakeupsBefore = timer.stats().wakeups();
        TimerBatch batch = timer.newBatch();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            batch.schedule(h -> { }, i % 7, MILLISECONDS);
        }
        BatchResult result = batch.submit();
        for (int i = 0; i < result.size(); i++) {
            handles.add(result.handle(i));
        }
        for (TimerHandle handle : handles) {
            handle.completion().get(10, SECONDS);
        }
        assertThat(timer.stats().wakeups() - wakeupsBefore).isEqualTo(1);
        timer.stop();
    }
}
