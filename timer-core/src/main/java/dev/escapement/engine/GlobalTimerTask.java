package dev.escapement.engine;

import static dev.escapement.engine.TimerEntry.CANCELLED;
import static dev.escapement.engine.TimerEntry.FIRED;
import static dev.escapement.engine.TimerEntry.IDLE;
import static dev.escapement.engine.TimerEntry.LINKED;
import static dev.escapement.engine.TimerEntry.MOVING;
import static dev.escapement.engine.TimerEntry.PENDING;
import static dev.escapement.engine.TimerEntry.RUNNING;
import static dev.escapement.engine.TimerEntry.SEEN;
import static dev.escapement.engine.TimerEntry.isPendingStatus;
import static dev.escapement.engine.TimerEntry.minusOffer;
import static dev.escapement.engine.TimerEntry.next;
import static dev.escapement.engine.TimerEntry.offers;
import static dev.escapement.engine.TimerEntry.status;

import dev.escapement.wheel.TimingWheel;
import dev.escapement.wheel.WheelNode;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jctools.queues.MessagePassingQueue;

/**
 * The duty cycle of the timer thread, and the only code that touches the {@link TimingWheel}.
 *
 * <p>Not thread-safe: confined to the timer thread (or, for an engine driven by its caller, to
 * the thread that calls {@link #doWork()}).
 *
 * <p>One pass ({@link #doWork()}, in the manner of an Agrona {@code Agent}): read the clock once
 * and refresh the cached clock with it; apply the commands due (see {@link CommandQueue}); take
 * from the wheel every timer whose deadline has passed, in deadline order, up to
 * {@value #EXPIRIES_PER_PASS}; publish the counters. Time moves towards absolute "now", so after
 * a stall every due timer fires, in order, none skipped. {@link #park()} sleeps until the next
 * deadline, exactly, or for {@link CommandQueue#CADENCE_NS} while commands wait.
 *
 * <p>Commands are reconciled, not replayed: an entry offered to link it, move it or unlink it is
 * brought in line with its state word, so stale, repeated or crossing offers are harmless. What
 * the timer thread decides is settled by compare-and-set on that word:
 * <ul>
 *   <li>link: {@code PENDING -> PENDING | LINKED | SEEN}; the entry goes in at its deadline.</li>
 *   <li>fire: {@code PENDING | LINKED -> FIRED} (or {@code RUNNING} between periodic runs), valid
 *       only if the word is unchanged since the deadline was read: a postpone in between bumps
 *       it.</li>
 *   <li>finish: a cancelled (or fired) entry leaves the wheel and the word drops {@code LINKED}.</li>
 *   <li>an entry being moved ({@code MOVING}) is never decided on: it is looked at again a tick
 *       later, by which time its mover has let go.</li>
 * </ul>
 * Counting: {@code scheduled} when the timer thread first sets {@code SEEN} on an arming,
 * {@code cancelled} when it finishes a cancelled one, {@code fired} when it fires one; so
 * {@code scheduled = fired + cancelled + returnedByStop + pending} whenever it is quiet.
 */
public final class GlobalTimerTask implements MessagePassingQueue.Consumer<Command> {

    static final System.Logger LOG = System.getLogger("dev.escapement.GlobalTimer");

    static final int COMMANDS_PER_PASS = 1 << 16;
    static final int EXPIRIES_PER_PASS = 1 << 14;

    private final TimerEngine engine;
    private final TimingWheel wheel;
    private final TimerCounters counters;
    private final CommandQueue queue;
    private final long tickNs;
    /** Whether a pass takes every queued command (a caller-driven engine), not only those held long enough. */
    private boolean takeEverything;

    /** This pass's "now" in the engine's nanoseconds: never goes back. */
    private long nowNs;
    private int expiriesPerPass = EXPIRIES_PER_PASS;
    /** Schedules beyond one per batch that this pass applied, not yet published in the count. */
    private long appliedBatchExtras;
    /** Collects stop()'s result during shutdown; null otherwise. */
    private List<TimerEntry> stopped;

