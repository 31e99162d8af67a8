package dev.escapement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The reference model {@link GlobalTimerModelTest} checks a caller-driven {@link GlobalTimer}
 * against: what must fire, in which order, what must be refused, and what the counters must say,
 * written without a wheel, ticks, levels or state words.
 *
 * <p>Not thread-safe: confined to the test thread, which also drives the timer.
 *
 * <h2>What it encodes</h2>
 * <ul>
 *   <li>Time is the engine's: nanoseconds since the origin (the clock reading at build time), a
 *       reading before the origin counting as the origin. A deadline is {@code now + delay},
 *       saturated at {@link Long#MAX_VALUE}.</li>
 *   <li>Order: a pass fires the pending timers due at its "now" by deadline, and timers with
 *       equal deadlines in the order of the call that last gave them their deadline (a schedule or
 *       a postpone, even one to the deadline the timer had).</li>
 *   <li>The command queue, between two passes (a "window"): every accepted schedule and postpone
 *       is one command, a batch is one command, a cancel is one command only if the timer thread
 *       holds the timer (a pass has seen it), and is dropped if the queue is full: the timer
 *       then stays held, cancelled (a "zombie"), until a pass reaches its deadline. Zombies are
 *       taken from the wheel like due timers, so they count against a pass's limit.</li>
 *   <li>Refusals: a schedule is refused when the timers held at the last pass plus the queued
 *       commands plus the extra schedules of queued batches reach the pending bound, else when
 *       the queue is full; a postpone when the queue is full.</li>
 *   <li>Counters, once a pass has applied everything: {@code scheduled} = accepted,
 *       {@code cancelled} = cancels won minus the zombies still held, {@code pending} = pending
 *       plus zombies.</li>
 * </ul>
 */
final class GlobalTimerReferenceModel {

    enum State { PENDING, FIRED, CANCELLED }

    /** One timer, on either path. */
    static final class Timer {
        final int index;
        final boolean idPath;
        TimerHandle handle;
        long id;
        TimerTask task;
        int taskVersion;

        State state = State.PENDING;
        long deadlineNs;
        /** The sequence number of the call that last gave this timer its deadline. */
        long callSeq;
        int pendingIndex = -1;

        // The timer thread's view.
        boolean held;
        long heldAtNs;
        boolean touched;

        Timer(int index, boolean idPath) {
            this.index = index;
            this.idPath = idPath;
        }

        @Override
        public String toString() {
            return (idPath ? "id#" : "handle#") + index + "[" + state + ", deadline " + deadlineNs + " ns, call "
                    + callSeq + (held ? ", held" : "") + "]";
        }
    }

    /** What a pass must do, from the model's state before it. */
    record Pass(long nowNs, int commands, List<Timer> due, int dueZombies) {
    }

    static final Comparator<Timer> CALL_ORDER = Comparator.<Timer>comparingLong(t -> t.deadlineNs)
            .thenComparingLong(t -> t.callSeq);
    private static final Comparator<Timer> ZOMBIE_ORDER = Comparator.<Timer>comparingLong(t -> t.heldAtNs)
            .thenComparingInt(t -> t.index);

    final int queueCapacity;
    final int maxPending;

    final List<Timer> all = new ArrayList<>();
    /** Pending timers, indexable for random picks. */
    final List<Timer> pending = new ArrayList<>();
    private final TreeSet<Timer> pendingByDeadline = new TreeSet<>(CALL_ORDER);
    private final TreeSet<Timer> zombies = new TreeSet<>(ZOMBIE_ORDER);
    private final List<Timer> touchedInWindow = new ArrayList<>();
    private final List<Timer> cancelledInWindow = new ArrayList<>();
    private int created;
    private int queuedCommands;
    private long queuedBatchExtras;
    private long held;
    private long callSeq;
    private long passNowNs;

    long accepted;
    long firedCount;
    long cancelWins;
    long rejectedSchedules;

    GlobalTimerReferenceModel(int queueCapacity, int maxPending) {
        this.queueCapacity = queueCapacity;
        this.maxPending = maxPending;
    }

    /** The deadline {@code delayNs} after {@code nowNs}, saturated at the end of time. */
    static long deadlineAfter(long nowNs, long delayNs) {
        return delayNs > 0 && nowNs > Long.MAX_VALUE - delayNs ? Long.MAX_VALUE : nowNs + delayNs;
    }

    Timer newTimer(boolean idPath) {
        return new Timer(created++, idPath);
    }

    // ------------------------------------------------------------------ refusals

    /** @return the message a schedule must be refused with now, or null if it must be accepted */
    String scheduleRefusal() {
        if (held + queuedBatchExtras + queuedCommands >= maxPending) {
            return boundMessage();
        }
        return queueFull() ? queueFullMessage() : null;
    }

    /** Whether a batch schedule preceded by {@code offeredBefore} offers of the same batch is refused. */
    boolean batchScheduleRefused(int offeredBefore) {
        return held + queuedBatchExtras + queuedCommands + offeredBefore >= maxPending;
    }

    boolean queueFull() {
        return queuedCommands >= queueCapacity;
    }

    String queueFullMessage() {
        return "command queue full: commandQueueCapacity=" + queueCapacity;
    }

    String boundMessage() {
        return "pending timers bound reached: maxPendingTimers=" + maxPending;
    }

    // ------------------------------------------------------------------ calls that took effect

    /** A schedule was accepted; with {@code command} false it rides in a batch's one command. */
    void scheduled(Timer timer, long deadlineNs, boolean command) {
        timer.deadlineNs = deadlineNs;
        timer.callSeq = ++callSeq;
        all.add(timer);
        timer.pendingIndex = pending.size();
        pending.add(timer);
        pendingByDeadline.add(timer);
        accepted++;
        touch(timer);
        queuedCommands += command ? 1 : 0;
    }

    /**
     * A postpone was accepted: the timer joins the back of its new deadline's timers, even if
     * that is the deadline it had.
     */
    void postponed(Timer timer, long deadlineNs, boolean command) {
        pendingByDeadline.remove(timer);
        timer.deadlineNs = deadlineNs;
        timer.callSeq = ++callSeq;
        pendingByDeadline.add(timer);
        touch(timer);
        queuedCommands += command ? 1 : 0;
    }

    /**
     * A cancel won. The unlink is offered if the timer thread holds the timer: alone
     * ({@code inBatch} false) it is dropped if the queue is full; in a batch it rides in the
     * batch's command if {@code batchOffered}.
     *
     * @return true if the unlink was lost (the timer stays held until a pass reaches its deadline,
     *         unless another of its commands is queued)
     */
    boolean cancelled(Timer timer, boolean inBatch, boolean batchOffered) {
        timer.state = State.CANCELLED;
        removePending(timer);
        cancelWins++;
        cancelledInWindow.add(timer);
        if (!timer.held) {
            return false;
        }
        boolean offered = inBatch ? batchOffered : !queueFull();
        if (offered) {
            touch(timer);
            queuedCommands += inBatch ? 0 : 1;
        }
        return !offered;
    }

    /** A batch with {@code schedules} accepted schedules was queued as one command. */
    void batchQueued(int schedules) {
        queuedCommands++;
        queuedBatchExtras += Math.max(0, schedules - 1);
    }

    /** A stop: every pending timer is returned (or, on the id path, dropped). */
    void stopped() {
        for (Timer timer : new ArrayList<>(pending)) {
            timer.state = State.CANCELLED;
            removePending(timer);
        }
    }

    /** The timer thread gets a command for it in this window. */
    private void touch(Timer timer) {
        if (!timer.touched) {
            timer.touched = true;
            touchedInWindow.add(timer);
        }
    }

    private void removePending(Timer timer) {
        pendingByDeadline.remove(timer);
        Timer last = pending.remove(pending.size() - 1);
        if (last != timer) {
            pending.set(timer.pendingIndex, last);
            last.pendingIndex = timer.pendingIndex;
        }
        timer.pendingIndex = -1;
    }

    // ------------------------------------------------------------------ a pass

    /**
     * The start of a pass at {@code readingNowNs}: the window's commands are applied.
     *
     * @return what the pass must do
     */
    Pass beginPass(long readingNowNs) {
        passNowNs = Math.max(passNowNs, readingNowNs);
        for (Timer timer : cancelledInWindow) {
            if (timer.held && !timer.touched) {
                zombies.add(timer);
            } else {
                timer.held = false;
            }
        }
        for (Timer timer : touchedInWindow) {
            if (timer.state == State.PENDING) {
                timer.held = true;
                timer.heldAtNs = timer.deadlineNs;
            }
            timer.touched = false;
        }
        int commands = queuedCommands;
        touchedInWindow.clear();
        cancelledInWindow.clear();
        queuedCommands = 0;
        queuedBatchExtras = 0;
        List<Timer> due = new ArrayList<>();
        for (Timer timer : pendingByDeadline) {
            if (timer.deadlineNs > passNowNs) {
                break;
            }
            due.add(timer);
        }
        int dueZombies = 0;
        for (Timer zombie : zombies) {
            if (zombie.heldAtNs > passNowNs) {
                break;
            }
            dueZombies++;
        }
        return new Pass(passNowNs, commands, due, dueZombies);
    }

    /** The end of a pass that fired {@code fired} and took the first {@code zombiesTaken} due zombies. */
    void endPass(List<Timer> fired, int zombiesTaken) {
        for (Timer timer : fired) {
            timer.state = State.FIRED;
            timer.held = false;
            removePending(timer);
            firedCount++;
        }
        for (int i = 0; i < zombiesTaken; i++) {
            zombies.pollFirst().held = false;
        }
        held = pending.size() + zombies.size();
    }

    long passNowNs() {
        return passNowNs;
    }

    /** @return the timers the timer thread holds as of the last pass: pending ones and zombies */
    long held() {
        return held;
    }

    long zombieCount() {
        return zombies.size();
    }
}
