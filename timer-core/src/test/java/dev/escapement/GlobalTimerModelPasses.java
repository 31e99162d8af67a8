package dev.escapement;

import static dev.escapement.GlobalTimerModelHarness.UNLIMITED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimerModelHarness.Fire;
import dev.escapement.GlobalTimerReferenceModel.Pass;
import dev.escapement.GlobalTimerReferenceModel.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The passes of a {@link GlobalTimerModelTest} run, and what is checked after each: exactly the
 * due timers fire (all of them unless the pass limit stops it, and then the earliest), in deadline
 * order and, among equal deadlines, in the order of their last calls; none early, none twice, each
 * with its own handle and latest task; {@code doWork()} counts the commands and the timers taken;
 * the counters agree with the model. And the end of a run: the end of time, or {@code stop()}.
 *
 * <p>Not thread-safe: confined to the test thread.
 */
final class GlobalTimerModelPasses {

    private final GlobalTimerModelHarness h;
    private final GlobalTimerModelDraws draws;
    private final GlobalTimer timer;
    private final GlobalTimerReferenceModel model;

    GlobalTimerModelPasses(GlobalTimerModelHarness harness, GlobalTimerModelDraws draws) {
        this.h = harness;
        this.draws = draws;
        this.timer = harness.timer;
        this.model = harness.model;
    }

    void changeLimit() {
        h.limit = h.random.nextBoolean() ? h.random.nextInt(1, 9) : UNLIMITED;
        timer.expiriesPerPass(h.limit);
        h.log("expiriesPerPass " + h.limit);
    }

    void advance() {
        long stepNs = draws.stepNs();
        h.readingNs += stepNs;
        h.log("advance " + stepNs);
    }

    void pass() {
        Pass expected = model.beginPass(h.engineNowNs());
        h.fires.clear();
        h.log("pass, expecting " + expected.due().size() + " and " + expected.dueZombies() + " zombies");
        int work = timer.doWork();
        List<Timer> fired = checkFires(expected);
        int zombiesTaken = work - expected.commands() - fired.size();
        assertThat(zombiesTaken).as("doWork's count: the %d commands applied plus timers taken", expected.commands())
                .isBetween(0, expected.dueZombies());
        if (h.limit == UNLIMITED || fired.size() + zombiesTaken < h.limit) {
            assertThat(fired).as("every due timer fired").hasSameSizeAs(expected.due());
            assertThat(zombiesTaken).as("every due zombie taken").isEqualTo(expected.dueZombies());
        } else {
            assertThat(fired.size() + zombiesTaken).isEqualTo(h.limit);
        }
        model.endPass(fired, zombiesTaken);
        for (Timer t : fired) {
            h.checkTimer(t);
        }
        checkCounters();
    }

    /**
     * Each fire: a due pending timer, once, never early, with its handle and its latest task; in
     * deadline order; equal deadlines in the order of their last calls; and none fired after a
     * due timer left for a later pass.
     */
    private List<Timer> checkFires(Pass expected) {
        long passNowNs = expected.nowNs();
        Map<Timer, Boolean> left = new IdentityHashMap<>();
        for (Timer t : expected.due()) {
            left.put(t, true);
        }
        List<Timer> fired = new ArrayList<>();
        Timer previous = null;
        for (Fire fire : h.fires) {
            Timer t = fire.timer();
            assertThat(t).as("fire %d of the pass at %d: a timer the model knows", fired.size(), passNowNs).isNotNull();
            assertThat(left.remove(t)).as("fire %d of the pass at %d: %s is due and pending (due: %s)", fired.size(),
                    passNowNs, t, expected.due()).isNotNull();
            assertThat(passNowNs).as("never early: %s", t).isGreaterThanOrEqualTo(t.deadlineNs);
            if (t.idPath) {
                assertThat(fire.readingNs()).as("the handler's now").isEqualTo(h.originNs + passNowNs);
            } else {
                assertThat(fire.handle()).isSameAs(t.handle);
                assertThat(fire.taskVersion()).as("the task of the last accepted postpone").isEqualTo(t.taskVersion);
                // A reading before the origin counts as the origin.
                assertThat(Math.max(0, fire.readingNs() - h.originNs)).as("never early: %s", t)
                        .isGreaterThanOrEqualTo(t.deadlineNs);
            }
            if (previous != null) {
                assertThat(t.deadlineNs).as("deadline order: %s after %s", t, previous)
                        .isGreaterThanOrEqualTo(previous.deadlineNs);
            }
            fired.add(t);
            previous = t;
        }
        checkTies(fired, left.keySet());
        return fired;
    }