    GlobalTimerTask(TimerEngine engine) {
        this.engine = engine;
        this.tickNs = engine.tickNs;
        this.wheel = new TimingWheel(engine.slotsPerLevel, engine.tickNs, 0);
        this.counters = engine.counters;
        this.queue = engine.queue;
        this.takeEverything = engine.drivenByCaller;
    }

    // ------------------------------------------------------------------ the duty cycle

    /** The next deadline as the last pass left the wheel: when the next pass should start. */
    private long nextDueNs = TimingWheel.NO_DEADLINE;

    /**
     * One pass.
     *
     * @return how much work it did (commands applied plus timers taken from the wheel); 0 = idle
     */
    int doWork() {
        long readingNs = engine.clock.nanoTime();
        engine.cachedClock.update(readingNs);
        long now = engine.elapsedNs(readingNs);
        if (nextDueNs != TimingWheel.NO_DEADLINE && now - nextDueNs >= TimerEvents.LATE_PASS_NS) {
            // Late: the thread did not get back to the wheel by its next deadline (paused, no CPU,
            // or a long pass before this one).
            TimerEvents.latePass(now - nextDueNs, wheel.size());
        }
        if (now > nowNs) {
            nowNs = now;
        }
        int applied = queue.drain(this, nowNs, COMMANDS_PER_PASS, takeEverything);
        counters.commandsApplied += applied;
        publishHeld();
        int expired = expire();
        endPass();
        return applied + expired;
    }

    private void endPass() {
        // Only a recording reads it; without one, no pass pays for the look-up.
        nextDueNs = TimerEvents.recorderExists() ? wheel.nextDeadlineNs() : TimingWheel.NO_DEADLINE;
        engine.ids.pool.flushRetired();
        counters.passes++;
        counters.publish(wheel);
        publishHeld();
    }

    /**
     * Publishes how many timers this thread holds, for the producers' pending bound, before it
     * lets go of the count of schedules that reached it inside batches: so the bound never
     * misses them, even while a task holds this thread.
     */
    private void publishHeld() {
        engine.publish(wheel.size(), wheel.currentTick());
        queue.published();
        if (appliedBatchExtras != 0) {
            engine.batchedSchedules.addAndGet(-appliedBatchExtras);
            appliedBatchExtras = 0;
        }
    }

    private int expire() {
        int taken = 0;
        while (taken < expiriesPerPass) {
            WheelNode node = wheel.poll(nowNs);
            if (node == null) {
                break;
            }
            taken++;
            onDue((TimerEntry) node);
        }
        return taken;
    }

    /** Sleeps until the next deadline, or until a producer or stop wakes the thread. */
    void park() {
        long wakeNs = wheel.nextDeadlineNs();
        if (!queue.isEmpty()) {
            wakeNs = Math.min(wakeNs, nowNs + CommandQueue.CADENCE_NS);
        }
        long sleepNs = wakeNs == TimingWheel.NO_DEADLINE ? Long.MAX_VALUE : wakeNs - engine.nowNs();
        if (sleepNs <= 0) {
            return;
        }
        counters.parks++;
        counters.publishParks();
        if (!queue.park(wakeNs, nowNs, sleepNs)) {
            // Commands arrived, or a flush was asked for: yield rather than spin, so that on a
            // small machine a producer between claiming a queue slot and writing it runs.
            Thread.yield();
        }
    }

    /** Test seam: at most {@code limit} timers taken per pass. */
    void expiriesPerPass(int limit) {
        this.expiriesPerPass = limit;
    }

    /** Test seam: whether a caller-driven engine holds commands back as a threaded one does. */
    void holdCommands(boolean hold) {
        this.takeEverything = !hold;
    }

    // ------------------------------------------------------------------ commands

