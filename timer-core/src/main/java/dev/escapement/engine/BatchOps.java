package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.IDLE;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.PENDING;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.status;

import java.util.Arrays;

/**
 * The operations of one batch, as the engine applies them: a schedule of a new entry, a cancel
 * (of an entry or an id), or a postpone, each with its deadline in the engine's nanoseconds.
 * {@code TimerBatch} fills one at submit time; {@link TimerEngine#submit} decides each operation
 * and writes why it failed.
 *
 * <p>Not thread-safe: filled and submitted by one thread.
 */
public final class BatchOps {

    static final int SCHEDULE = 1;
    static final int CANCEL = 2;
    static final int CANCEL_ID = 3;
    static final int POSTPONE = 4;

    private int[] kinds = new int[8];
    private TimerEntry[] entries = new TimerEntry[8];
    private long[] values = new long[8];
    private String[] failures = new String[8];
    private int size;

    /** Adds the schedule of a new entry (from {@link TimerEngine#newHandle}). */
    public void schedule(TimerEntry entry, long deadlineNs) {
        add(SCHEDULE, entry, deadlineNs);
    }

    public void cancel(TimerEntry entry) {
        add(CANCEL, entry, 0);
    }

    /** Adds the cancel of an id-path timer. */
    public void cancelId(long timerId) {
        add(CANCEL_ID, null, timerId);
    }

    public void postpone(TimerEntry entry, long deadlineNs) {
        add(POSTPONE, entry, deadlineNs);
    }

    private void add(int kind, TimerEntry entry, long value) {
        if (size == kinds.length) {
            kinds = Arrays.copyOf(kinds, size * 2);
            entries = Arrays.copyOf(entries, size * 2);
            values = Arrays.copyOf(values, size * 2);
            failures = Arrays.copyOf(failures, size * 2);
        }
        kinds[size] = kind;
        entries[size] = entry;
        values[size] = value;
        size++;
    }

    public int size() {
        return size;
    }

    int kind(int index) {
        return kinds[index];
    }

    TimerEntry entry(int index) {
        return entries[index];
    }

    void entry(int index, TimerEntry entry) {
        entries[index] = entry;
    }

    long deadlineNs(int index) {
        return values[index];
    }

    long timerId(int index) {
        return values[index];
    }

    void refuse(int index, String reason) {
        failures[index] = reason;
    }

    /** @return why operation {@code index} did not take effect, or null */
    public String failure(int index) {
        return failures[index];
    }