    /**
     * Among equal deadlines, timers fire in the order of their last calls; a due timer left for a
     * later pass comes after every one that fired.
     */
    private void checkTies(List<Timer> fired, Collection<Timer> left) {
        Map<Long, Timer> lastAt = new HashMap<>();
        for (int i = 0; i < fired.size(); i++) {
            Timer t = fired.get(i);
            if (i > 0 && fired.get(i - 1).deadlineNs == t.deadlineNs) {
                h.equalDeadlineFires++;
            }
            Timer before = lastAt.put(t.deadlineNs, t);
            if (before != null) {
                assertThat(t.callSeq).as("equal deadlines in call order: %s fired after %s", t, before)
                        .isGreaterThan(before.callSeq);
            }
        }
        if (fired.isEmpty()) {
            return;
        }
        Timer last = fired.get(fired.size() - 1);
        for (Timer t : left) {
            assertThat(t.deadlineNs).as("%s left for a later pass, but %s fired", t, last)
                    .isGreaterThanOrEqualTo(last.deadlineNs);
            Timer before = lastAt.get(t.deadlineNs);
            if (before != null) {
                assertThat(t.callSeq).as("%s left for a later pass, but %s fired", t, before).isGreaterThan(before.callSeq);
            }
        }
    }

    /** After a pass, with nothing queued. */
    private void checkCounters() {
        TimerStats stats = timer.stats();
        assertThat(stats.commandQueueDepth()).isZero();
        assertThat(stats.pending()).as("pending: timers held, zombies included").isEqualTo(model.held());
        assertThat(stats.scheduled()).as("scheduled").isEqualTo(model.accepted);
        assertThat(stats.fired()).as("fired").isEqualTo(model.firedCount);
        assertThat(stats.runs()).isEqualTo(model.firedCount);
        assertThat(stats.cancelled()).as("cancelled, zombies not yet").isEqualTo(model.cancelWins - model.zombieCount());
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled() + stats.returnedByStop() + stats.pending());
        assertThat(stats.rejected()).as("rejected schedules").isEqualTo(model.rejectedSchedules);
        assertThat(stats.taskFailures()).isZero();
    }

    /** The end of a run: stop returns exactly the pending handles; or, at the end of time, everything fires. */
    void finish() {
        if (h.run.stopAtEnd()) {
            h.log("stop");
            List<TimerHandle> expected = new ArrayList<>();
            for (Timer t : model.pending) {
                if (!t.idPath) {
                    expected.add(t.handle);
                }
            }
            long pendingCount = model.pending.size();
            assertThat(timer.stop()).as("stop returns the pending handles").containsExactlyInAnyOrderElementsOf(expected);
            model.stopped();
            TimerStats stats = timer.stats();
            assertThat(stats.returnedByStop()).isEqualTo(pendingCount);
            assertThat(stats.pending()).isZero();
            assertThat(stats.fired()).isEqualTo(model.firedCount);
            assertThat(stats.cancelled()).isEqualTo(model.cancelWins);
            assertThat(stats.scheduled()).isEqualTo(model.accepted)
                    .isEqualTo(stats.fired() + stats.cancelled() + stats.returnedByStop());
            h.checkEveryTimer();
            return;
        }
        h.limit = UNLIMITED;
        timer.expiriesPerPass(UNLIMITED);
        h.readingNs = h.originNs + Long.MAX_VALUE;
        h.log("the end of time");
        pass();
        assertThat(model.pending).as("everything fired by the end of time").isEmpty();
        assertThat(model.zombieCount()).isZero();
        pass();
        h.checkEveryTimer();
        TimerStats stats = timer.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.cancelled()).isEqualTo(model.cancelWins);
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled());
        assertThat(timer.stop()).isEmpty();
        assertThat(timer.stats().returnedByStop()).isZero();
    }
}
