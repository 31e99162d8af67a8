package dev.escapement;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The smallest reproductions of what {@link GlobalTimerModelTest} found where the engine once
 * disagreed with its documented semantics, on a caller-driven timer with a manual clock. Each
 * failed before its fix; the description says what the engine did then.
 */
class ModelRegressionTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final List<String> fired = new ArrayList<>();

    private TimerTask record(String name) {
        return handle -> fired.add(name);
    }

    // ------------------------------------------------------------------ equal deadlines

    @Test
    void aTimerPostponedBeforeItsFirstPassFiresAfterTheTimersGivenThatDeadlineBeforeThePostpone() {
        timer.schedule(record("a"), 10, MILLISECONDS);
        TimerHandle b = timer.schedule(record("b"), 20, MILLISECONDS);
        timer.schedule(record("c"), 10, MILLISECONDS);
        assertThat(b.postpone(10, MILLISECONDS)).isTrue();
        clock.advance(10, MILLISECONDS);
        timer.doWork();
        assertThat(fired).as("was [a, b, c]: placed at its first command, not its last").containsExactly("a", "c", "b");
    }

    @Test
    void aTimerPostponedAwayAndBackBeforeAPassFiresAfterTheTimersAlreadyAtThatDeadline() {
        TimerHandle d = timer.schedule(record("d"), 10, MILLISECONDS);
        timer.schedule(record("e"), 10, MILLISECONDS);
        timer.doWork();
        assertThat(d.postpone(20, MILLISECONDS)).isTrue();
        assertThat(d.postpone(10, MILLISECONDS)).isTrue();
        clock.advance(10, MILLISECONDS);
        timer.doWork();
        assertThat(fired).as("was [d, e]: a move back to its old deadline kept its old place").containsExactly("e", "d");
    }

    @Test
    void anIdTimerReusingAnEntryItsCancelTookBackFiresAfterTheTimersScheduledBeforeIt() {
        long x = timer.scheduleTimer((id, nowNs) -> fired.add("x"), 10, MILLISECONDS);
        timer.schedule(record("y"), 10, MILLISECONDS);
        assertThat(timer.cancelTimer(x)).isTrue();
        timer.scheduleTimer((id, nowNs) -> fired.add("z"), 10, MILLISECONDS);
        clock.advance(10, MILLISECONDS);
        timer.doWork();
        assertThat(fired).as("was [z, y]: the reused entry kept the cancelled timer's place").containsExactly("y", "z");
    }

    // ------------------------------------------------------------------ batches

    @Test
    void aBatchPostponeOfAHandleTheBatchCancelledFailsAndLeavesItsDeadline() {
        TimerHandle handle = timer.schedule(record("h"), 50, MILLISECONDS);
        timer.doWork();
        BatchResult result = timer.newBatch()
                .postpone(handle, 5, MILLISECONDS)
                .cancel(handle)
                .postpone(handle, 7, MILLISECONDS)
                .submit();
        assertThat(handle.isCancelled()).isTrue();
        assertThat(result.succeeded(1)).isTrue();
        assertThat(result.succeeded(2)).as("a single postpone after a cancel returns false").isFalse();
        assertThat(result.failure(2)).isEqualTo("not pending");
        assertThat(handle.deadlineNs()).as("was 7 ms: the repeated postpone moved a cancelled timer").isEqualTo(MILLISECONDS.toNanos(5));
    }

    // ------------------------------------------------------------------ windows

    @Test
    void aWindowThatEndedJustBeforeTheOriginGetsADeadlineInsideIt() {
        ManualClock late = new ManualClock(5_000);
        GlobalTimer started = GlobalTimer.builder().clock(late).drivenByCaller().build();
        TimerHandle handle = started.scheduleWithin(record("w"), -500, -100, NANOSECONDS);
        assertThat(handle.deadlineNs()).as("was 5000: the window was clamped to the origin").isBetween(4_500L, 4_900L);
    }
}