    @Override
    public void accept(Command command) {
        if (command instanceof TimerEntry entry) {
            reconcile(entry);
        } else if (command instanceof EntryBatch batch) {
            for (TimerEntry entry : batch.entries) {
                reconcile(entry);
            }
            appliedBatchExtras += batch.extraSchedules;
        } else if (command instanceof Request<?> request) {
            request.run(this);
        }
    }

    /**
     * Applies one offer of an entry: counts it off the word's OFFERS and brings the wheel in line
     * with the word. While more of the entry's offers are queued its place waits for the last one,
     * the call that last gave it its deadline.
     */
    private void reconcile(TimerEntry entry) {
        while (true) {
            int state = entry.state();
            int applied = minusOffer(state);
            switch (status(state)) {
                case IDLE, RUNNING -> {
                    // Not armed (a stale offer of a reused entry), or between periodic runs,
                    // which only this thread links.
                    if (applied != state && !entry.compareAndSetState(state, applied)) {
                        continue;
                    }
                    return;
                }
                case MOVING -> {
                    // The mover's release keeps this count; its own offer follows.
                    if (applied != state && !entry.compareAndSetState(state, applied)) {
                        continue;
                    }
                    holdForATick(entry);
                    return;
                }
                case PENDING -> {
                    if (offers(applied) > 0) {
                        // More of its offers follow: the last one places it.
                        if (!entry.compareAndSetState(state, applied)) {
                            continue;
                        }
                        return;
                    }
                    long requestedNs = entry.requestedNs;
                    boolean moved = (state & TimerEntry.MOVED) != 0;
                    if (!place(entry, state, applied, requestedNs)) {
                        continue;
                    }
                    if (!entry.isLinked()) {
                        wheel.insert(entry, requestedNs);
                    } else if (moved || entry.linkedDeadlineNs() != requestedNs) {
                        // A postpone: the entry joins the back of its new deadline's timers now.
                        wheel.remove(entry);
                        wheel.insert(entry, requestedNs);
                    }
                    return;
                }
                default -> {
                    wheel.remove(entry);
                    if (finish(entry, state, applied)) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Marks a pending entry held and counted ({@code LINKED | SEEN}), its postpone seen (MOVED
     * off), the offer applied; a periodic timer that was moved restarts its grid there.
     *
     * @param applied {@code state} with the offer being applied counted off (or {@code state})
     * @return false if the word changed meanwhile (read it again)
     */
    private boolean place(TimerEntry entry, int state, int applied, long requestedNs) {
        boolean moved = (state & TimerEntry.MOVED) != 0;
        if ((state & (LINKED | SEEN)) == (LINKED | SEEN) && !moved && applied == state) {
            return true;
        }
        if (!entry.compareAndSetState(state, next(applied, status(state), LINKED | SEEN) & ~TimerEntry.MOVED)) {
            return false;
        }
        countArming(state);
        if (moved && entry instanceof PeriodicHandle periodic) {
            periodic.renominate(requestedNs);
        }
        return true;
    }

    /**
     * Ends an arming that is over (cancelled, or fired and not yet finished): the entry is out of
     * the wheel; the word drops {@code LINKED} and gets {@code SEEN}. Counts a cancel once.
     *
     * @param applied {@code state} with the offer being applied counted off, or {@code state}
     *                when no offer is being applied (the entry came up in the wheel)
     * @return false if the word changed meanwhile (read it again)
     */
    private boolean finish(TimerEntry entry, int state, int applied) {
        if ((state & (LINKED | SEEN)) == SEEN) {
            // Finished already; a reusable entry still counts its stale offers off.
            return applied == state || !entry.isReusable() || entry.compareAndSetState(state, applied);
        }
        int finished = next(applied, status(state), SEEN);
        if ((state & LINKED) != 0 || offers(applied) > 0 || entry.isReusable()) {
            if (!entry.compareAndSetState(state, finished)) {
                return false;
            }
        }
        // Else a one-shot entry cancelled before this thread saw it, whose last offer is the one
        // being applied: none follows, so it is counted without a write to its cache line.
        countArming(state);
        if (status(state) == CANCELLED) {
            counters.cancelled++;
            if (entry instanceof IdEntry pooled) {
                retire(pooled, finished);
            }
        }
        return true;
    }

    /**
     * Counts an arming the first time this thread marks it {@code SEEN}. An entry this thread
     * still holds ({@code LINKED}) but has not seen was cancelled and armed again meanwhile: its
     * previous arming ended in that cancel. (Further such cycles before this thread looks are
     * counted by the engine when they happen.)
     */
    private void countArming(int state) {
        if ((state & SEEN) == 0) {
            counters.scheduled++;
            if ((state & LINKED) != 0) {
                counters.cancelled++;
            }
        }
    }

    /** A mover holds the entry: look at it again a tick from now (its word is left alone). */
    private void holdForATick(TimerEntry entry) {
        wheel.remove(entry);
        wheel.insert(entry, nowNs + tickNs);
    }

    // ------------------------------------------------------------------ expiry

    /** An entry taken from the wheel: its linked deadline has passed. */
    private void onDue(TimerEntry entry) {
        while (true) {
            int state = entry.state();
            switch (status(state)) {
                case IDLE -> {
                    return;
                }
                case MOVING -> {
                    holdForATick(entry);
                    return;
                }
                case RUNNING -> {
                    // The previous run is still going on the executor: runs never overlap.
                    counters.overruns++;
                    holdForATick(entry);
                    return;
                }
                case PENDING -> {
                    if (offers(state) > 0) {
                        // An offer of it is still queued (a postpone whose offer a relaxed drain
                        // missed): that offer decides its place; look again a tick later.
                        holdForATick(entry);
                        return;
                    }
                    long requestedNs = entry.requestedNs;
                    if (requestedNs > nowNs) {
                        // Moved later since it was linked.
                        if (!place(entry, state, state, requestedNs)) {
                            continue;
                        }
                        wheel.insert(entry, requestedNs);
                        return;
                    }
                    if (entry.isPeriodic() ? runPeriodic((PeriodicHandle) entry, state, requestedNs) : fire(entry, state, requestedNs)) {
                        return;
                    }
                }
                default -> {
                    if (finish(entry, state, state)) {
                        return;
                    }
                }
            }
        }
    }

    /** @return false if the word changed meanwhile (read it again) */
    private boolean fire(TimerEntry entry, int state, long requestedNs) {
        int fired = next(state, FIRED, SEEN);
        if (!entry.compareAndSetState(state, fired)) {
            return false;
        }
        countArming(state);
        counters.fired++;
        counters.runs++;
        counters.recordLateness(nowNs - requestedNs);
        try {
            entry.expired(engine, nowNs);
        } catch (Throwable failure) {
            engine.taskFailed(entry, failure);
        }
        if (entry instanceof IdEntry pooled) {
            retire(pooled, fired);
        }
        return true;
    }

    /** A periodic run: claim it, link the next run, then run. @return false to read the word again */
    private boolean runPeriodic(PeriodicHandle periodic, int state, long requestedNs) {
        boolean last = periodic.isLastPlannedRun();
        int claimed = (last ? next(state, FIRED, SEEN) : next(state, RUNNING, LINKED | SEEN)) & ~TimerEntry.MOVED;
        if (!periodic.compareAndSetState(state, claimed)) {
            return false;
        }
        countArming(state);
        if ((state & TimerEntry.MOVED) != 0) {
            periodic.renominate(requestedNs);
        }
        counters.runs++;
        counters.recordLateness(nowNs - requestedNs);
        if (!last) {
            try {
                long fireAtNs = periodic.jittered(periodic.advanceNominal(nowNs, tickNs));
                // The run's end makes this the deadline users see; the wheel holds it from now.
                periodic.following(fireAtNs);
                wheel.insert(periodic, fireAtNs);
            } catch (PeriodicHandle.IntervalFailure failure) {
                counters.intervalFailures.increment();
                LOG.log(Level.WARNING, "periodic timer stopped by its interval function: " + periodic, failure);
                periodic.stopWith(failure);
                int current = periodic.state();
                if (status(current) != RUNNING || !periodic.compareAndSetState(current, next(current, FIRED, SEEN))) {
                    // Cancelled between the claim and now: the canceller won; skip the run.
                    int cancelled = periodic.state();
                    finish(periodic, cancelled, cancelled);
                    return true;
                }
                last = true;
            }
        }
        if (last) {
            counters.fired++;
        }
        periodic.beginRun(last);
        engine.dispatch(periodic, periodic);
        return true;
    }

    private void retire(IdEntry pooled, int finished) {
        pooled.retire();
        if (pooled.compareAndSetState(finished, next(finished, IDLE, 0))) {
            engine.ids.pool.retire(pooled);
        }
    }

    // ------------------------------------------------------------------ stop, walks, pictures

    /**
     * Final work when the engine stops: apply every queued command, then cancel every timer left
     * in the wheel and return those that were pending.
     */
    List<TimerEntry> shutdown(TimerRunner runner) {
        stopped = new ArrayList<>();
        while (queue.drain(this, nowNs, Integer.MAX_VALUE, true) > 0) {
            // Keep draining: a command offered before stop() was called must be applied.
        }
        runner.markTerminated();
        // Offers that raced the mark above are drained here or taken back by their producer. A
        // producer that read the state before the mark had claimed its slot by then, but may not
        // have written it: drain strictly, or accepted commands behind that slot are stranded.
        queue.drainClaimed(this);
        wheel.clear(node -> cancelByTimer((TimerEntry) node, true));
        endPass();
        List<TimerEntry> result = stopped;
        stopped = null;
        return result;
    }

    /** Cancels an entry taken out of the wheel by stop or a walk; true if it was pending. */
    private boolean cancelByTimer(TimerEntry entry, boolean byStop) {
        while (true) {
            int state = entry.state();
            if (!isPendingStatus(status(state))) {
                if (finish(entry, state, state)) {
                    return false;
                }
                continue;
            }
            int cancelled = next(state, CANCELLED, SEEN);
            if (entry.compareAndSetState(state, cancelled)) {
                countArming(state);
                if (byStop) {
                    counters.returnedByStop++;
                    stopped.add(entry);
                } else {
                    counters.cancelled++;
                    if (entry instanceof IdEntry pooled) {
                        retire(pooled, cancelled);
                    }
                }
                entry.cancelledByTimer();
                return true;
            }
        }
    }

    /**
     * Cancels every pending entry in the wheel that {@code filter} accepts. The filter runs on
     * this thread; if it throws, that entry is left alone.
     */
    List<TimerEntry> cancelMatching(Predicate<? super TimerEntry> filter) {
        List<TimerEntry> candidates = new ArrayList<>();
        wheel.forEach(node -> {
            if (((TimerEntry) node).isPendingEntry()) {
                candidates.add((TimerEntry) node);
            }
        });
        List<TimerEntry> cancelled = new ArrayList<>();
        for (TimerEntry entry : candidates) {
            boolean accepted;
            try {
                accepted = filter.test(entry);
            } catch (Throwable failure) {
                LOG.log(Level.WARNING, "cancelMatching filter threw for " + entry + "; not cancelled", failure);
                accepted = false;
            }
            if (accepted) {
                wheel.remove(entry);
                if (cancelByTimer(entry, false)) {
                    cancelled.add(entry);
                }
            }
        }
        endPass();
        return cancelled;
    }

    /** Applies every queued command, strictly: before a walk that must see them all. */
    void applyQueued() {
        counters.commandsApplied += queue.drainClaimed(this);
    }

    String dump(int maxSlotsPerLevel) {
        return wheel.toDebugString(maxSlotsPerLevel);
    }

}
