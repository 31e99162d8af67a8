package dev.escapement;

import dev.escapement.engine.BatchOps;
import dev.escapement.engine.TimerEngine;
import dev.escapement.engine.TimerEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Many schedules, cancels and postpones handed to the timer thread at once: one queue offer and
 * at most one wake-up for the whole batch. Get one from {@link GlobalTimer#newBatch()}, add
 * entries, {@link #submit()} once; the {@link BatchResult} says which entries took effect.
 *
 * <p>Thread-safety: fill and submit a batch from one thread. After {@link #submit()} the batch
 * belongs to the timer.
 *
 * <p>Each entry is decided at submit time, as its single-call counterpart would be: a cancel wins
 * or loses against expiry when submitted; a schedule gets its handle then, or fails on the
 * pending bound; delays count from submit time. A handle may appear more than once: its
 * postpones take effect in order. If the command queue is full the schedules and postpones of
 * the batch fail and leave their timers exactly as they were (its cancels still stand: their
 * timers are freed at their deadlines instead).
 */
public final class TimerBatch {

    private static final int SCHEDULE = 1;
    private static final int CANCEL_HANDLE = 2;
    private static final int CANCEL_ID = 3;
    private static final int POSTPONE = 4;

    private record Entry(int kind, TimerTask task, long delayNs, TimerHandle handle, long timerId) {
    }

    private final TimerEngine engine;
    private final List<Entry> entries = new ArrayList<>();
    private boolean submitted;

    TimerBatch(TimerEngine engine) {
        this.engine = engine;
    }

    /**
     * Adds a one-shot schedule.
     *
     * @param task  the task
     * @param delay the delay from submit time
     * @param unit  its unit
     * @return this batch
     */
    public TimerBatch schedule(TimerTask task, long delay, TimeUnit unit) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        return add(new Entry(SCHEDULE, task, unit.toNanos(delay), null, 0));
    }

    /**
     * Adds a cancel.
     *
     * @param handle a handle of this batch's timer
     * @return this batch
     */
    public TimerBatch cancel(TimerHandle handle) {
        return add(new Entry(CANCEL_HANDLE, null, 0, checkOwn(handle), 0));
    }

    /**
     * Adds a cancel by id (a primitive-path id; as {@link GlobalTimer#cancelTimer}).
     *
     * @param timerId the id
     * @return this batch
     * @throws IllegalArgumentException if the id is a {@link TimerHandle}'s
     */
    public TimerBatch cancel(long timerId) {
        if (timerId < 0) {
            throw new IllegalArgumentException("timer id " + timerId
                    + " belongs to a TimerHandle: cancel it through the handle");
        }
        return add(new Entry(CANCEL_ID, null, 0, null, timerId));
    }

    /**
     * Adds a postpone.
     *
     * @param handle a handle of this batch's timer
     * @param delay  the new delay from submit time
     * @param unit   its unit
     * @return this batch
     */
    public TimerBatch postpone(TimerHandle handle, long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit");
        return add(new Entry(POSTPONE, null, unit.toNanos(delay), checkOwn(handle), 0));
    }

    /** @return the number of entries added so far */
    public int size() {
        return entries.size();
    }

    private TimerHandle checkOwn(TimerHandle handle) {
        Objects.requireNonNull(handle, "handle");
        if (!(handle instanceof TimerEntry own) || !engine.owns(own)) {
            throw new IllegalArgumentException("handle belongs to another timer: " + handle);
        }
        return handle;
    }

    private TimerBatch add(Entry entry) {
        if (submitted) {
            throw new IllegalStateException("batch already submitted");
        }
        entries.add(entry);
        return this;
    }

    /**
     * Decides every entry and hands the batch to the timer thread with one offer.
     *
     * @return what each entry did
     * @throws IllegalStateException      if the batch was submitted already
     * @throws RejectedExecutionException if the timer is stopped (nothing took effect)
     */
    public BatchResult submit() {
        if (submitted) {
            throw new IllegalStateException("batch already submitted");
        }
        submitted = true;
        int size = entries.size();
        long nowNs = engine.nowNs();
        BatchOps ops = new BatchOps();
        TimerHandle[] handles = new TimerHandle[size];
        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            long deadlineNs = TimerEngine.deadlineAfter(nowNs, entry.delayNs);
            switch (entry.kind) {
                case SCHEDULE -> {
                    TimerEntry handle = engine.newHandle(entry.task);
                    handles[i] = (TimerHandle) handle;
                    ops.schedule(handle, deadlineNs);
                }
                case CANCEL_HANDLE -> {
                    handles[i] = entry.handle;
                    ops.cancel((TimerEntry) entry.handle);
                }
                case CANCEL_ID -> ops.cancelId(entry.timerId);
                case POSTPONE -> {
                    handles[i] = entry.handle;
                    ops.postpone((TimerEntry) entry.handle, deadlineNs);
                }
                default -> throw new IllegalStateException("unknown batch entry kind " + entry.kind);
            }
        }
        boolean[] succeeded = engine.submit(ops, nowNs);
        String[] failures = new String[size];
        for (int i = 0; i < size; i++) {
            failures[i] = ops.failure(i);
            if (!succeeded[i] && entries.get(i).kind == SCHEDULE) {
                handles[i] = null;
            }
        }
        return new BatchResult(succeeded, handles, failures);
    }

    @Override
    public String toString() {
        return "TimerBatch[" + entries.size() + " entries" + (submitted ? ", submitted" : "") + "]";
    }
}
