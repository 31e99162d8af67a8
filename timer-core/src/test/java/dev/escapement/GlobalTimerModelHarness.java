package dev.escapement;

import static dev.escapement.GlobalTimerReferenceModel.State.CANCELLED;
import static dev.escapement.GlobalTimerReferenceModel.State.FIRED;
import static dev.escapement.GlobalTimerReferenceModel.State.PENDING;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimerReferenceModel.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the parts of one {@link GlobalTimerModelTest} run share: the timer under test on a virtual
 * clock, the {@link GlobalTimerReferenceModel}, what fired, the timers by kind, a log of the last
 * calls for failure messages, the coverage counters, and the check of one timer's state.
 *
 * <p>Not thread-safe: confined to the test thread, which also drives the timer. Tasks and the id
 * handler only record ({@code doWork()} swallows what they throw); the test thread asserts.
 */
final class GlobalTimerModelHarness {

    static final int UNLIMITED = Integer.MAX_VALUE;

    /** The settings of one run. */
    record Run(String name, long seed, long startNs, long dipNs, int queueCapacity, int maxPending,
               int slotsPerLevel, long tickNs, int calls, boolean stopAtEnd) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A delay as a call passes it. */
    record Delay(long amount, TimeUnit unit) {
        long ns() {
            return unit.toNanos(amount);
        }
    }

    /** A task or handler run: which timer, with which handle and task, at which clock reading. */
    record Fire(Timer timer, TimerHandle handle, int taskVersion, long readingNs) {
    }

    final Run run;
    final SplittableRandom random;
    final GlobalTimer timer;
    final GlobalTimerReferenceModel model;
    final long originNs;
    /** The clock: the test moves it; the timer reads it. */
    long readingNs;
    int limit = UNLIMITED;
    int call;

    final List<Fire> fires = new ArrayList<>();
    final Map<Long, Timer> byId = new HashMap<>();
    final List<Timer> handles = new ArrayList<>();
    final List<Timer> ids = new ArrayList<>();
    final TimerExpiryHandler idHandler = (timerId, nowNs) -> fires.add(new Fire(byId.get(timerId), null, 0, nowNs));
    private final ArrayDeque<String> recent = new ArrayDeque<>();

    // Coverage: a run that never reaches an edge fails rather than passing vacuously.
    long refusals;
    long lostUnlinks;
    long equalDeadlineFires;

    GlobalTimerModelHarness(Run run) {
        this.run = run;
        this.random = new SplittableRandom(run.seed());
        this.readingNs = run.startNs();
        this.timer = GlobalTimer.builder().clock(() -> readingNs).drivenByCaller()
                .commandQueueCapacity(run.queueCapacity()).maxPendingTimers(run.maxPending())
                .slotsPerLevel(run.slotsPerLevel()).tick(run.tickNs(), NANOSECONDS).build();
        this.originNs = run.startNs();
        this.model = new GlobalTimerReferenceModel(run.queueCapacity(), run.maxPending());
        timer.expiriesPerPass(UNLIMITED);
        // A clock reading before the origin counts as the origin.
        readingNs = originNs - run.dipNs();
    }

    /** @return now in the engine's time: nanoseconds since the origin, never before it */
    long engineNowNs() {
        long elapsedNs = readingNs - originNs;
        return elapsedNs < 0 ? 0 : elapsedNs;
    }

    void log(String what) {
        if (recent.size() == 40) {
            recent.removeFirst();
        }
        recent.addLast(call + ": " + what + " @" + engineNowNs());
    }

    /** @return the last calls, for a failure message */
    String recentCalls() {
        return String.join("\n  ", recent);
    }

    TimerTask taskFor(Timer timer, int version) {
        return handle -> fires.add(new Fire(timer, handle, version, readingNs));
    }

    void refused() {
        refusals++;
    }

    void cancelWon(Timer t, boolean inBatch, boolean batchOffered) {
        lostUnlinks += model.cancelled(t, inBatch, batchOffered) ? 1 : 0;
    }

    /** A timer of a kind: usually a pending one, else any of that kind (stale ones included); null if none. */
    Timer pick(boolean idPath) {
        List<Timer> pending = model.pending;
        if (!pending.isEmpty() && random.nextInt(4) != 0) {
            for (int tries = 0; tries < 6; tries++) {
                Timer t = pending.get(random.nextInt(pending.size()));
                if (t.idPath == idPath) {
                    return t;
                }
            }
        }
        List<Timer> any = idPath ? ids : handles;
        return any.isEmpty() ? null : any.get(random.nextInt(any.size()));
    }

    /** A handle's state, deadline and task, or an id's pending state, against the model. */
    void checkTimer(Timer t) {
        if (t.idPath) {
            assertThat(timer.isPending(t.id)).as("isPending(%d) of %s", t.id, t).isEqualTo(t.state == PENDING);
            return;
        }
        TimerHandle h = t.handle;
        assertThat(h.isPending()).as("isPending of %s", t).isEqualTo(t.state == PENDING);
        assertThat(h.isExpired()).as("isExpired of %s", t).isEqualTo(t.state == FIRED);
        assertThat(h.isCancelled()).as("isCancelled of %s", t).isEqualTo(t.state == CANCELLED);
        assertThat(h.deadlineNs()).as("deadlineNs of %s", t).isEqualTo(originNs + t.deadlineNs);
        assertThat(h.id()).isNegative();
        if (t.state == PENDING) {
            assertThat(h.task()).as("task of %s", t).isSameAs(t.task);
        }
    }

    void checkEveryTimer() {
        for (Timer t : model.all) {
            checkTimer(t);
        }
    }
}
