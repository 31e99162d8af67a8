package dev.escapement;

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
 * or loses against expiry when submitted; a schedule gets its id then, or fails on the pending
 * bound. If the command queue is full the schedules and postpones of the batch fail (its cancels
 * still stand: their timers are freed at their deadlines instead).
 */
public final class TimerBatch {

    private static final int SCHEDULE = 1;
    private static final int CANCEL_HANDLE = 2;
    private static final int CANCEL_ID = 3;
    private static final int POSTPONE = 4;

    private record Entry(int kind, TimerTask task, long delayNs, TimerHandle handle, long timerId) {
    }

    private final GlobalTimer timer;
    private final List<Entry> entries = new ArrayList<>();
    private boolean submitted;
    /** Set at submit, read by the timer thread after the queue hand-off. */
    private DefaultTimerHandle[] applied;
    private long[] reclaimIds;

    TimerBatch(GlobalTimer timer) {
        this.timer = timer;
    }

    /**
     * Adds a one-shot schedule.
     *
     * @param task  the task
     * @param delay the delay
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
     */
    public TimerBatch cancel(long timerId) {
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
        if (!(handle instanceof DefaultTimerHandle own) || own.timer != timer) {
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
        boolean[] succeeded = new boolean[size];
        TimerHandle[] handles = new TimerHandle[size];
        String[] failures = new String[size];
        timer.ensureRunning();
        long nowNs = timer.nanoTime();
        long earliestTick = Long.MAX_VALUE;
        boolean hasLinkedCancel = false;
        List<DefaultTimerHandle> toApply = new ArrayList<>(size);
        List<Long> ids = new ArrayList<>();
        long[] previousDeadlines = new long[size];
        TimerTask[] previousTasks = new TimerTask[size];

        for (int i = 0; i < size; i++) {
            Entry entry = entries.get(i);
            switch (entry.kind) {
                case SCHEDULE -> {
                    long tick = timer.deadlineTick(nowNs, entry.delayNs);
                    DefaultTimerHandle handle = timer.reserveHandle(entry.task, nowNs, entry.delayNs);
                    if (handle == null) {
                        failures[i] = "pending timers bound reached: maxPendingTimers=" + timer.maxPendingTimers();
                    } else {
                        succeeded[i] = true;
                        handles[i] = handle;
                        toApply.add(handle);
                        earliestTick = Math.min(earliestTick, tick);
                    }
                }
                case CANCEL_HANDLE -> {
                    DefaultTimerHandle handle = (DefaultTimerHandle) entry.handle;
                    handles[i] = handle;
                    int previous = handle.tryCancel();
                    if (previous >= 0) {
                        handle.completeCancelled();
                        hasLinkedCancel |= (previous & DefaultTimerHandle.LINKED) != 0;
                        succeeded[i] = true;
                        toApply.add(handle);
                    } else {
                        failures[i] = "not pending";
                    }
                }
                case CANCEL_ID -> {
                    if (timer.tryCancelRaw(entry.timerId)) {
                        succeeded[i] = true;
                        if (timer.isLinkedRaw(entry.timerId)) {
                            ids.add(entry.timerId);
                        }
                    } else {
                        failures[i] = "not pending";
                    }
                }
                case POSTPONE -> {
                    DefaultTimerHandle handle = (DefaultTimerHandle) entry.handle;
                    handles[i] = handle;
                    previousDeadlines[i] = handle.deadlineNs();
                    previousTasks[i] = handle.task();
                    if (timer.tryBeginMoveOnly(handle, entry.delayNs)) {
                        succeeded[i] = true;
                        toApply.add(handle);
                        earliestTick = Math.min(earliestTick, timer.deadlineTick(nowNs, entry.delayNs));
                    } else {
                        failures[i] = "not pending";
                    }
                }
                default -> throw new IllegalStateException("unknown batch entry kind " + entry.kind);
            }
        }
        applied = toApply.toArray(DefaultTimerHandle[]::new);
        reclaimIds = ids.stream().mapToLong(Long::longValue).toArray();
        if (!timer.offerBatch(this, earliestTick, !ids.isEmpty() || hasLinkedCancel)) {
            String full = "command queue full: commandQueueCapacity=" + timer.commandQueueCapacity();
            for (int i = 0; i < size; i++) {
                Entry entry = entries.get(i);
                if (!succeeded[i] || entry.kind == CANCEL_HANDLE || entry.kind == CANCEL_ID) {
                    continue;
                }
                DefaultTimerHandle handle = (DefaultTimerHandle) handles[i];
                if (entry.kind == SCHEDULE) {
                    timer.unreserveHandle(handle);
                    handles[i] = null;
                } else {
                    synchronized (handle) {
                        timer.abortMove(handle, previousDeadlines[i], previousTasks[i]);
                    }
                }
                succeeded[i] = false;
                failures[i] = full;
            }
        } else if (timer.isTerminated()) {
            for (int i = 0; i < size; i++) {
                if (succeeded[i] && entries.get(i).kind == SCHEDULE && handles[i].cancel()) {
                    succeeded[i] = false;
                    failures[i] = "timer is stopped";
                }
            }
        }
        return new BatchResult(succeeded, handles, failures);
    }

    /** Timer thread: applies the batch's entries in order. */
    void applyOnTimerThread(GlobalTimerTask task) {
        for (DefaultTimerHandle handle : applied) {
            task.applyHandle(handle);
        }
        for (long id : reclaimIds) {
            task.reclaimById(id);
        }
    }

    @Override
    public String toString() {
        return "TimerBatch[" + entries.size() + " entries" + (submitted ? ", submitted" : "") + "]";
    }
}
