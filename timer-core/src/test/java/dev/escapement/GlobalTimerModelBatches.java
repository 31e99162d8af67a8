package dev.escapement;

import static dev.escapement.GlobalTimerReferenceModel.State.PENDING;
import static dev.escapement.GlobalTimerReferenceModel.deadlineAfter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimerModelHarness.Delay;
import dev.escapement.GlobalTimerReferenceModel.Timer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The batches of a {@link GlobalTimerModelTest} run: up to eight schedules, cancels (of handles
 * and ids, stale and unknown ones included) and postpones, over one to three handles so that a
 * handle often appears several times. Each entry is decided as its single call would be at submit
 * time; a batch that needs the queue and finds it full is refused whole, its cancels standing.
 *
 * <p>Not thread-safe: confined to the test thread.
 */
final class GlobalTimerModelBatches {

    private static final int SCHEDULE = 0;
    private static final int CANCEL = 1;
    private static final int CANCEL_ID = 2;
    private static final int POSTPONE = 3;
    private static final String NOT_PENDING = "not pending";

    private record Entry(int kind, Timer timer, long id, Delay delay) {
        @Override
        public String toString() {
            return switch (kind) {
                case SCHEDULE -> "schedule " + delay;
                case CANCEL -> "cancel " + timer;
                case CANCEL_ID -> "cancel id " + id;
                default -> "postpone " + timer + " by " + delay;
            };
        }
    }

    private final GlobalTimerModelHarness h;
    private final GlobalTimerModelDraws draws;
    private final SplittableRandom random;
    private final GlobalTimerReferenceModel model;

    GlobalTimerModelBatches(GlobalTimerModelHarness harness, GlobalTimerModelDraws draws) {
        this.h = harness;
        this.draws = draws;
        this.random = harness.random;
        this.model = harness.model;
    }

    void batch() {
        List<Timer> few = new ArrayList<>();
        for (int i = random.nextInt(1, 4); i > 0; i--) {
            Timer t = h.pick(false);
            if (t != null) {
                few.add(t);
            }
        }
        TimerBatch batch = h.timer.newBatch();
        List<Entry> entries = new ArrayList<>();
        for (int i = random.nextInt(9); i > 0; i--) {
            int kind = random.nextInt(4);
            if ((kind == CANCEL || kind == POSTPONE) && few.isEmpty()) {
                kind = SCHEDULE;
            }
            switch (kind) {
                case SCHEDULE -> {
                    Timer t = model.newTimer(false);
                    t.task = h.taskFor(t, 0);
                    Delay delay = draws.delay();
                    batch.schedule(t.task, delay.amount(), delay.unit());
                    entries.add(new Entry(kind, t, 0, delay));
                }
                case CANCEL -> {
                    Timer t = few.get(random.nextInt(few.size()));
                    batch.cancel(t.handle);
                    entries.add(new Entry(kind, t, 0, null));
                }
                case CANCEL_ID -> {
                    Timer t = random.nextInt(4) == 0 ? null : h.pick(true);
                    long id = t == null ? draws.unknownId() : t.id;
                    batch.cancel(id);
                    entries.add(new Entry(kind, t, id, null));
                }
                default -> {
                    Timer t = few.get(random.nextInt(few.size()));
                    Delay delay = draws.postponeDelay(t, h.engineNowNs());
                    batch.postpone(t.handle, delay.amount(), delay.unit());
                    entries.add(new Entry(kind, t, 0, delay));
                }
            }
        }
        submit(batch, entries);
    }

    /** Decides each entry as the model would, submits, compares, and applies what took effect. */
    private void submit(TimerBatch batch, List<Entry> entries) {
        long nowNs = h.engineNowNs();
        int size = entries.size();
        boolean[] decided = new boolean[size];
        String[] why = new String[size];
        long[] deadlinesNs = new long[size];
        Map<Timer, Boolean> pendingNow = new IdentityHashMap<>();
        Map<Timer, Boolean> claimed = new IdentityHashMap<>();
        // The commands the entries' single calls would have queued so far: what the bound counts.
        int offered = 0;
        int schedules = 0;
        int boundRefusals = 0;
        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            Timer t = entry.timer();
            if (entry.kind() == SCHEDULE) {
                if (model.batchScheduleRefused(offered)) {
                    why[i] = model.boundMessage();
                    boundRefusals++;
                    continue;
                }
                decided[i] = true;
                deadlinesNs[i] = deadlineAfter(nowNs, entry.delay().ns());
                offered++;
                schedules++;
                continue;
            }
            boolean pending = t != null && pendingNow.getOrDefault(t, t.state == PENDING);
            if (!pending) {
                why[i] = NOT_PENDING;
                continue;
            }
            decided[i] = true;
            if (entry.kind() == POSTPONE) {
                deadlinesNs[i] = deadlineAfter(nowNs, entry.delay().ns());
                if (claimed.put(t, true) == null) {
                    offered++;
                }
            } else {
                pendingNow.put(t, false);
                offered += t.held ? 1 : 0;
            }
        }
        boolean refusedWhole = offered > 0 && model.queueFull();
        h.log("batch" + (refusedWhole ? ", refused: " : ": ") + entries);
        BatchResult result = batch.submit();
        int successes = 0;
        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            boolean cancel = entry.kind() == CANCEL || entry.kind() == CANCEL_ID;
            boolean expected = decided[i] && (cancel || !refusedWhole);
            String failure = decided[i] && !expected ? model.queueFullMessage() : why[i];
            assertThat(result.succeeded(i)).as("entry %d of %s", i, entries).isEqualTo(expected);
            assertThat(result.failure(i)).as("entry %d", i).isEqualTo(failure);
            successes += expected ? 1 : 0;
            switch (entry.kind()) {
                case SCHEDULE -> assertThat(result.handle(i) != null).isEqualTo(expected);
                case CANCEL, POSTPONE -> assertThat(result.handle(i)).isSameAs(entry.timer().handle);
                default -> assertThat(result.handle(i)).isNull();
            }
        }
        assertThat(result.successCount()).isEqualTo(successes);
        apply(entries, decided, deadlinesNs, result, refusedWhole);
        if (refusedWhole) {
            h.refused();
            model.rejectedSchedules += schedules;
        } else if (offered > 0) {
            model.batchQueued(schedules);
        }
        model.rejectedSchedules += boundRefusals;
        for (Entry entry : entries) {
            if (entry.timer() != null && (entry.kind() != SCHEDULE || entry.timer().handle != null)) {
                h.checkTimer(entry.timer());
            }
        }
    }

    private void apply(List<Entry> entries, boolean[] decided, long[] deadlinesNs, BatchResult result, boolean refusedWhole) {
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            Timer t = entry.timer();
            if (!decided[i]) {
                continue;
            }
            switch (entry.kind()) {
                case SCHEDULE -> {
                    if (!refusedWhole) {
                        t.handle = result.handle(i);
                        model.scheduled(t, deadlinesNs[i], false);
                        h.handles.add(t);
                    }
                }
                case POSTPONE -> {
                    if (!refusedWhole) {
                        model.postponed(t, deadlinesNs[i], false);
                    }
                }
                default -> h.cancelWon(t, true, !refusedWhole);
            }
        }
    }
}
