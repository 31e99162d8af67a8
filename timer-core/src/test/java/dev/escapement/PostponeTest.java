package dev.escapement;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Postpone (move) of pending timers on a manual clock. */
class PostponeTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final List<String> fired = new ArrayList<>();

    private TimerTask record(String name) {
        return handle -> fired.add(name);
    }

    private void advance(long ms) {
        clock.advance(ms, MILLISECONDS);
        while (timer.doWork() > 0) {
            // drain
        }
    }

    @Test
    void postponeLaterKeepsHandleAndIdAndFiresAtTheNewDeadline() {
        TimerHandle handle = timer.schedule(record("a"), 10, MILLISECONDS);
        long id = handle.id();
        advance(5);
        assertThat(handle.postpone(20, MILLISECONDS)).isTrue();
        assertThat(handle.deadlineNs()).isEqualTo(clock.nanoTime() + 20_000_000);
        advance(10);
        assertThat(fired).isEmpty();
        advance(15);
        assertThat(fired).containsExactly("a");
        assertThat(handle.id()).isEqualTo(id);
        assertThat(handle.isExpired()).isTrue();
    }

    @Test
    void postponeEarlierFiresSooner() {
        TimerHandle handle = timer.schedule(record("a"), 1, SECONDS);
        timer.doWork();
        assertThat(handle.postpone(2, MILLISECONDS)).isTrue();
        advance(2);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void postponeWithANewTaskRunsTheNewTask() {
        TimerHandle handle = timer.schedule(record("old"), 10, MILLISECONDS);
        assertThat(handle.postpone(5, MILLISECONDS, record("new"))).isTrue();
        assertThat(handle.task()).isNotNull();
        advance(5);
        assertThat(fired).containsExactly("new");
    }

    @Test
    void postponeAfterExpiryOrCancelReturnsFalse() {
        TimerHandle done = timer.schedule(record("done"), 1, MILLISECONDS);
        advance(1);
        assertThat(done.postpone(5, MILLISECONDS)).isFalse();
        TimerHandle cancelled = timer.schedule(record("cancelled"), 1, SECONDS);
        cancelled.cancel();
        assertThat(cancelled.postpone(5, MILLISECONDS)).isFalse();
        advance(10);
        assertThat(fired).containsExactly("done");
    }

    @Test
    void postponeThatLandsBeforeTheExpiryInTheSamePassWins() {
        // The move is claimed after the timer thread drained its commands but before it expires
        // the entry: the entry must not fire at its old deadline.
        TimerHandle[] victim = new TimerHandle[1];
        List<Boolean> results = new ArrayList<>();
        timer.schedule(h -> results.add(victim[0].postpone(50, MILLISECONDS)), 5, MILLISECONDS);
        victim[0] = timer.schedule(record("victim"), 5, MILLISECONDS);
        advance(5);
        assertThat(results).containsExactly(true);
        assertThat(fired).isEmpty();
        advance(49);
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly("victim");
    }

    @Test
    void cancelWinsOverAPostponeInFlight() {
        TimerHandle handle = timer.schedule(record("a"), 10, MILLISECONDS);
        assertThat(handle.postpone(20, MILLISECONDS)).isTrue();
        assertThat(handle.cancel()).isTrue();
        advance(30);
        assertThat(fired).isEmpty();
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void repeatedPostponesApplyTheLastOne() {
        TimerHandle handle = timer.schedule(record("a"), 10, MILLISECONDS);
        for (int delay = 11; delay <= 30; delay++) {
            assertThat(handle.postpone(delay, MILLISECONDS)).isTrue();
        }
        advance(29);
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void idPathPostponeMovesTheTimer() {
        List<Long> expired = new ArrayList<>();
        long id = timer.scheduleTimer((timerId, now) -> expired.add(timerId), 10, MILLISECONDS);
        assertThat(timer.postponeTimer(id, 30, MILLISECONDS)).isTrue();
        advance(29);
        assertThat(expired).isEmpty();
        advance(1);
        assertThat(expired).containsExactly(id);
        assertThat(timer.postponeTimer(id, 5, MILLISECONDS)).isFalse();
        assertThat(timer.postponeTimer(0, 5, MILLISECONDS)).isFalse();
    }

    @Test
    void postponeTimerRefusesAHandlesIdByNameAndLeavesTheTimerAlone() {
        // D7: the id path's postponeTimer names a handle's id as the wrong kind, rather than
        // answering false as if the timer had fired; the handle moves its own timer.
        TimerHandle handle = timer.schedule(record("a"), 10, MILLISECONDS);
        long id = handle.id();
        assertThatThrownBy(() -> timer.postponeTimer(id, 40, MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timer id " + id + " belongs to a TimerHandle");
        advance(10);
        assertThat(fired).containsExactly("a");
    }

    @Test
    void postponeMovesThePeriodicTimersNextRunAndItsGrid() {
        List<Long> runs = new ArrayList<>();
        TimerHandle handle = timer.schedulePeriodic(h -> runs.add(clock.nanoTime()),
                PeriodicSchedule.fixedRate(10, MILLISECONDS).build());
        for (int i = 0; i < 10; i++) {
            advance(1);
        }
        assertThat(runs).hasSize(1);
        assertThat(handle.postpone(25, MILLISECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            advance(1);
        }
        assertThat(runs).containsExactly(10_000_000L, 35_000_000L, 45_000_000L, 55_000_000L);
    }

    @Test
    void postponeWithAFullQueueIsRejectedAndChangesNothing() {
        GlobalTimer small = GlobalTimer.builder().clock(clock).drivenByCaller().commandQueueCapacity(16).build();
        TimerHandle handle = small.schedule(record("a"), 10, MILLISECONDS);
        small.doWork();
        for (int i = 0; i < 16; i++) {
            small.schedule(record("filler"), 1, SECONDS);
        }
        long before = handle.deadlineNs();
        assertThatThrownBy(() -> handle.postpone(50, MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("command queue full: commandQueueCapacity=16");
        assertThat(handle.deadlineNs()).isEqualTo(before);
        assertThat(handle.isPending()).isTrue();
        clock.advance(10, MILLISECONDS);
        small.doWork();
        small.doWork();
        assertThat(fired).containsExactly("a");
    }

    @Test
    void postponeRejectsNullUnitAndTask() {
        TimerHandle handle = timer.schedule(record("a"), 10, MILLISECONDS);
        assertThatThrownBy(() -> handle.postpone(1, null)).hasMessage("unit");
        assertThatThrownBy(() -> handle.postpone(1, MILLISECONDS, null)).hasMessage("newTask");
    }
}
