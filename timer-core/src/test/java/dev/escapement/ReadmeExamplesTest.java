package dev.escapement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import dev.escapement.connection.AbstractTimerManager;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's examples, verbatim where possible, so they keep compiling and stay true. */
class ReadmeExamplesTest {

    @Test
    void quickStart() {
        GlobalTimer timer = GlobalTimer.builder()
                .tick(1, TimeUnit.MILLISECONDS)          // resolution: 1 µs to 1 s
                .build();                                // the thread starts on first use

        TimerHandle handle = timer.schedule(h -> System.out.println("timed out: " + h.id()),
                30, TimeUnit.SECONDS);
        boolean cancelled = handle.cancel();             // true: this call cancelled it
        boolean futureToo = handle.completion().isCancelled(); // true: the future follows the timer

        // The primitive path: a long id, nothing allocated per timer in steady state.
        ConcurrentLinkedQueue<Long> inbox = new ConcurrentLinkedQueue<>();
        long id = timer.scheduleTimer((timerId, nowNs) -> inbox.offer(timerId), 200, TimeUnit.MILLISECONDS);
        timer.cancelTimer(id);

        List<TimerHandle> neverRan = timer.stop();       // cancels and returns what never ran

        assertThat(cancelled).isTrue();
        assertThat(futureToo).isTrue();
        assertThat(inbox).isEmpty();
        assertThat(neverRan).isEmpty();
    }

    private void sendPing() {
    }

    private void poll() {
    }

    private void giveUp() {
    }

    private void closeIdle() {
    }

    private void retransmit() {
    }

    private final java.util.function.LongSupplier backoffNs = () -> 1_000_000L;

    private final class Backoff {
        long nextNs() {
            return backoffNs.getAsLong();
        }
    }

    private final Backoff backoff = new Backoff();

    @Test
    void moreWaysToSchedule() {
        GlobalTimer timer = GlobalTimer.builder().build();

        // Periodic: fixed rate without drift, 10 runs, each spread by up to 50 ms of jitter.
        TimerHandle keepAlive = timer.schedulePeriodic(h -> sendPing(),
                PeriodicSchedule.fixedRate(15, TimeUnit.SECONDS).loops(10).jitter(50, TimeUnit.MILLISECONDS).build());

        // Periodic with a dynamic interval: (lastFireNs) -> nextIntervalNs, forever.
        timer.schedulePeriodic(h -> poll(), PeriodicSchedule.dynamic(lastFireNs -> backoff.nextNs()).build());

        // Postpone: move a pending timer (earlier or later), same handle and id; optionally a new task.
        TimerHandle connect = timer.schedule(h -> giveUp(), 3, TimeUnit.SECONDS);
        connect.postpone(6, TimeUnit.SECONDS);

        // A deadline window: anywhere from 30 s to 35 s. Timers with similar windows share a wheel slot
        // and expire straight from it, without cascading.
        TimerHandle idle = timer.scheduleWithin(h -> closeIdle(), 30, 35, TimeUnit.SECONDS);

        // A batch: one hand-off to the timer thread and at most one wake-up; the result says what worked.
        BatchResult result = timer.newBatch()
                .schedule(h -> retransmit(), 200, TimeUnit.MILLISECONDS)
                .cancel(connect)
                .postpone(idle, 40, TimeUnit.SECONDS)
                .submit();
        boolean allDone = result.successCount() == result.size();

        assertThat(allDone).isTrue();
        assertThat(keepAlive.isPending()).isTrue();
        assertThat(connect.isCancelled()).isTrue();
        assertThat(timer.stop()).hasSize(4);
    }

    @Test
    void observingTheTimer() {
        GlobalTimer timer = GlobalTimer.builder().build();
        TimerStats stats = timer.stats();      // a snapshot; never stops the timer thread
        long p99 = stats.latenessP99Ns();      // firing lateness percentiles (HdrHistogram)
        long[] cascades = stats.cascadesPerLevel();
        System.out.println(timer.dump());      // the wheel level by level, the busiest slots, the stats

        GlobalTimer watched = GlobalTimer.builder().jmx().build();   // and a JMX MXBean with the same figures

        assertThat(p99).isZero();
        assertThat(cascades).hasSize(11);
        timer.stop();
        watched.stop();
    }

