package dev.escapement.reliability;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backpressure on the real timer thread and the system clock: four producers schedule (handles
 * and ids, 0 to 20 ms), postpone and cancel at full speed into a command queue of 16, retrying
 * refused schedules. A refused call must leave its timer as it was, and no timer may fire before
 * the deadline its producer last got accepted: for a handle, its {@code deadlineNs()} read right
 * after the accepted call; for an id, the clock read before the call plus the delay (a lower
 * bound of the deadline the timer computed). Every accepted timer ends exactly once.
 *
 * <p>Refusals are certain, not hoped for: the run starts with a task holding the timer thread
 * until the producers have been refused {@value #REFUSALS_BEFORE_RELEASE} times. The end is a
 * sentinel timer due after every producer deadline: once it fired, every accepted timer must have
 * fired or been cancelled, so {@code stop()} returns nothing. Tasks record on the timer thread;
 * the test thread asserts.
 */
@Timeout(60)
class BackpressureRealThreadTest {

    private static final int PRODUCERS = 4;
    private static final int QUEUE_CAPACITY = 16;
    private static final int REFUSALS_BEFORE_RELEASE = 64;
    private static final long RUN_NS = MILLISECONDS.toNanos(2_500);
    private static final long MAX_DELAY_NS = MILLISECONDS.toNanos(20);
    private static final int KEPT_PER_PRODUCER = 256;

    /** One accepted timer. Its producer writes the deadline; the timer thread writes the fires. */
    private static final class Accepted {
        final TimerHandle handle;
        final long id;
        /** The deadline of the last accepted schedule or postpone (for an id, a lower bound). */
        volatile long deadlineNs;
        volatile boolean cancelled;

        Accepted(TimerHandle handle, long id, long deadlineNs) {
            this.handle = handle;
            this.id = id;
            this.deadlineNs = deadlineNs;
        }
    }

    /** Fires of handles, recorded on the timer thread. */
    private static final class HandleFire {
        final AtomicInteger count = new AtomicInteger();
        volatile long atNs;
    }

    private final GlobalTimer timer = GlobalTimer.builder()
            .commandQueueCapacity(QUEUE_CAPACITY).threadName("backpressure-timer").build();
    private final ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS);
    private final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    private final Map<TimerHandle, HandleFire> handleFires = new ConcurrentHashMap<>();
    private final Map<Long, Long> idFires = new ConcurrentHashMap<>();
    private final LongAdder duplicateIdFires = new LongAdder();
    private final TimerExpiryHandler idHandler = (timerId, nowNs) -> {
        if (idFires.putIfAbsent(timerId, System.nanoTime()) != null) {
            duplicateIdFires.increment();
        }
    };
    private final LongAdder scheduleRefusals = new LongAdder();
    private final LongAdder postponeRefusals = new LongAdder();
    private final LongAdder postponesAccepted = new LongAdder();
    private final CountDownLatch refusedEnough = new CountDownLatch(REFUSALS_BEFORE_RELEASE);
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @Test
    void producersRefusedByAFullQueueNeverSeeATimerFireEarlyOrGetLost() throws Exception {
        try {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch gateHeld = new CountDownLatch(1);
            List<Boolean> gateOpened = new ArrayList<>();
            timer.schedule(h -> {
                gateHeld.countDown();
                gateOpened.add(gate.await(30, SECONDS));
            }, 0, NANOSECONDS);
            assertThat(gateHeld.await(10, SECONDS)).as("the timer thread runs the gate").isTrue();

            long endNs = System.nanoTime() + RUN_NS;
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                long seed = p;
                running.add(producers.submit(() -> produce(new SplittableRandom(seed), endNs)));
            }
            assertThat(refusedEnough.await(20, SECONDS)).as("the full queue refused the producers").isTrue();
            gate.countDown();
            for (Future<?> producer : running) {
                producer.get(30, SECONDS);
            }

            // Every producer deadline is at most 20 ms after the end of production.
            CountDownLatch sentinel = new CountDownLatch(1);
            timer.schedule(h -> sentinel.countDown(), MAX_DELAY_NS + MILLISECONDS.toNanos(5), NANOSECONDS);
            assertThat(sentinel.await(20, SECONDS)).as("the sentinel fired").isTrue();
            List<TimerHandle> returned = timer.stop();

            assertThat(gateOpened).containsExactly(true);
            assertThat(violations).as("refused calls that changed their timer").isEmpty();
            account(returned);
        } finally {
            producers.shutdownNow();
            timer.stop();
        }
    }

    private void produce(SplittableRandom random, long endNs) {
        List<Accepted> handles = new ArrayList<>();
        List<Accepted> ids = new ArrayList<>();
        while (System.nanoTime() < endNs) {
            int roll = random.nextInt(100);
            if (roll < 30) {
                keep(handles, scheduleHandle(random, endNs), random);
            } else if (roll < 50) {
                keep(ids, scheduleId(random, endNs), random);
            } else if (roll < 65) {
                postponeHandle(pick(handles, random), random);
            } else if (roll < 75) {
                postponeId(pick(ids, random), random);
            } else if (roll < 88) {
                Accepted timer = pick(handles, random);
                if (timer != null && timer.handle.cancel()) {
                    timer.cancelled = true;
                }
            } else {
                Accepted timer = pick(ids, random);
                if (timer != null && this.timer.cancelTimer(timer.id)) {
                    timer.cancelled = true;
                }
            }
        }
    }

    private Accepted scheduleHandle(SplittableRandom random, long endNs) {
        long delayNs = random.nextLong(MAX_DELAY_NS + 1);
        HandleFire fire = new HandleFire();
        while (System.nanoTime() < endNs) {
            try {
                TimerHandle handle = timer.schedule(h -> {
                    fire.atNs = System.nanoTime();
                    fire.count.incrementAndGet();
                }, delayNs, NANOSECONDS);
                handleFires.put(handle, fire);
                Accepted timer = new Accepted(handle, 0, handle.deadlineNs());
                accepted.add(timer);
                return timer;
            } catch (RejectedExecutionException refused) {
                refusedOnce(scheduleRefusals);
            }
        }
        return null;
    }

    /**
     * Schedules an id-path timer. One due before {@code scheduleTimer} returned may have fired
     * already; its id is still its own (it once was its entry's next timer's, see
     * {@link ScheduleTimerIdRaceTest}).
     */
    private Accepted scheduleId(SplittableRandom random, long endNs) {
        long delayNs = random.nextLong(MAX_DELAY_NS + 1);
        while (System.nanoTime() < endNs) {
            long beforeNs = System.nanoTime();
            try {
                long id = timer.scheduleTimer(idHandler, delayNs, NANOSECONDS);
                Accepted timer = new Accepted(null, id, beforeNs + delayNs);
                accepted.add(timer);
                return timer;
            } catch (RejectedExecutionException refused) {
                refusedOnce(scheduleRefusals);
            }
        }
        return null;
    }

    private void postponeHandle(Accepted timer, SplittableRandom random) {
        if (timer == null) {
            return;
        }
        long delayNs = random.nextLong(MAX_DELAY_NS + 1);
        try {
            if (timer.handle.postpone(delayNs, NANOSECONDS)) {
                timer.deadlineNs = timer.handle.deadlineNs();
                postponesAccepted.increment();
            }
        } catch (RejectedExecutionException refused) {
            refusedOnce(postponeRefusals);
            long deadlineNs = timer.handle.deadlineNs();
            if (deadlineNs != timer.deadlineNs) {
                violations.add("a refused postpone moved " + timer.handle + " from " + timer.deadlineNs + " to " + deadlineNs);
            }
        }
    }

    private void postponeId(Accepted timer, SplittableRandom random) {
        if (timer == null) {
            return;
        }
        long delayNs = random.nextLong(MAX_DELAY_NS + 1);
        long beforeNs = System.nanoTime();
        try {
            if (this.timer.postponeTimer(timer.id, delayNs, NANOSECONDS)) {
                timer.deadlineNs = beforeNs + delayNs;
                postponesAccepted.increment();
            }
        } catch (RejectedExecutionException refused) {
            refusedOnce(postponeRefusals);
        }
    }

    private void refusedOnce(LongAdder counter) {
        counter.increment();
        refusedEnough.countDown();
        Thread.onSpinWait();
    }

    private static void keep(List<Accepted> timers, Accepted timer, SplittableRandom random) {
        if (timer == null) {
            return;
        }
        if (timers.size() < KEPT_PER_PRODUCER) {
            timers.add(timer);
        } else {
            timers.set(random.nextInt(KEPT_PER_PRODUCER), timer);
        }
    }

    private static Accepted pick(List<Accepted> timers, SplittableRandom random) {
        return timers.isEmpty() ? null : timers.get(random.nextInt(timers.size()));
    }

    /**
     * Every accepted timer ends once: fired (never before its last accepted deadline) or cancelled;
     * nothing is left for stop. Checked timer by timer.
     */
    private void account(List<TimerHandle> returned) {
        int handlesFired = 0;
        int cancelled = 0;
        Map<Long, Boolean> checkedIds = new HashMap<>();
        List<String> early = new ArrayList<>();
        List<String> notOnce = new ArrayList<>();
        for (Accepted timer : accepted) {
            cancelled += timer.cancelled ? 1 : 0;
            String name = timer.handle != null ? timer.handle.toString() : "id " + timer.id;
            int fires;
            long firedAtNs;
            if (timer.handle != null) {
                HandleFire fire = handleFires.get(timer.handle);
                fires = fire.count.get();
                firedAtNs = fire.atNs;
                handlesFired += fires > 0 ? 1 : 0;
            } else {
                if (checkedIds.put(timer.id, true) != null) {
                    notOnce.add(name + " was returned for two timers");
                }
                Long at = idFires.get(timer.id);
                fires = at == null ? 0 : 1;
                firedAtNs = at == null ? 0 : at;
            }
            if (fires + (timer.cancelled ? 1 : 0) != 1) {
                notOnce.add(name + ": fired " + fires + " times, cancelled " + timer.cancelled);
            }
            if (fires > 0 && firedAtNs - timer.deadlineNs < 0) {
                early.add(name + " fired " + (timer.deadlineNs - firedAtNs) + " ns early");
            }
        }
        TimerStats stats = timer.stats();
        assertThat(scheduleRefusals.sum()).as("schedules refused for a full queue").isPositive();
        assertThat(postponesAccepted.sum()).isPositive();
        assertThat(early).as("timers that fired before their last accepted deadline").isEmpty();
        assertThat(notOnce).as("timers that did not end exactly once").isEmpty();
        assertThat(duplicateIdFires.sum()).as("ids that fired twice").isZero();
        assertThat(returned).as("after the sentinel, stop finds nothing pending").isEmpty();
        assertThat(stats.returnedByStop()).isZero();
        int fired = handlesFired + idFires.size();
        assertThat(fired + cancelled).as("fired or cancelled").isEqualTo(accepted.size());
        // The gate and the sentinel are the two timers the producers did not schedule.
        assertThat(stats.scheduled()).isEqualTo(accepted.size() + 2L);
        assertThat(stats.fired()).isEqualTo(fired + 2L);
        assertThat(stats.cancelled()).isEqualTo(cancelled);
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled() + stats.returnedByStop());
        assertThat(stats.rejected()).as("refused schedules, counted").isEqualTo(scheduleRefusals.sum());
    }
}
