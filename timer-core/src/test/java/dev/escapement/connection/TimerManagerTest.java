package dev.escapement.connection;

import static dev.escapement.connection.TimeoutEvent.CONNECTION;
import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.PATH_VALIDATION;
import static dev.escapement.connection.TimeoutEvent.RETRANSMISSION;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerStats;
import dev.escapement.clock.ManualClock;
import dev.escapement.unified.TestLayer;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.UnifiedTimeoutScheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A connection's timer manager on a manual clock and a caller-driven timer: the wake-up executor
 * is a queue the test runs, standing in for the connection's event loop.
 */
class TimerManagerTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final Deque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<String> delivered = new ArrayList<>();

    private TimerManager<TimeoutEvent> manager(long connectionId) {
        return TimerManager.builder(timer, connectionId).wakeUp(eventLoop::add, this::record).recordStats().build();
    }

    private void record(TimerManager<?> manager, TimeoutCheckResult due) {
        for (int i = 0; i < due.eventCount(); i++) {
            delivered.add(manager.connectionId() + ":" + due.event(i));
        }
    }

    /** Advances virtual time, runs the timer's pass and then the event loop. */
    private void advance(long amount, java.util.concurrent.TimeUnit unit) {
        clock.advance(amount, unit);
        timer.doWork();
        runEventLoop();
    }

    private void runEventLoop() {
        for (Runnable task = eventLoop.poll(); task != null; task = eventLoop.poll()) {
            task.run();
        }
    }

    /** Wheel commands the timer thread has applied so far. */
    /** Commands the timer thread applied: an arming, a move or a cancel of the entry is one each. */
    private long wheelCommands() {
        timer.doWork();
        return timer.stats().commandsDrained();
    }

    // ------------------------------------------------------------------ C1: typed, replace

    @Test
    void aTimeoutFiresOnceAtItsDeadlineAndNotBefore() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 10, MILLISECONDS);
        advance(9_999_999, NANOSECONDS);
        assertThat(delivered).isEmpty();
        advance(1, NANOSECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
        advance(1, SECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
        assertThat(manager.isActive(IDLE)).isFalse();
    }

    @Test
    void registeringATypeAgainReplacesItsTimeout() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(CONNECTION, 10, MILLISECONDS);
        manager.register(CONNECTION, 30, MILLISECONDS);
        assertThat(manager.deadline(CONNECTION)).isEqualTo(clock.nanoTime() + MILLISECONDS.toNanos(30));
        advance(10, MILLISECONDS);
        assertThat(delivered).isEmpty();
        advance(20, MILLISECONDS);
        assertThat(delivered).containsExactly("1:CONNECTION");
    }

    @Test
    void replacingWithAnEarlierDeadlineWorksToo() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(CONNECTION, 30, MILLISECONDS);
        manager.register(CONNECTION, 10, MILLISECONDS);
        advance(10, MILLISECONDS);
        assertThat(delivered).containsExactly("1:CONNECTION");
        advance(30, MILLISECONDS);
        assertThat(delivered).containsExactly("1:CONNECTION");
    }

    @Test
    void dueTimeoutsAreReportedInDeadlineOrderWithTiesInDeclarationOrder() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(RETRANSMISSION, 3, MILLISECONDS);
        manager.register(IDLE, 4, MILLISECONDS);
        manager.register(PATH_VALIDATION, 1, MILLISECONDS);
        manager.register(CONNECTION, 3, MILLISECONDS);
        clock.advance(5, MILLISECONDS);
        TimeoutCheckResult due = manager.checkTimerEvents();
        assertThat(due.events()).containsExactly(PATH_VALIDATION, CONNECTION, RETRANSMISSION, IDLE);
        for (int i = 1; i < due.eventCount(); i++) {
            assertThat(due.deadlineNs(i)).isGreaterThanOrEqualTo(due.deadlineNs(i - 1));
        }
    }

    @Test
    void aUserEnumWorksLikeTheDefaultOne() {
        enum Handshake { HELLO, FINISHED }
        List<Enum<?>> seen = new ArrayList<>();
        TimerManager<Handshake> manager = TimerManager.builder(timer, 5, Handshake.class)
                .wakeUp(eventLoop::add, (m, due) -> seen.addAll(due.events()))
                .recordStats().build();
        manager.register(Handshake.FINISHED, 2, MILLISECONDS);
        manager.register(Handshake.HELLO, 1, MILLISECONDS);
        advance(2, MILLISECONDS);
        assertThat(seen).containsExactly(Handshake.HELLO, Handshake.FINISHED);
    }

    // ------------------------------------------------------------------ C2 and U5: one wheel entry

    @Test
    void aConnectionKeepsOneWheelEntryHoweverManyTimeoutsItHas() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 30, SECONDS);
        manager.register(CONNECTION, 20, SECONDS);
        manager.register(PATH_VALIDATION, 10, SECONDS);
        manager.register(RETRANSMISSION, 5, SECONDS);
        timer.doWork();
        // Each registration was earlier than the last, so the entry moved each time; it is the
        // manager itself, so there is one, armed once.
        assertThat(timer.stats().pending()).isEqualTo(1);
        assertThat(manager.stats().wheelSchedules()).isEqualTo(1);
        assertThat(manager.stats().wheelMoves()).isEqualTo(3);
        assertThat(manager.stats().wheelCancels()).isZero();
        assertThat(manager.nextDeadline()).isEqualTo(manager.deadline(RETRANSMISSION));
    }

    @Test
    void resetStormsNeverTouchTheWheel() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 30, SECONDS);
        long commandsBefore = wheelCommands();
        long lastResetNs = 0;
        for (int packet = 0; packet < 20_000; packet++) {
            if (packet % 100 == 0) {
                advance(100, MILLISECONDS);   // 20 s of traffic, a timer pass every 100 packets
            }
            assertThat(manager.reset(IDLE, 30, SECONDS)).isTrue();
            lastResetNs = clock.nanoTime();
        }
        assertThat(wheelCommands()).as("no schedule and no cancel during the storm").isEqualTo(commandsBefore);
        assertThat(manager.stats().resets()).isEqualTo(20_000);
        assertThat(manager.deadline(IDLE)).isEqualTo(lastResetNs + SECONDS.toNanos(30));

        // The entry fires at the first deadline, finds nothing due and re-arms once.
        advance(10, SECONDS);
        assertThat(delivered).isEmpty();
        assertThat(manager.stats().emptyDrains()).isEqualTo(1);
        assertThat(wheelCommands()).isEqualTo(commandsBefore + 1);
        clock.setNanoTime(lastResetNs + SECONDS.toNanos(30) - 1);
        timer.doWork();
        runEventLoop();
        assertThat(delivered).isEmpty();
        advance(1, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
    }

    @Test
    void resetOnlyMovesAnActiveTimeout() {
        TimerManager<TimeoutEvent> manager = manager(1);
        assertThat(manager.reset(IDLE, 30, SECONDS)).isFalse();
        assertThat(manager.isActive(IDLE)).isFalse();
        manager.register(IDLE, 1, MILLISECONDS);
        advance(1, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
        assertThat(manager.reset(IDLE, 30, SECONDS)).as("a fired timeout is not revived").isFalse();
        manager.register(CONNECTION, 5, SECONDS);
        manager.cancel(CONNECTION);
        assertThat(manager.reset(CONNECTION, 5, SECONDS)).as("nor a cancelled one").isFalse();
        assertThat(manager.stats().resets()).isZero();
    }

    @Test
    void aDeadlineMovedEarlierMovesTheWheelEntry() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 30, SECONDS);
        long commandsBefore = wheelCommands();
        manager.reset(IDLE, 1, SECONDS);
        assertThat(wheelCommands()).as("one move").isEqualTo(commandsBefore + 1);
        assertThat(timer.stats().pending()).isEqualTo(1);
        advance(1, SECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
        assertThat(manager.stats().emptyDrains()).isZero();
    }

    @Test
    void cancellingIsLazyAndCostsOneSpuriousWakeUpAtMost() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(RETRANSMISSION, 200, MILLISECONDS);
        long commandsBefore = wheelCommands();
        assertThat(manager.cancel(RETRANSMISSION)).isTrue();
        assertThat(manager.cancel(RETRANSMISSION)).isFalse();
        manager.register(RETRANSMISSION, 300, MILLISECONDS);
        assertThat(wheelCommands()).as("cancel and register again: the old entry serves").isEqualTo(commandsBefore);
        advance(200, MILLISECONDS);
        assertThat(delivered).isEmpty();
        advance(100, MILLISECONDS);
        assertThat(delivered).containsExactly("1:RETRANSMISSION");
        assertThat(manager.stats().cancellations()).isEqualTo(1);
    }

    @Test
    void cancelAllCancelsEveryTypedTimeoutAndFreesTheWheelEntry() {
        TimerManager<TimeoutEvent> manager = manager(1);
        for (TimeoutEvent type : TimeoutEvent.values()) {
            manager.register(type, 1 + type.ordinal(), SECONDS);
        }
        assertThat(manager.cancelAll()).isEqualTo(4);
        assertThat(manager.cancelAll()).isZero();
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();
        for (TimeoutEvent type : TimeoutEvent.values()) {
            assertThat(manager.isActive(type)).isFalse();
            assertThat(manager.deadline(type)).isEqualTo(TimerManager.NO_DEADLINE);
        }
        assertThat(manager.nextDeadline()).isEqualTo(TimerManager.NO_DEADLINE);
        advance(10, SECONDS);
        assertThat(delivered).isEmpty();
        assertThat(manager.stats().expiries()).isZero();
    }

    @Test
    void cancelAllKeepsTheEntryWhileAnotherLayerHasADeadline() {
        TestLayer reliability = new TestLayer("reliability");
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1)
                .wakeUp(eventLoop::add, (m, due) -> {
                    record(m, due);
                    for (int i = 0; i < due.frameCount(); i++) {
                        delivered.add("frame " + due.frame(i));
                    }
                })
                .layer(reliability)
                .recordStats().build();
        manager.register(IDLE, 10, MILLISECONDS);
        reliability.set(RETRANSMISSION, clock.nanoTime() + MILLISECONDS.toNanos(20), 41, 42);
        manager.cancelAll();
        advance(20, MILLISECONDS);
        assertThat(delivered).containsExactly("1:RETRANSMISSION", "frame 41", "frame 42");
    }

    @Test
    void aLayerAddedLaterIsCoveredByTheSameEntry() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 30, SECONDS);
        TestLayer reliability = new TestLayer("reliability");
        manager.scheduler().addLayer(reliability);
        long commandsBefore = wheelCommands();
        reliability.set(RETRANSMISSION, clock.nanoTime() + MILLISECONDS.toNanos(200), 7);
        assertThat(wheelCommands()).as("the entry moved earlier").isEqualTo(commandsBefore + 1);
        reliability.set(RETRANSMISSION, clock.nanoTime() + MILLISECONDS.toNanos(300), 7);
        assertThat(wheelCommands()).as("later: left alone").isEqualTo(commandsBefore + 1);
        assertThat(manager.nextDeadline()).isEqualTo(clock.nanoTime() + MILLISECONDS.toNanos(300));
        advance(300, MILLISECONDS);
        assertThat(delivered).containsExactly("1:RETRANSMISSION");
        assertThat(manager.scheduler().layers()).hasSize(2);
        timer.doWork();
        assertThat(timer.stats().pending()).as("re-armed for IDLE").isEqualTo(1);
    }

    @Test
    void typedTimeoutsAloneNeedNoSchedulerAndHandOverToItWhenAsked() {
        DefaultTimerManager<TimeoutEvent> manager = (DefaultTimerManager<TimeoutEvent>) manager(1);
        manager.register(IDLE, 30, SECONDS);
        manager.register(CONNECTION, 10, SECONDS);
        manager.reset(IDLE, 40, SECONDS);
        manager.cancel(CONNECTION);
        advance(1, SECONDS);
        assertThat(manager.hasScheduler()).as("the per-packet path has no scheduler to go through").isFalse();
        long idleNs = manager.deadline(IDLE);
        assertThat(manager.nextDeadline()).isEqualTo(idleNs);

        UnifiedTimeoutScheduler scheduler = manager.scheduler();
        assertThat(manager.hasScheduler()).isTrue();
        assertThat(manager.scheduler()).isSameAs(scheduler);
        assertThat(scheduler.layers()).hasSize(1);
        assertThat(scheduler.nextDeadline()).as("handed over with its deadline").isEqualTo(idleNs);
        manager.register(CONNECTION, 5, SECONDS);
        assertThat(scheduler.nextDeadline()).as("later changes reach the scheduler")
                .isEqualTo(manager.deadline(CONNECTION));
        long commandsBefore = wheelCommands();
        manager.register(PATH_VALIDATION, 1, SECONDS);
        assertThat(wheelCommands()).as("an earlier deadline still moves the entry").isEqualTo(commandsBefore + 1);
        advance(1, SECONDS);
        assertThat(delivered).containsExactly("1:PATH_VALIDATION");
        advance(4, SECONDS);
        assertThat(delivered).containsExactly("1:PATH_VALIDATION", "1:CONNECTION");
    }

    // ------------------------------------------------------------------ C4: stale events

    @Test
    void aTimeoutReplacedAfterItsEntryFiredIsNeverReported() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 10, MILLISECONDS);
        clock.advance(10, MILLISECONDS);
        timer.doWork();                                   // the entry fires; the wake-up is queued
        assertThat(manager.isExpirySignalled()).isTrue();
        manager.register(IDLE, 50, MILLISECONDS);         // replaced before the drain
        runEventLoop();
        assertThat(delivered).isEmpty();
        advance(49, MILLISECONDS);
        assertThat(delivered).isEmpty();
        advance(1, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
    }

    @Test
    void aTimeoutCancelledAfterItsEntryFiredIsNeverReported() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(PATH_VALIDATION, 10, MILLISECONDS);
        manager.register(IDLE, 10, MILLISECONDS);
        clock.advance(10, MILLISECONDS);
        timer.doWork();
        manager.cancel(PATH_VALIDATION);
        runEventLoop();
        assertThat(delivered).containsExactly("1:IDLE");
        assertThat(manager.stats().expiries()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ C3: inbox and wake-up

    @Test
    void theWakeUpRunsOncePerRiseOfTheInbox() {
        List<Runnable> wakeUps = new ArrayList<>();
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1).wakeUp(wakeUps::add, this::record).recordStats().build();
        DefaultTimerManager<TimeoutEvent> inbox = (DefaultTimerManager<TimeoutEvent>) manager;
        inbox.expired(null, clock.nanoTime());
        inbox.expired(null, clock.nanoTime());   // e.g. an entry whose cancel lost, then its successor
        assertThat(wakeUps).hasSize(1);
        assertThat(manager.isExpirySignalled()).isTrue();
        wakeUps.get(0).run();
        assertThat(manager.isExpirySignalled()).isFalse();
        inbox.expired(null, clock.nanoTime());
        assertThat(wakeUps).hasSize(2);
        assertThat(manager.stats().expiries()).isEqualTo(3);
        assertThat(manager.stats().wakeUps()).isEqualTo(2);
    }

    @Test
    void theListenerIsCalledOnlyWhenSomethingIsDue() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 10, MILLISECONDS);
        manager.reset(IDLE, 10, MILLISECONDS);
        advance(5, MILLISECONDS);
        manager.reset(IDLE, 10, MILLISECONDS);     // later than the entry: it will fire for nothing
        advance(5, MILLISECONDS);
        assertThat(manager.stats().wakeUps()).isEqualTo(1);
        assertThat(manager.stats().emptyDrains()).isEqualTo(1);
        assertThat(delivered).isEmpty();
        advance(5, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
        assertThat(manager.stats().wakeUps()).isEqualTo(2);
        assertThat(manager.stats().eventsDelivered()).isEqualTo(1);
    }

    @Test
    void withoutAWakeUpTheConnectionDrainsItself() {
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1).recordStats().build();
        manager.register(RETRANSMISSION, 200, MILLISECONDS);
        clock.advance(200, MILLISECONDS);
        assertThat(manager.isExpirySignalled()).isFalse();
        timer.doWork();
        assertThat(manager.isExpirySignalled()).isTrue();
        assertThat(manager.checkTimerEvents().events()).containsExactly(RETRANSMISSION);
        assertThat(manager.isExpirySignalled()).isFalse();
        assertThat(manager.checkTimerEvents().isEmpty()).isTrue();
        assertThat(manager.stats().wakeUps()).isZero();
    }

    @Test
    void aDrainBeforeTheEntryFiresReportsWhatIsDueAndKeepsTheEntry() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(RETRANSMISSION, 10, MILLISECONDS);
        manager.register(IDLE, 50, MILLISECONDS);
        clock.advance(10, MILLISECONDS);
        assertThat(manager.checkTimerEvents().events()).containsExactly(RETRANSMISSION);
        assertThat(manager.stats().wheelSchedules()).as("the entry is kept, not moved later").isEqualTo(1);
        timer.doWork();
        runEventLoop();
        assertThat(manager.stats().emptyDrains()).as("it fired for nothing").isEqualTo(1);
        assertThat(manager.stats().wheelSchedules()).as("and re-armed for IDLE").isEqualTo(2);
        advance(40, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
    }

    @Test
    void aRefusedWakeUpIsCountedAndTheTimeoutsWaitForTheNextDrain() {
        boolean[] refuse = {true};
        List<Runnable> accepted = new ArrayList<>();
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1)
                .wakeUp(task -> {
                    if (refuse[0]) {
                        throw new RejectedExecutionException("event loop shut down");
                    }
                    accepted.add(task);
                }, this::record)
                .recordStats().build();
        manager.register(IDLE, 10, MILLISECONDS);
        advance(10, MILLISECONDS);
        assertThat(manager.stats().wakeUpFailures()).isEqualTo(1);
        assertThat(timer.stats().taskFailures()).as("handled by the manager, not thrown").isZero();
        assertThat(manager.isExpirySignalled()).as("lowered, so a later expiry tries again").isFalse();
        assertThat(manager.checkTimerEvents().events()).containsExactly(IDLE);

        refuse[0] = false;
        manager.register(IDLE, 10, MILLISECONDS);
        advance(10, MILLISECONDS);
        assertThat(accepted).hasSize(1);
    }

    // ------------------------------------------------------------------ U3: the cached clock

    @Test
    void resetReadsTheCachedClockWhileRegisterAndDrainRefreshIt() {
        TimerManager<TimeoutEvent> manager = manager(1);
        long startNs = clock.nanoTime();
        manager.register(IDLE, 10, SECONDS);
        assertThat(manager.deadline(IDLE)).isEqualTo(startNs + SECONDS.toNanos(10));

        clock.advance(3, SECONDS);                  // no timer pass: the cached clock lags by 3 s
        manager.reset(IDLE, 10, SECONDS);
        assertThat(manager.deadline(IDLE)).as("early by the lag, at most").isEqualTo(startNs + SECONDS.toNanos(10));

        assertThat(manager.refreshClock()).isEqualTo(startNs + SECONDS.toNanos(3));
        manager.reset(IDLE, 10, SECONDS);
        assertThat(manager.deadline(IDLE)).isEqualTo(startNs + SECONDS.toNanos(13));

        clock.advance(1, SECONDS);
        manager.register(CONNECTION, 1, SECONDS);   // register refreshes
        assertThat(manager.deadline(CONNECTION)).isEqualTo(startNs + SECONDS.toNanos(5));
        clock.advance(1, SECONDS);
        manager.checkTimerEvents();                 // so does a drain
        assertThat(timer.cachedClock().nanoTime()).isEqualTo(clock.nanoTime());
    }

    // ------------------------------------------------------------------ spread

    @Test
    void spreadStaysWithinItsBoundAndSpreadsConnectionsOut() {
        long[] deadlines = spreadIdleDeadlines(42, 1_000);
        long nowNs = clock.nanoTime();
        java.util.Set<Long> ticks = new java.util.HashSet<>();
        for (long deadlineNs : deadlines) {
            assertThat(deadlineNs - nowNs).isBetween(SECONDS.toNanos(30), SECONDS.toNanos(31) - 1);
            ticks.add((deadlineNs - nowNs) / MILLISECONDS.toNanos(1));
        }
        // 1,000 draws over 1,000 ticks of 1 ms land on about 632 distinct ticks.
        assertThat(ticks).hasSizeGreaterThan(550);
    }

    @Test
    void spreadIsReproducibleUnderASeedAndDiffersBetweenSeeds() {
        assertThat(spreadIdleDeadlines(7, 200)).isEqualTo(spreadIdleDeadlines(7, 200));
        assertThat(spreadIdleDeadlines(7, 200)).isNotEqualTo(spreadIdleDeadlines(8, 200));
    }

    /** The IDLE deadlines of {@code count} fresh managers, registered at the same instant. */
    private long[] spreadIdleDeadlines(long seed, int count) {
        GlobalTimer ownTimer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        long[] deadlines = new long[count];
        for (int i = 0; i < count; i++) {
            TimerManager<TimeoutEvent> manager = TimerManager.builder(ownTimer, i)
                    .spread(IDLE, 1, SECONDS).spreadSeed(seed).recordStats().build();
            manager.register(IDLE, 30, SECONDS);
            deadlines[i] = manager.deadline(IDLE);
            manager.close();
        }
        return deadlines;
    }

    @Test
    void aResetKeepsTheSpreadItsRegistrationDrewSoItOnlyMovesLater() {
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, 1)
                .spread(IDLE, 1, SECONDS).spreadSeed(3).recordStats().build();
        manager.register(IDLE, 30, SECONDS);
        manager.register(RETRANSMISSION, 30, SECONDS);
        long offsetNs = manager.deadline(IDLE) - clock.nanoTime() - SECONDS.toNanos(30);
        assertThat(offsetNs).isBetween(0L, SECONDS.toNanos(1) - 1);
        assertThat(manager.deadline(RETRANSMISSION)).as("no spread for other types")
                .isEqualTo(clock.nanoTime() + SECONDS.toNanos(30));
        long commandsBefore = wheelCommands();
        for (int i = 0; i < 100; i++) {
            advance(10, MILLISECONDS);
            manager.reset(IDLE, 30, SECONDS);
            assertThat(manager.deadline(IDLE)).isEqualTo(clock.nanoTime() + SECONDS.toNanos(30) + offsetNs);
        }
        assertThat(wheelCommands()).isEqualTo(commandsBefore);
    }

    // ------------------------------------------------------------------ C5: isolation and lifecycle

    @Test
    void closingRemovesTheWheelEntryAndTheRegistration() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager(2);
        manager.register(IDLE, 30, SECONDS);
        timer.doWork();
        assertThat(timer.stats().activeConnections()).isEqualTo(2);
        assertThat(timer.stats().pending()).isEqualTo(1);
        manager.close();
        manager.close();
        timer.doWork();
        assertThat(manager.isClosed()).isTrue();
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
        assertThat(timer.stats().pending()).isZero();
        assertThat(manager.stats().cancellations()).isEqualTo(1);
    }

    @Test
    void aSecondLiveManagerForAConnectionIsRefusedUntilTheFirstCloses() {
        TimerManager<TimeoutEvent> first = manager(7);
        assertThatThrownBy(() -> manager(7))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("connection 7 already has a live TimerManager on this timer; close it first");
        first.register(IDLE, 1, MILLISECONDS);
        first.close();
        TimerManager<TimeoutEvent> second = manager(7);
        second.register(IDLE, 2, MILLISECONDS);
        advance(2, MILLISECONDS);
        assertThat(delivered).containsExactly("7:IDLE");
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
    }

    @Test
    void aLazilyRegisteredManagerJoinsTheRegistryAtItsFirstTimeout() {
        TimerManager<TimeoutEvent> lazy = TimerManager.builder(timer, 7).wakeUp(eventLoop::add, this::record)
                .registerLazily().build();
        assertThat(timer.stats().activeConnections()).isZero();
        // Not registered yet, so another manager may take the id; then the lazy one's first
        // timeout is refused and leaves it exactly as it was.
        TimerManager<TimeoutEvent> eager = manager(7);
        assertThatThrownBy(() -> lazy.register(IDLE, 1, MILLISECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("connection 7 already has a live TimerManager on this timer; close it first");
        assertThatThrownBy(() -> lazy.reset(IDLE, 1, MILLISECONDS)).isInstanceOf(IllegalStateException.class);
        assertThat(lazy.isActive(IDLE)).isFalse();
        assertThat(lazy.nextDeadline()).isEqualTo(TimerManager.NO_DEADLINE);
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();

        eager.close();
        lazy.register(IDLE, 2, MILLISECONDS);
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
        assertThatThrownBy(() -> manager(7)).isInstanceOf(IllegalStateException.class);
        advance(2, MILLISECONDS);
        assertThat(delivered).containsExactly("7:IDLE");
        lazy.close();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    @Test
    void aLazilyRegisteredManagerNeverUsedLeavesNothingBehind() {
        TimerManager<TimeoutEvent> unused = TimerManager.builder(timer, 8).registerLazily().build();
        assertThat(timer.stats().activeConnections()).isZero();
        unused.close();
        assertThat(timer.stats().activeConnections()).isZero();
        TimerManager<TimeoutEvent> again = TimerManager.builder(timer, 8).registerLazily().build();
        again.scheduler();
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
        again.close();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    @Test
    void useAfterCloseIsRefusedForChangesAndANoOpForTeardown() {
        TimerManager<TimeoutEvent> manager = manager(1);
        manager.register(IDLE, 10, MILLISECONDS);
        clock.advance(10, MILLISECONDS);
        timer.doWork();                                 // a wake-up is on its way
        manager.close();
        runEventLoop();                                 // and does nothing
        assertThat(delivered).isEmpty();
        String closed = "the TimerManager of connection 1 is closed";
        assertThatThrownBy(() -> manager.register(IDLE, 1, SECONDS)).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(() -> manager.reset(IDLE, 1, SECONDS)).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThatThrownBy(manager::checkTimerEvents).isInstanceOf(IllegalStateException.class).hasMessage(closed);
        assertThat(manager.cancel(IDLE)).isFalse();
        assertThat(manager.cancelAll()).isZero();
        assertThat(manager.isActive(IDLE)).isFalse();
        assertThat(manager.deadline(IDLE)).isEqualTo(TimerManager.NO_DEADLINE);
        assertThat(manager.nextDeadline()).isEqualTo(TimerManager.NO_DEADLINE);
        assertThat(manager.stats().activeTimeouts()).isZero();
    }

    @Test
    void badArgumentsAreRefusedWithTheirNameAndValue() {
        TimerManager<TimeoutEvent> manager = manager(1);
        assertThatThrownBy(() -> manager.register(null, 1, SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThatThrownBy(() -> manager.register(IDLE, 1, null)).isInstanceOf(NullPointerException.class).hasMessage("unit");
        assertThatThrownBy(() -> manager.register(IDLE, -5, MILLISECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay must not be negative: -5 MILLISECONDS");
        assertThatThrownBy(() -> manager.reset(IDLE, -1, SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("delay must not be negative: -1 SECONDS");
        assertThatThrownBy(() -> manager.reset(null, 1, SECONDS)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThatThrownBy(() -> manager.cancel(null)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThatThrownBy(() -> manager.isActive(null)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThatThrownBy(() -> manager.deadline(null)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThat(manager.stats().registrations()).isZero();
        assertThat(manager.nextDeadline()).isEqualTo(TimerManager.NO_DEADLINE);

        assertThatThrownBy(() -> TimerManager.builder(null, 1)).isInstanceOf(NullPointerException.class).hasMessage("timer");
        assertThatThrownBy(() -> TimerManager.builder(timer, 2).spread(IDLE, -1, SECONDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("spread must not be negative: -1 SECONDS");
        assertThatThrownBy(() -> TimerManager.builder(timer, 2).wakeUp(null, this::record))
                .isInstanceOf(NullPointerException.class).hasMessage("executor");
        assertThatThrownBy(() -> TimerManager.builder(timer, 2, Wide.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventType must be an enum with 1 to 64 constants").hasMessageEndingWith("has 65");
        assertThatThrownBy(() -> TimerManager.builder(timer, 2, Empty.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("has 0");
        assertThat(timer.stats().activeConnections()).as("refused builders registered nothing").isEqualTo(1);
    }

    private enum Empty { }

    private enum Wide {
        T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20, T21,
        T22, T23, T24, T25, T26, T27, T28, T29, T30, T31, T32, T33, T34, T35, T36, T37, T38, T39, T40, T41,
        T42, T43, T44, T45, T46, T47, T48, T49, T50, T51, T52, T53, T54, T55, T56, T57, T58, T59, T60, T61,
        T62, T63, T64
    }

    @Test
    void oneConnectionsTroublesNeverReachAnother() {
        TimerManager<TimeoutEvent> calm = manager(1);
        TimerManager<TimeoutEvent> noisy = manager(2);
        calm.register(IDLE, 10, MILLISECONDS);
        noisy.register(IDLE, 10, MILLISECONDS);
        noisy.register(RETRANSMISSION, 5, MILLISECONDS);
        assertThatThrownBy(() -> noisy.register(IDLE, -1, SECONDS)).isInstanceOf(IllegalArgumentException.class);
        noisy.cancelAll();
        noisy.close();
        assertThatThrownBy(() -> noisy.register(IDLE, 1, SECONDS)).isInstanceOf(IllegalStateException.class);
        advance(10, MILLISECONDS);
        assertThat(delivered).containsExactly("1:IDLE");
    }

    @Test
    void aStoppedTimerRefusesTheEntryButTheTimeoutStaysRegistered() {
        TimerManager<TimeoutEvent> manager = manager(1);
        timer.stop();
        assertThatThrownBy(() -> manager.register(IDLE, 10, MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class).hasMessage("timer is stopped");
        assertThat(manager.isActive(IDLE)).isTrue();
        assertThat(manager.stats().armFailures()).isEqualTo(1);
        assertThatThrownBy(() -> manager.register(CONNECTION, 1, SECONDS)).isInstanceOf(RejectedExecutionException.class);
        assertThat(manager.stats().armFailures()).isEqualTo(2);
        clock.advance(10, MILLISECONDS);
        assertThat(manager.checkTimerEvents().events()).as("a drain still reports it").containsExactly(IDLE);
        assertThat(manager.stats().armFailures()).as("re-arming for CONNECTION is refused quietly").isEqualTo(3);
        assertThat(manager.isActive(CONNECTION)).isTrue();
    }

    @Test
    void deadlinesNearTheEndOfTheClockWrapSafely() {
        ManualClock late = new ManualClock(Long.MAX_VALUE - MILLISECONDS.toNanos(5));
        GlobalTimer lateTimer = GlobalTimer.builder().clock(late).drivenByCaller().build();
        TimerManager<TimeoutEvent> manager = TimerManager.builder(lateTimer, 1).recordStats().build();
        manager.register(IDLE, 10, MILLISECONDS);           // the deadline wraps past Long.MAX_VALUE
        manager.register(CONNECTION, 5, MILLISECONDS);      // exactly Long.MAX_VALUE: moved 1 ns later
        manager.register(PATH_VALIDATION, Long.MAX_VALUE, NANOSECONDS);
        assertThat(manager.deadline(CONNECTION)).isEqualTo(Long.MIN_VALUE);
        late.advance(5, MILLISECONDS);
        lateTimer.doWork();
        assertThat(manager.checkTimerEvents().isEmpty()).isTrue();
        late.advance(1, NANOSECONDS);
        assertThat(manager.checkTimerEvents().events()).containsExactly(CONNECTION);
        late.advance(5, MILLISECONDS);
        lateTimer.doWork();
        assertThat(manager.isExpirySignalled()).isTrue();
        assertThat(manager.checkTimerEvents().events()).containsExactly(IDLE);
        assertThat(manager.isActive(PATH_VALIDATION)).isTrue();
    }

    @Test
    void statsAndToStringDescribeTheManager() {
        TimerManager<TimeoutEvent> manager = manager(9);
        assertThat(manager).hasToString("TimerManager[connection 9, TypedTimeouts[], unarmed]");
        manager.register(IDLE, 1, MILLISECONDS);
        manager.reset(IDLE, 1, MILLISECONDS);
        assertThat(manager.toString()).startsWith("TimerManager[connection 9, TypedTimeouts[IDLE@").contains("armed at");
        // The typed layer's own counts start when the scheduler (and the layer view) is made.
        TimeoutLayer typed = manager.scheduler().layers().get(0);
        advance(1, MILLISECONDS);
        TimerManagerStats stats = manager.stats();
        assertThat(stats).isEqualTo(new TimerManagerStats(9, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0));
        assertThat(typed.stats().eventsFired()).isEqualTo(1);
        assertThat(typed.stats().checks()).isEqualTo(1);
        manager.close();
        assertThat(manager).hasToString("TimerManager[connection 9, closed, unarmed]");
    }
}
