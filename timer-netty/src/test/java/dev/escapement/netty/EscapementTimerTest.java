package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import io.netty.util.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EscapementTimerTest {

    @Test
    void stoppingATimerOverTheSharedGlobalTimerLeavesItRunningForOthers() throws Exception {
        EscapementTimer mine = EscapementTimer.create();
        EscapementTimer theirs = EscapementTimer.create();
        Timeout myTimeout = mine.newTimeout(t -> { }, 1, HOURS);
        Timeout theirTimeout = theirs.newTimeout(t -> { }, 1, HOURS);
        assertThat(mine.stop()).containsExactly(myTimeout);
        assertThat(theirTimeout.isCancelled()).isFalse();
        assertThat(GlobalTimer.shared().isStopped()).isFalse();
        CountDownLatch stillServing = new CountDownLatch(1);
        theirs.newTimeout(t -> stillServing.countDown(), 1, MILLISECONDS);
        assertThat(stillServing.await(10, SECONDS)).isTrue();
        assertThat(theirs.stop()).containsExactly(theirTimeout);
    }

    @Test
    void twoTimersOnOneGlobalTimerAreIsolated() {
        GlobalTimer global = GlobalTimer.builder().build();
        EscapementTimer first = EscapementTimer.builder().globalTimer(global).build();
        EscapementTimer second = EscapementTimer.builder().globalTimer(global).build();
        for (int i = 0; i < 100; i++) {
            first.newTimeout(t -> { }, 1, HOURS);
            second.newTimeout(t -> { }, 1, HOURS);
        }
        assertThat(first.stop()).hasSize(100);
        assertThat(global.isStopped()).isFalse();
        assertThat(second.stop()).hasSize(100);
        assertThat(global.stop()).isEmpty();
    }

    @Test
    void anOwnedGlobalTimerStopsWithTheNettyTimer() {
        GlobalTimer global = GlobalTimer.builder().build();
        EscapementTimer timer = EscapementTimer.builder().globalTimer(global).ownGlobalTimer().build();
        Timeout timeout = timer.newTimeout(t -> { }, 1, HOURS);
        assertThat(timer.stop()).containsExactly(timeout);
        assertThat(global.isStopped()).isTrue();
        assertThatThrownBy(() -> EscapementTimer.builder().ownGlobalTimer().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ownGlobalTimer() needs a global timer of its own, not the shared one");
    }

    @Test
    void aStoppedGlobalTimerMakesNewTimeoutsIllegal() {
        GlobalTimer global = GlobalTimer.builder().build();
        EscapementTimer timer = EscapementTimer.builder().globalTimer(global).build();
        global.stop();
        assertThatThrownBy(() -> timer.newTimeout(t -> { }, 1, SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot be started once stopped");
        assertThat(timer.stop()).isEmpty();
    }

    @Test
    void pendingBoundIsReleasedWhenTimeoutsFireOrAreCancelled() throws Exception {
        EscapementTimer timer = EscapementTimer.builder().maxPendingTimeouts(1).build();
        CountDownLatch fired = new CountDownLatch(1);
        timer.newTimeout(t -> fired.countDown(), 1, MILLISECONDS);
        assertThat(fired.await(10, SECONDS)).isTrue();
        Timeout second = timer.newTimeout(t -> { }, 1, HOURS);
        second.cancel();
        Timeout third = timer.newTimeout(t -> { }, 1, HOURS);
        assertThat(timer.stop()).containsExactly(third);
    }

    /** Counted as HashedWheelTimer counts them: scheduled, less those that ran or were cancelled. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1_000})
    void pendingTimeoutsCountsThisTimersTimeoutsExactly(long bound) {
        ManualClock clock = new ManualClock();
        GlobalTimer global = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        EscapementTimer timer = EscapementTimer.builder().globalTimer(global).maxPendingTimeouts(bound).build();
        EscapementTimer other = EscapementTimer.builder().globalTimer(global).build();
        other.newTimeout(t -> { }, 1, HOURS);
        List<Timeout> timeouts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            timeouts.add(timer.newTimeout(t -> { }, i < 20 ? 5 : 60, i < 20 ? MILLISECONDS : SECONDS));
        }
        assertThat(timer.pendingTimeouts()).isEqualTo(100);
        for (int i = 20; i < 50; i++) {
            assertThat(timeouts.get(i).cancel()).isTrue();
        }
        assertThat(timeouts.get(20).cancel()).as("a second cancel").isFalse();
        assertThat(timer.pendingTimeouts()).isEqualTo(70);
        clock.advance(5, MILLISECONDS);
        global.doWork();
        assertThat(timeouts.subList(0, 20)).allMatch(Timeout::isExpired);
        assertThat(timer.pendingTimeouts()).isEqualTo(50);
        assertThat(other.pendingTimeouts()).isEqualTo(1);
        assertThat(timer.stop()).hasSize(50);
        assertThat(timer.pendingTimeouts()).isZero();
        assertThat(other.pendingTimeouts()).isEqualTo(1);
    }

    @Test
    void timeoutsDescribeThemselves() {
        EscapementTimer timer = EscapementTimer.create();
        Timeout timeout = timer.newTimeout(t -> { }, 1, HOURS);
        assertThat(timeout.toString()).startsWith("EscapementTimeout(deadline: ").contains("ns later");
        timeout.cancel();
        assertThat(timeout.toString()).contains(", cancelled");
        timer.stop();
    }
}
