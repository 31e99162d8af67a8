package dev.escapement.connection;

import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.PATH_VALIDATION;
import static dev.escapement.connection.TimeoutEvent.RETRANSMISSION;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.unified.TimeoutCheckResult;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What a connection costs the heap, and that closing it gives everything back: the manager's own
 * fields, its slot in the connection registry, the shapes managers share, the counters only when
 * asked for, and a manager a connection class extends.
 */
class TimerManagerFootprintTest {

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();

    /**
     * The instance fields of a manager, summed as HotSpot lays them out with compressed references
     * (12-byte header, 4-byte references, objects in 8-byte steps): at most 88 bytes, so that with
     * the registry's slot a connection stays under 100.
     */
    @Test
    void aManagerOfTimeoutEventsIsAtMost88Bytes() {
        int bytes = 12;
        List<String> fields = new ArrayList<>();
        for (Class<?> type = DefaultTimerManager.class; type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    bytes += sizeOf(field.getType());
                    fields.add(type.getSimpleName() + "." + field.getName());
                }
            }
        }
        int aligned = (bytes + 7) & ~7;
        assertThat(aligned).as("bytes of %s", fields).isLessThanOrEqualTo(88);
    }

    private static int sizeOf(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == boolean.class || type == byte.class) {
            return 1;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        return 4;
    }

    /**
     * The inbox flag lives in the wheel entry's status word (C13): arming the entry again, moving
     * it, cancelling it and the timer thread's own transitions must all carry it, or a drain would
     * be lost.
     */
    @Test
    void theInboxFlagInTheStatusWordSurvivesEveryEngineTransition() {
        AbstractTimerManager<TimeoutEvent> manager = (AbstractTimerManager<TimeoutEvent>) TimerManager.builder(timer, 3).build();
        manager.register(RETRANSMISSION, 1, MILLISECONDS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        assertThat(manager.isExpirySignalled()).as("fired").isTrue();
        manager.cancel(RETRANSMISSION);
        manager.register(IDLE, 10, MILLISECONDS);
        assertThat(manager.isArmed()).as("armed again before the drain").isTrue();
        assertThat(manager.isExpirySignalled()).as("after arming").isTrue();
        manager.register(PATH_VALIDATION, 5, MILLISECONDS);
        assertThat(manager.armedDeadlineNs()).as("moved earlier").isEqualTo(manager.deadline(PATH_VALIDATION));
        assertThat(manager.isExpirySignalled()).as("after a move").isTrue();
        timer.doWork();
        assertThat(manager.isExpirySignalled()).as("after the timer thread placed it").isTrue();
        manager.cancelAll();
        assertThat(manager.isArmed()).isFalse();
        assertThat(manager.isExpirySignalled()).as("after a cancel").isTrue();
        timer.doWork();
        assertThat(manager.isExpirySignalled()).as("after the timer thread unlinked it").isTrue();
        assertThat(manager.checkTimerEvents().isEmpty()).as("everything was cancelled").isTrue();
        assertThat(manager.isExpirySignalled()).as("lowered by the drain").isFalse();
        manager.close();
        assertThat(manager.isClosed()).isTrue();
        assertThat(manager.isExpirySignalled()).isFalse();
    }

    @Test
    void managersConfiguredAlikeShareOneShapePerWakeUpExecutor() {
        ArrayDeque<Runnable> otherLoop = new ArrayDeque<>();
        AbstractTimerManager<TimeoutEvent> a = (AbstractTimerManager<TimeoutEvent>) TimerManager.builder(timer, 1)
                .wakeUp(eventLoop::add, (m, due) -> { }).build();
        ConnectionRegistry registry = ConnectionRegistry.of(timer);
        java.util.concurrent.Executor loop = eventLoop::add;
        java.util.concurrent.Executor other = otherLoop::add;
        ManagerShape<TimeoutEvent> first = TimerManager.builder(timer, 2).wakeUp(loop).shape(registry);
        assertThat(TimerManager.builder(timer, 3).wakeUp(loop).shape(registry)).isSameAs(first);
        assertThat(TimerManager.builder(timer, 4).wakeUp(other).shape(registry)).isNotSameAs(first);
        assertThat(TimerManager.builder(timer, 5).wakeUp(loop).spread(IDLE, 1, SECONDS).shape(registry))
                .isNotSameAs(first);
        assertThat(TimerManager.builder(timer, 6).shape(registry)).isSameAs(TimerManager.builder(timer, 7).shape(registry));
        a.close();
    }

    @Test
    void theRegistryStaysBetweenThreeEighthsAndThreeQuartersFullAndForgetsClosedConnections() {
        ConnectionRegistry registry = ConnectionRegistry.of(timer);
        List<TimerManager<TimeoutEvent>> open = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            open.add(opened(i * 7919L));
            if (i > 1_000) {
                int size = registry.size();
                assertThat(registry.capacity()).as("slots for %d connections", size)
                        .isLessThanOrEqualTo((int) (size / 0.375) + 16 * 16);
            }
        }
        assertThat(timer.stats().activeConnections()).isEqualTo(50_000);
        open.forEach(TimerManager::close);
        assertThat(registry.size()).isZero();
        assertThat(timer.stats().activeConnections()).isZero();
        clock.advance(1, SECONDS);
        timer.doWork();
        assertThat(timer.stats().pending()).as("wheel entries left by closed connections").isZero();
        // Every id is free again.
        for (int i = 0; i < 50_000; i++) {
            opened(i * 7919L).close();
        }
    }

    /** Past 16 384 slots a stripe's table is kept in chunks; every connection is still found and freed. */
    @Test
    void aRegistryOfChunkedTablesFindsEveryConnection() {
        ConnectionRegistry registry = ConnectionRegistry.of(timer);
        int count = 400_000;
        List<TimerManager<TimeoutEvent>> open = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            open.add(TimerManager.builder(timer, i * 31L).build());
        }
        assertThat(registry.capacity()).as("slots for %d connections", count).isBetween(count * 4 / 3, (int) (count / 0.375));
        assertThat(registry.capacity() / 16).as("a stripe's slots").isGreaterThan(16_384);
        for (int i = 0; i < count; i += 997) {
            long id = i * 31L;
            assertThatThrownBy(() -> TimerManager.builder(timer, id).build()).isInstanceOf(IllegalStateException.class);
        }
        for (int i = 0; i < count; i += 2) {
            open.get(i).close();
        }
        assertThat(registry.size()).isEqualTo(count / 2);
        for (int i = 1; i < count; i += 2 * 997) {
            long id = i * 31L;
            assertThatThrownBy(() -> TimerManager.builder(timer, id).build()).isInstanceOf(IllegalStateException.class);
            TimerManager.builder(timer, id - 31L).build().close();
        }
        open.forEach(TimerManager::close);
        assertThat(registry.size()).isZero();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    private TimerManager<TimeoutEvent> opened(long id) {
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, id).wakeUp(eventLoop::add, (m, due) -> { }).build();
        manager.register(IDLE, 30, SECONDS);
        manager.register(RETRANSMISSION, 200, MILLISECONDS);
        manager.register(PATH_VALIDATION, 3, SECONDS);
        return manager;
    }

    /** Random opens and closes over few ids, so that probe runs collide and deletions shift them. */
    @Test
    void theRegistryAgreesWithAMapUnderRandomOpensAndCloses() {
        SplittableRandom random = new SplittableRandom(11);
        Map<Long, TimerManager<TimeoutEvent>> model = new HashMap<>();
        ConnectionRegistry registry = ConnectionRegistry.of(timer);
        for (int step = 0; step < 40_000; step++) {
            long id = random.nextLong(600) - 300;
            TimerManager<TimeoutEvent> live = model.get(id);
            if (random.nextBoolean()) {
                if (live == null) {
                    model.put(id, TimerManager.builder(timer, id).build());
                } else {
                    assertThatThrownBy(() -> TimerManager.builder(timer, id).build())
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessage("connection " + id + " already has a live TimerManager on this timer; close it first");
                }
            } else if (live != null) {
                live.close();
                model.remove(id);
            }
            assertThat(registry.size()).isEqualTo(model.size());
        }
        assertThat(timer.stats().activeConnections()).isEqualTo(model.size());
    }

    @Test
    void countersAreKeptOnlyWhenAskedFor() {
        TimerManager<TimeoutEvent> plain = TimerManager.builder(timer, 1).wakeUp(eventLoop::add, (m, due) -> { }).build();
        TimerManager<TimeoutEvent> counted = TimerManager.builder(timer, 2).wakeUp(eventLoop::add, (m, due) -> { })
                .recordStats().build();
        for (TimerManager<TimeoutEvent> manager : List.of(plain, counted)) {
            manager.register(IDLE, 1, MILLISECONDS);
            manager.reset(IDLE, 2, MILLISECONDS);
        }
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);
        assertThat(plain.stats()).isEqualTo(new TimerManagerStats(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        TimerManagerStats stats = counted.stats();
        assertThat(stats.registrations()).isEqualTo(1);
        assertThat(stats.resets()).isEqualTo(1);
        assertThat(stats.expiries()).isEqualTo(1);
        assertThat(stats.wakeUps()).isEqualTo(1);
        assertThat(stats.eventsDelivered()).isEqualTo(1);
    }

    /** A connection class that is its own timers. */
    static final class Connection extends AbstractTimerManager<TimeoutEvent> {
        final List<String> seen = new ArrayList<>();

        Connection(GlobalTimer timer, long id, java.util.concurrent.Executor loop) {
            super(TimerManager.builder(timer, id).wakeUp(loop));
        }

        @Override
        protected void onTimeouts(TimeoutCheckResult due) {
            for (int i = 0; i < due.eventCount(); i++) {
                seen.add(due.event(i) + "@" + due.deadlineNs(i));
            }
        }
    }

    @Test
    void aConnectionThatExtendsTheManagerHearsItsTimeoutsInOnTimeouts() {
        Connection connection = new Connection(timer, 9, eventLoop::add);
        connection.register(IDLE, 5, MILLISECONDS);
        long deadlineNs = connection.deadline(IDLE);
        clock.advance(3, MILLISECONDS);
        connection.refreshClock();
        connection.reset(IDLE, 5, MILLISECONDS);
        clock.advance(3, MILLISECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);
        eventLoop.clear();
        assertThat(connection.seen).as("the reset moved the deadline past the first expiry").isEmpty();
        clock.advance(2, MILLISECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);
        assertThat(connection.seen).containsExactly("IDLE@" + (deadlineNs + 3_000_000));
        assertThatThrownBy(() -> new Connection(timer, 9, eventLoop::add))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("connection 9 already has a live TimerManager");
        connection.close();
        new Connection(timer, 9, eventLoop::add).close();
    }

    enum Ten { T0, T1, T2, T3, T4, T5, T6, T7, T8, T9 }

    /** A subclass over an enum wider than the inline fields: its side array is its only companion. */
    static final class WideConnection extends AbstractTimerManager<Ten> {
        final List<String> seen = new ArrayList<>();

        WideConnection(GlobalTimer timer, long id, java.util.concurrent.Executor loop) {
            super(TimerManager.builder(timer, id, Ten.class).wakeUp(loop));
        }

        @Override
        protected void onTimeouts(TimeoutCheckResult due) {
            for (int i = 0; i < due.eventCount(); i++) {
                seen.add(due.event(i).name());
            }
        }
    }

    @Test
    void theDeadlinesOfAWideEnumSurviveTheSideObjectBeingMade() {
        WideConnection connection = new WideConnection(timer, 11, eventLoop::add);
        connection.register(Ten.T9, 3, MILLISECONDS);
        connection.register(Ten.T5, 1, MILLISECONDS);
        connection.register(Ten.T0, 2, MILLISECONDS);
        long t9Ns = connection.deadline(Ten.T9);
        // The scheduler needs the side object: the wide deadlines move into it.
        connection.scheduler();
        assertThat(connection.deadline(Ten.T9)).isEqualTo(t9Ns);
        assertThat(connection.isActive(Ten.T5)).isTrue();
        for (int ms = 1; ms <= 3; ms++) {
            clock.advance(1, MILLISECONDS);
            timer.doWork();
            eventLoop.forEach(Runnable::run);
            eventLoop.clear();
        }
        assertThat(connection.seen).containsExactly("T5", "T0", "T9");
        connection.close();
    }

    @Test
    void aWakeUpWithoutAListenerIsOnlyForSubclasses() {
        assertThatThrownBy(() -> TimerManager.builder(timer, 1).wakeUp(eventLoop::add).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a wake-up without a listener is for subclasses of AbstractTimerManager;"
                        + " give build() one with wakeUp(executor, listener)");
        // Nothing was registered: the id is free.
        TimerManager.builder(timer, 1).build().close();
    }
}
