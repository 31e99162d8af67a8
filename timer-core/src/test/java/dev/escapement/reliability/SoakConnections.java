package dev.escapement.reliability;

import static dev.escapement.connection.TimeoutEvent.IDLE;
import static dev.escapement.connection.TimeoutEvent.RETRANSMISSION;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The connection traffic of {@link SoakTest}: one event loop's worth of {@link TimerManager}
 * connections on a real {@link GlobalTimer}. Connections open and register an idle timeout;
 * every packet resets it, and arms or acknowledges (cancels) a retransmission timeout; due
 * timeouts reach the loop as wake-ups, which drain the manager; a connection closes when it idles
 * out or its peer closes it, and a new one takes its place. A tenth of the connections never get
 * a packet, so idle timeouts keep firing.
 *
 * <p>Not thread-safe: {@link #run()} is the event loop's thread and owns every manager; the timer
 * thread only queues wake-ups. The counters are read after that thread has ended.
 */
final class SoakConnections implements Runnable {

    static final int CONNECTIONS = 2_000;
    private static final int SILENT = CONNECTIONS / 10;
    private static final long IDLE_MS = 500;
    /** Packets per read burst; a burst a millisecond, about 20 K packets a second. */
    private static final int PACKETS_PER_BURST = 20;

    private final GlobalTimer timer;
    private final SplittableRandom random;
    private final AtomicBoolean running;
    /** The event loop's task queue: the timer thread adds wake-ups, the loop runs them. */
    private final ConcurrentLinkedQueue<Runnable> wakeUps = new ConcurrentLinkedQueue<>();
    @SuppressWarnings("unchecked")
    private final TimerManager<TimeoutEvent>[] slots = new TimerManager[CONNECTIONS];
    private final long[] generations = new long[CONNECTIONS];

    long opened;
    long closedByPeer;
    long idleTimeouts;
    long retransmissionTimeouts;
    long packets;
    long resets;

    SoakConnections(GlobalTimer timer, long seed, AtomicBoolean running) {
        this.timer = timer;
        this.random = new SplittableRandom(seed);
        this.running = running;
    }

    @Override
    public void run() {
        for (int slot = 0; slot < CONNECTIONS; slot++) {
            open(slot);
        }
        while (running.get()) {
            runWakeUps();
            // A read burst: one clock refresh, then resets that are field writes.
            slots[SILENT].refreshClock();
            for (int i = 0; i < PACKETS_PER_BURST; i++) {
                packet();
            }
            // A steady load: the soak looks for leaks and drift, not for limits.
            LockSupport.parkNanos(1_000_000);
        }
        for (TimerManager<TimeoutEvent> manager : slots) {
            manager.close();
        }
        // Wake-ups already queued find their managers closed and do nothing.
        runWakeUps();
    }

    private void packet() {
        int slot = random.nextInt(SILENT, CONNECTIONS);
        TimerManager<TimeoutEvent> manager = slots[slot];
        packets++;
        if (manager.reset(IDLE, IDLE_MS, MILLISECONDS)) {
            resets++;
        }
        int kind = random.nextInt(100);
        if (kind < 30) {
            // A send: the retransmission timeout covers it.
            manager.register(RETRANSMISSION, random.nextLong(20, 200), MILLISECONDS);
        } else if (kind < 55) {
            // An acknowledgement: nothing left to retransmit.
            manager.cancel(RETRANSMISSION);
        } else if (kind == 55) {
            closedByPeer++;
            manager.close();
            open(slot);
        }
    }

    private void onTimeouts(TimerManager<TimeoutEvent> manager, TimeoutCheckResult due) {
        for (int i = 0; i < due.eventCount(); i++) {
            if (due.event(i) == IDLE) {
                idleTimeouts++;
                manager.close();
                open(slotOf(manager));
                return;
            }
            retransmissionTimeouts++;
            manager.register(RETRANSMISSION, 200, MILLISECONDS);
        }
    }

    private void open(int slot) {
        long connectionId = ++generations[slot] * CONNECTIONS + slot;
        TimerManager<TimeoutEvent> manager = TimerManager.builder(timer, connectionId)
                .wakeUp(wakeUps::add, this::onTimeouts)
                .recordStats().build();
        manager.register(IDLE, IDLE_MS, MILLISECONDS);
        slots[slot] = manager;
        opened++;
    }

    private static int slotOf(TimerManager<TimeoutEvent> manager) {
        return (int) (manager.connectionId() % CONNECTIONS);
    }

    private void runWakeUps() {
        for (Runnable wakeUp = wakeUps.poll(); wakeUp != null; wakeUp = wakeUps.poll()) {
            wakeUp.run();
        }
    }
}