    @Test
    void virtualTime() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<TimerHandle> fired = new ArrayList<>();
        timer.schedule(fired::add, 10, TimeUnit.MILLISECONDS);
        clock.advance(10, TimeUnit.MILLISECONDS);
        timer.doWork();                                  // one pass: apply commands, expire what is due
        assertThat(fired).hasSize(1);
    }

    @Test
    void perConnectionTimers() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        Queue<Runnable> eventLoop = new ArrayDeque<>();          // stands in for the connection's event loop
        List<String> log = new ArrayList<>();

        TimerManager<TimeoutEvent> timeouts = TimerManager.builder(timer, 42)
                .wakeUp(eventLoop::add, (manager, due) -> {       // runs on the event loop
                    for (int i = 0; i < due.eventCount(); i++) {
                        log.add(due.event(i) + " on connection " + manager.connectionId());
                    }
                })
                .spread(TimeoutEvent.IDLE, 1, TimeUnit.SECONDS)
                .recordStats()                                   // keep counters for stats() (optional)
                .build();

        timeouts.register(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
        timeouts.register(TimeoutEvent.RETRANSMISSION, 200, TimeUnit.MILLISECONDS);

        timeouts.refreshClock();                                 // a burst of packets begins
        for (int packet = 0; packet < 1_000; packet++) {
            timeouts.reset(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS); // a field write: the wheel is not touched
        }

        clock.advance(200, TimeUnit.MILLISECONDS);
        timer.doWork();                                          // the wheel entry fires: one wake-up is queued
        eventLoop.poll().run();                                  // the event loop drains; log: [RETRANSMISSION on connection 42]

        TimeoutCheckResult due = timeouts.checkTimerEvents();    // draining by hand works too: nothing is due now
        timeouts.close();                                        // removes its wheel entry and its registration

        assertThat(log).containsExactly("RETRANSMISSION on connection 42");
        assertThat(due.isEmpty()).isTrue();
        assertThat(eventLoop).isEmpty();
        assertThat(timeouts.stats().resets()).isEqualTo(1_000);
        assertThat(timeouts.stats().wheelSchedules()).as("IDLE armed, then re-armed after it fired").isEqualTo(2);
        assertThat(timeouts.stats().wheelMoves()).as("moved earlier for RETRANSMISSION").isEqualTo(1);
        timer.doWork();
        assertThat(timer.stats().pending()).isZero();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    /** The README's connection class that extends the manager. */
    static final class Connection extends AbstractTimerManager<TimeoutEvent> {
        final List<Enum<?>> seen = new ArrayList<>();

        Connection(GlobalTimer timer, long id, Executor eventLoop) {
            super(TimerManager.builder(timer, id).wakeUp(eventLoop));
        }

        void onPacket() {
            reset(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
        }

        @Override
        protected void onTimeouts(TimeoutCheckResult due) {     // on the event loop
            seen.addAll(due.events());
        }
    }

    @Test
    void aConnectionThatIsItsOwnTimers() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        Queue<Runnable> eventLoop = new ArrayDeque<>();
        Connection connection = new Connection(timer, 7, eventLoop::add);
        connection.register(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
        clock.advance(20, TimeUnit.SECONDS);
        connection.refreshClock();
        connection.onPacket();
        clock.advance(25, TimeUnit.SECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);
        eventLoop.clear();
        assertThat(connection.seen).as("the packet at 20 s pushed IDLE to 50 s").isEmpty();
        clock.advance(5, TimeUnit.SECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);
        assertThat(connection.seen).containsExactly(TimeoutEvent.IDLE);
        connection.close();
    }

    @Test
    void builderRejectsABadTickNamingTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GlobalTimer.builder().tick(0, TimeUnit.NANOSECONDS).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tick must be between 1 µs and 1 s: 0 ns");
    }
}