    /**
     * Applies the batch: each operation is decided now, as its single call would be (the engine's
     * own claim, cancel and schedule steps), and the entries that need the timer thread go in one
     * offer. A refused offer undoes the schedules and postpones, last first.
     *
     * @return per operation, true if it took effect
     */
    boolean[] submit(TimerEngine engine, long nowNs) {
        BatchOps ops = this;
        engine.ensureRunning();
        int size = ops.size();
        boolean[] done = new boolean[size];
        TimerEntry[] toOffer = new TimerEntry[size];
        int[] claims = new int[size];
        long[] previousNs = new long[size];
        int[] offerSlots = new int[size];
        int offered = 0;
        int gaps = 0;
        long earliestNs = Long.MAX_VALUE;
        boolean flush = false;
        int scheduleRefusals = 0;
        for (int i = 0; i < size; i++) {
            TimerEntry entry = ops.entry(i);
            switch (ops.kind(i)) {
                case BatchOps.SCHEDULE -> {
                    if (!engine.hasRoomFor(offered - gaps)) {
                        scheduleRefusals++;
                        ops.refuse(i, "pending timers bound reached: maxPendingTimers=" + engine.maxPendingTimers);
                        continue;
                    }
                    entry.requestedNs = ops.deadlineNs(i);
                    entry.initState(PENDING | TimerEntry.OFFER);
                    done[i] = true;
                    toOffer[offered++] = entry;
                    earliestNs = Math.min(earliestNs, ops.deadlineNs(i));
                    flush |= ops.deadlineNs(i) - nowNs < TimerEngine.NEAR_NS;
                }
                case BatchOps.CANCEL, BatchOps.CANCEL_ID -> {
                    int previous;
                    if (ops.kind(i) == BatchOps.CANCEL) {
                        previous = StateTransitions.tryCancel(entry);
                    } else {
                        entry = engine.ids.current(ops.timerId(i));
                        previous = entry == null ? StateTransitions.NOT_PENDING : IdPath.tryCancelId((IdEntry) entry, ops.timerId(i));
                        ops.entry(i, entry);
                    }
                    if (previous == StateTransitions.NOT_PENDING) {
                        ops.refuse(i, "not pending");
                    } else {
                        done[i] = true;
                        if ((previous & LINKED) != 0) {
                            // The cancel counted this offer; a refused batch takes it back.
                            claims[i] = previous;
                            toOffer[offered++] = entry;
                        }
                    }
                }
                case BatchOps.POSTPONE -> {
                    int earlier = claimedEarlier(ops, claims, done, i, entry);
                    if (earlier >= 0) {
                        if (status(entry.state()) != TimerEntry.MOVING) {
                            // A cancel (in this batch, or from another thread) took it meanwhile.
                            ops.refuse(i, "not pending");
                            continue;
                        }
                        // The batch holds this entry's claim already: move it again under it.
                        claims[i] = claims[earlier];
                        claims[earlier] = 0;
                        previousNs[i] = previousNs[earlier];
                        // It joins its new deadline's timers after everything offered before
                        // this operation, so its one offer moves here.
                        toOffer[offerSlots[earlier]] = null;
                        gaps++;
                        offerSlots[i] = offered;
                        toOffer[offered++] = entry;
                    } else {
                        int claimed = StateTransitions.claim(entry);
                        if (claimed == StateTransitions.NOT_PENDING) {
                            ops.refuse(i, "not pending");
                            continue;
                        }
                        claims[i] = claimed;
                        previousNs[i] = entry.requestedNs;
                        offerSlots[i] = offered;
                        toOffer[offered++] = entry;
                    }
                    entry.requestedNs = ops.deadlineNs(i);
                    done[i] = true;
                    earliestNs = Math.min(earliestNs, ops.deadlineNs(i));
                    flush = true;
                }
                default -> throw new IllegalStateException("unknown batch operation " + ops.kind(i));
            }
        }
        engine.counters.rejected.add(scheduleRefusals);
        if (gaps > 0) {
            int kept = 0;
            for (int i = 0; i < offered; i++) {
                if (toOffer[i] != null) {
                    toOffer[kept++] = toOffer[i];
                }
            }
            offered = kept;
        }
        if (offered > 0) {
            TimerEntry[] entries = offered == size ? toOffer : java.util.Arrays.copyOf(toOffer, offered);
            int schedules = 0;
            for (int i = 0; i < size; i++) {
                schedules += done[i] && ops.kind(i) == SCHEDULE ? 1 : 0;
            }
            EntryBatch batch = new EntryBatch(entries, Math.max(0, schedules - 1));
            engine.batchedSchedules.addAndGet(batch.extraSchedules);
            if (!engine.queue.offer(batch, earliestNs, nowNs, flush, false)) {
                engine.batchedSchedules.addAndGet(-batch.extraSchedules);
                undo(engine, done, claims, previousNs);
                return done;
            }
        }
        for (int i = 0; i < size; i++) {
            if (done[i] && ops.kind(i) == BatchOps.POSTPONE && claims[i] != 0) {
                StateTransitions.release(ops.entry(i));
            }
        }
        if (engine.isTerminated()) {
            for (int i = 0; i < size; i++) {
                if (done[i] && ops.kind(i) == BatchOps.SCHEDULE
                        && StateTransitions.tryCancel(ops.entry(i)) != StateTransitions.NOT_PENDING) {
                    done[i] = false;
                    engine.counters.rejected.increment();
                    ops.refuse(i, "timer is stopped");
                }
            }
        }
        return done;
    }

    /** The index of an earlier postpone of {@code entry} in this batch whose claim is held, or -1. */
    private static int claimedEarlier(BatchOps ops, int[] claims, boolean[] done, int index, TimerEntry entry) {
        for (int j = index - 1; j >= 0; j--) {
            if (done[j] && ops.kind(j) == BatchOps.POSTPONE && claims[j] != 0 && ops.entry(j) == entry) {
                return j;
            }
        }
        return -1;
    }

    /** A refused batch: its schedules never happened and its postpones are undone, last first. */
    private void undo(TimerEngine engine, boolean[] done, int[] claims, long[] previousNs) {
        BatchOps ops = this;
        String full = "command queue full: commandQueueCapacity=" + engine.queue.capacity();
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (!done[i]) {
                continue;
            }
            switch (ops.kind(i)) {
                case BatchOps.SCHEDULE -> {
                    ops.entry(i).initState(IDLE);
                    engine.counters.rejected.increment();
                }
                case BatchOps.POSTPONE -> {
                    if (claims[i] != 0) {
                        TimerEntry entry = ops.entry(i);
                        entry.requestedNs = previousNs[i];
                        StateTransitions.abandon(entry);
                    }
                }
                default -> {
                    // A cancel stands: its entry is dropped when its deadline comes up.
                    if (claims[i] != 0) {
                        StateTransitions.takeBackOffer(ops.entry(i));
                    }
                    continue;
                }
            }
            done[i] = false;
            ops.refuse(i, full);
        }
    }
}
