package dev.escapement;

import dev.escapement.clock.CachedClock;
import dev.escapement.clock.NanoClock;
import dev.escapement.wheel.ExpiryHandler;
import dev.escapement.wheel.TimingWheel;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;

/**
 * The duty cycle of the timer thread: the only code that touches the {@link TimingWheel}.
 *
 * <p>Not thread-safe: confined to the timer thread (or, for a timer built with
 * {@link GlobalTimer.Builder#drivenByCaller()}, to the thread that calls
 * {@link GlobalTimer#doWork()}).
 *
 * <p>One pass ({@link #doWork()}, in the manner of an Agrona {@code Agent}): read the clock once
 * (and refresh the timer's {@link CachedClock} with that reading); apply up to
 * {@value #COMMANDS_PER_PASS} commands; advance the wheel to the tick of "now", expiring up to
 * {@value #EXPIRIES_PER_PASS} timers in deadline order; publish the counters. Advancing is towards
 * absolute time, so after a stall every due timer fires, in order, none skipped. When a pass finds
 * nothing to do, {@link #park()} sleeps until the wheel's next deadline; producers wake it earlier
 * only when they must (see {@link CommandProxy}).
 *
 * <p>Commands are reconciled, not replayed: a handle offered to link it, move it or reclaim it
 * is brought in line with its current state, so repeated or crossing offers are harmless.
 */
final class GlobalTimerTask implements Runnable, ExpiryHandler, MessagePassingQueue.Consumer<Object> {

    static final int COMMANDS_PER_PASS = 16_384;
    static final int EXPIRIES_PER_PASS = 16_384;

    private static final System.Logger LOG = System.getLogger(GlobalTimer.class.getName());

    private final GlobalTimer timer;
    private final TimingWheel wheel;
    private final CommandProxy proxy;
    private final NanoClock clock;
    private final CachedClock cachedClock;
    private final long originNs;
    /** The latest deadline the wheel holds: the origin plus {@link Long#MAX_VALUE} ns (it may wrap). */
    private final long horizonNs;
    private final long tickNs;
    private final Executor executor;
    private final TimerCounters counters;

    /** Package-private test seam: the expiry limit of one pass. */
    private int expiriesPerPass = EXPIRIES_PER_PASS;
    private long lastElapsedNs;
    private long passNowNs;
    private long passNowTick;

    /** Collects stop()'s result during shutdown; null otherwise. */
    private List<TimerHandle> unprocessed;

    GlobalTimerTask(GlobalTimer timer, TimingWheel wheel, CommandProxy proxy, NanoClock clock,
                    CachedClock cachedClock, long originNs, long tickNs, Executor executor,
                    TimerCounters counters) {
        this.timer = timer;
        this.wheel = wheel;
        this.proxy = proxy;
        this.clock = clock;
        this.cachedClock = cachedClock;
        this.originNs = originNs;
        this.horizonNs = originNs + Long.MAX_VALUE;
        this.tickNs = tickNs;
        this.executor = executor;
        this.counters = counters;
    }

    /**
     * One pass of the duty cycle.
     *
     * @return how much work was done (commands applied plus timers expired); 0 means idle
     */
    int doWork() {
        long nowNs = clock.nanoTime();
        cachedClock.update(nowNs);
        long elapsedNs = nowNs - originNs;
        // A clock that reads earlier than before is ignored: time in the wheel never goes back.
        if (elapsedNs < lastElapsedNs) {
            elapsedNs = lastElapsedNs;
        }
        lastElapsedNs = elapsedNs;
        passNowNs = nowNs;
        passNowTick = elapsedNs / tickNs;
        int drained = proxy.drain(this, COMMANDS_PER_PASS);
        counters.commandsDrained += drained;
        int work = drained + wheel.advance(passNowTick, this, expiriesPerPass);
        counters.passes++;
        counters.publish(wheel);
        return work;
    }

    void expiriesPerPass(int limit) {
        this.expiriesPerPass = limit;
    }

    /** The timer thread's loop: passes until idle, then park; until the timer stops. */
    @Override
    public void run() {
        while (!timer.isStopRequested()) {
            try {
                if (doWork() == 0) {
                    park();
                }
            } catch (Throwable unexpected) {
                // Task failures are caught where they run; this is a defect, not a user error.
                LOG.log(Level.ERROR, "escapement timer pass failed; the timer thread carries on", unexpected);
            }
        }
        timer.terminated(shutdown());
    }

    /** Sleeps until the next deadline, or until a producer or stop() wakes the thread. */
    void park() {
        long nextTick = wheel.nextDeadlineTick();
        if (!proxy.announcePark(nextTick)) {
            // A command arrived, or a producer has claimed a queue slot and not yet written it.
            // Yield rather than spin: on a small machine the spinner can starve that producer.
            Thread.yield();
            return;
        }
        if (timer.isStopRequested()) {
            proxy.awake();
            return;
        }
        counters.parks++;
        counters.publishParks();
        if (nextTick == TimingWheel.NO_DEADLINE) {
            LockSupport.park(this);
        } else {
            long wakeElapsedNs = nextTick > Long.MAX_VALUE / tickNs ? Long.MAX_VALUE : nextTick * tickNs;
            long sleepNs = wakeElapsedNs - (clock.nanoTime() - originNs);
            if (sleepNs > 0) {
                LockSupport.parkNanos(this, sleepNs);
            }
        }
        proxy.awake();
    }

    /**
     * Final work when the timer stops: apply every queued command, then take every timer left in
     * the wheel, cancel it and return the handles of those that never ran.
     */
    List<TimerHandle> shutdown() {
        unprocessed = new ArrayList<>();
        while (proxy.drain(this, Integer.MAX_VALUE) > 0) {
            // Keep draining: a command offered before stop() was requested must be applied.
        }
        timer.markTerminated();
        // Offers that raced the flag above are either drained here or refused by their producer.
        // A producer that read the state before the flag had claimed its slot by then (the claim
        // precedes the read) but may not have written it yet: drain strictly, or the accepted
        // commands behind that slot would stay in the queue for good.
        proxy.drainClaimed(this);
        wheel.clear(this::onStop);
        counters.publish(wheel);
        List<TimerHandle> result = unprocessed;
        unprocessed = null;
        return result;
    }

    private void onStop(long timerId, long deadlineTick, Object payload) {
        if (payload instanceof DefaultTimerHandle handle) {
            handle.phase(DefaultTimerHandle.GONE);
            if (handle.tryCancel() < 0) {
                // Cancelled already: its canceller got true.
                counters.cancelled++;
                return;
            }
            counters.returnedByStop++;
            handle.completeCancelled();
            unprocessed.add(handle);
        } else if (wheel.tryCancel(timerId)) {
            counters.returnedByStop++;
        } else {
            counters.cancelled++;
        }
    }

    /** Timer thread: a readable picture of the wheel, for {@link GlobalTimer#dump()}. */
    String dump(int maxSlotsPerLevel) {
        return wheel.toDebugString(maxSlotsPerLevel);
    }

    /**
     * Timer thread: cancels every pending handle in the wheel that {@code filter} accepts and
     * frees its entry. Commands queued before the request have been applied, so every timer
     * scheduled before it is seen.
     */
    List<TimerHandle> cancelMatching(java.util.function.Predicate<? super TimerHandle> filter) {
        List<DefaultTimerHandle> candidates = new ArrayList<>();
        wheel.forEachEntry((timerId, deadlineTick, payload) -> {
            if (payload instanceof DefaultTimerHandle handle && handle.isPending()) {
                candidates.add(handle);
            }
        });
        List<TimerHandle> cancelled = new ArrayList<>();
        for (DefaultTimerHandle handle : candidates) {
            boolean accepted;
            try {
                accepted = filter.test(handle);
            } catch (Throwable failure) {
                LOG.log(Level.WARNING, "cancelMatching filter threw for " + handle + "; not cancelled", failure);
                accepted = false;
            }
            if (accepted && handle.tryCancel() >= 0) {
                handle.completeCancelled();
                unlinkCancelled(handle);
                cancelled.add(handle);
            }
        }
        counters.publish(wheel);
        return cancelled;
    }

    /** As {@link #cancelMatching}, when called directly: applies the queued commands first. */
    List<TimerHandle> applyCommandsThenCancelMatching(java.util.function.Predicate<? super TimerHandle> filter) {
        // Every schedule issued before the call must be in the wheel for the walk, including one
        // behind a slot another producer has claimed and not yet written.
        proxy.drainClaimed(this);
        return cancelMatching(filter);
    }

    // ------------------------------------------------------------------ commands

    @Override
    public void accept(Object command) {
        if (command instanceof DefaultTimerHandle handle) {
            applyHandle(handle);
        } else if (command instanceof TimerCommand timerCommand) {
            applyCommand(timerCommand);
            proxy.recycle(timerCommand);
        } else if (command instanceof TimerBatch batch) {
            batch.applyOnTimerThread(this);
        } else if (command instanceof GlobalTimer.DumpRequest request) {
            request.complete(dump(request.maxSlotsPerLevel()));
        } else if (command instanceof GlobalTimer.CancelRequest request) {
            request.complete(cancelMatching(request.filter()));
        } else {
            LOG.log(Level.ERROR, "escapement timer ignored an unknown command: {0}", command);
        }
    }

    /**
     * Brings the wheel in line with a handle: link it the first time (unless it was cancelled
     * first: then it never touches the wheel), unlink it once cancelled, apply a move.
     */
    void applyHandle(DefaultTimerHandle handle) {
        switch (handle.phase()) {
            case DefaultTimerHandle.NEW -> link(handle);
            case DefaultTimerHandle.IN_WHEEL -> {
                if (handle.isCancelled()) {
                    unlinkCancelled(handle);
                } else if (handle.status() == DefaultTimerHandle.MOVING) {
                    applyMove(handle);
                }
            }
            default -> {
                // Gone already: a late command.
            }
        }
    }

    private void link(DefaultTimerHandle handle) {
        counters.scheduled++;
        long id = handle.id();
        if (!handle.tryMarkLinked()) {
            // Cancelled before it reached the wheel: its canceller, seeing no link, sent nothing.
            handle.phase(DefaultTimerHandle.GONE);
            wheel.drop(id);
            counters.cancelled++;
            return;
        }
        long tick = handle instanceof WindowTimerHandle window ? windowTick(window) : tickAt(handle.deadlineNs());
        wheel.linkHandle(id, tick, handle);
        handle.phase(DefaultTimerHandle.IN_WHEEL);
        if (handle.status() == DefaultTimerHandle.MOVING) {
            applyMove(handle);
        }
    }

    private void unlinkCancelled(DefaultTimerHandle handle) {
        handle.phase(DefaultTimerHandle.GONE);
        if (wheel.removeHandle(handle.id())) {
            counters.cancelled++;
        }
    }

    /**
     * Applies a postpone: moves the entry to the handle's new deadline and ends the move, under the
     * handle's monitor, so no postpone is half-written and a later one is not undone.
     */
    private boolean applyMove(DefaultTimerHandle handle) {
        synchronized (handle) {
            if (handle.status() != DefaultTimerHandle.MOVING) {
                return false;
            }
            long deadlineNs = handle.deadlineNs();
            wheel.reschedule(handle.id(), tickAt(deadlineNs));
            if (handle instanceof PeriodicTimerHandle periodic) {
                periodic.renominate(deadlineNs);
            }
            handle.endMove();
            return true;
        }
    }

    /** Picks a window's deadline against the wheel's current tick. */
    private long windowTick(WindowTimerHandle window) {
        long tick = wheel.windowDeadline(wheel.elapsedTick(), window.earliestTick(), window.latestTick());
        if (tick != window.earliestTick()) {
            // Not before the earliest deadline; a tick start inside the window otherwise.
            window.deadlineNs(Math.max(window.deadlineNs(), timer.tickStartNs(tick)));
        }
        return tick;
    }

    void applyCommand(TimerCommand command) {
        switch (command.op) {
            case TimerCommand.LINK -> {
                counters.scheduled++;
                if (!wheel.linkPending(command.timerId, command.deadlineTick, command.handler)) {
                    // Cancelled before it reached the wheel.
                    wheel.drop(command.timerId);
                    counters.cancelled++;
                }
            }
            case TimerCommand.RECLAIM -> reclaim(command.timerId);
            case TimerCommand.MOVE -> {
                if (wheel.isCancelled(command.timerId)) {
                    reclaim(command.timerId);
                } else if (wheel.reschedule(command.timerId, command.deadlineTick)) {
                    wheel.endMove(command.timerId);
                }
            }
            default -> LOG.log(Level.ERROR, "escapement timer ignored an unknown command op: {0}", command.op);
        }
    }

    void reclaimById(long id) {
        reclaim(id);
    }

    /** Frees a cancelled primitive-path entry. */
    private void reclaim(long id) {
        if (wheel.reclaim(id)) {
            counters.cancelled++;
        }
    }

    // ------------------------------------------------------------------ expiry

    @Override
    public void onExpiry(long timerId, long deadlineTick, Object payload) {
        if (payload instanceof PeriodicTimerHandle periodic) {
            expirePeriodic(timerId, periodic);
        } else if (payload instanceof DefaultTimerHandle handle) {
            while (!handle.tryFire()) {
                if (notClaimed(handle)) {
                    return;
                }
            }
            handle.phase(DefaultTimerHandle.GONE);
            counters.fired++;
            counters.runs++;
            counters.recordLateness(passNowNs - handle.deadlineNs());
            dispatch(handle);
        } else if (payload instanceof TimerExpiryHandler handler) {
            if (!wheel.tryFire(timerId)) {
                // Being moved (its command is on the way: hold it a tick), or cancelled.
                if (!(wheel.isMoving(timerId) && wheel.reschedule(timerId, passNowTick + 1))) {
                    counters.cancelled++;
                }
                return;
            }
            counters.fired++;
            counters.runs++;
            counters.recordLateness(passNowNs - originNs - deadlineTick * tickNs);
            try {
                handler.onTimerExpiry(timerId, passNowNs);
            } catch (Throwable failure) {
                timer.handlerFailed(timerId, failure);
            }
        }
    }

    /**
     * A handle could not be claimed at its deadline: a postpone claimed it first (apply the move
     * now, under the monitor, so its place among same-tick timers is where the postpone took
     * effect), or it was cancelled (the wheel releases the entry when this returns).
     *
     * @return true if dealt with; false if the claim should be tried again (a postpone gave up
     *         its move in the meantime)
     */
    private boolean notClaimed(DefaultTimerHandle handle) {
        int status = handle.status();
        if (status == DefaultTimerHandle.MOVING) {
            return applyMove(handle);
        }
        if (status == DefaultTimerHandle.CANCELLED) {
            handle.phase(DefaultTimerHandle.GONE);
            counters.cancelled++;
            return true;
        }
        return status != DefaultTimerHandle.PENDING;
    }

    private void expirePeriodic(long timerId, PeriodicTimerHandle periodic) {
        if (periodic.status() == DefaultTimerHandle.RUNNING) {
            // The previous run is still going on the executor: runs never overlap, so look again
            // next tick; the stall policy decides what happens to the missed run.
            counters.overruns++;
            wheel.reschedule(timerId, passNowTick + 1);
            return;
        }
        boolean last = periodic.isLastPlannedRun();
        while (!(last ? periodic.tryFire() : periodic.tryBeginRun())) {
            if (notClaimed(periodic)) {
                return;
            }
        }
        counters.runs++;
        counters.recordLateness(passNowNs - periodic.deadlineNs());
        if (!last) {
            try {
                long nextNominalNs = periodic.advanceNominal(passNowNs, tickNs, horizonNs);
                long fireAtNs = periodic.jittered(nextNominalNs, horizonNs);
                periodic.followingDeadlineNs(fireAtNs);
                wheel.reschedule(timerId, tickAt(fireAtNs));
            } catch (PeriodicTimerHandle.IntervalFailure failure) {
                timer.intervalFailed(periodic, failure);
                periodic.stopWith(failure);
                if (!periodic.tryMarkLastRun()) {
                    // Cancelled between the claim and now: the canceller won; skip the run.
                    periodic.phase(DefaultTimerHandle.GONE);
                    counters.cancelled++;
                    return;
                }
                last = true;
            }
        }
        if (last) {
            periodic.phase(DefaultTimerHandle.GONE);
            counters.fired++;
        }
        periodic.beginRun(last);
        if (executor == null) {
            periodic.run();
        } else {
            try {
                executor.execute(periodic);
            } catch (Throwable refused) {
                timer.executorRejected(periodic, refused);
                if (!last) {
                    periodic.tryEndRun();
                }
            }
        }
    }

    /**
     * The tick an absolute deadline of the timer's clock belongs to: rounding up, so never early;
     * a deadline already passed by this pass's clock reading is due now.
     */
    private long tickAt(long deadlineNs) {
        long deadlineElapsedNs = deadlineNs - originNs;
        if (deadlineElapsedNs <= lastElapsedNs) {
            return passNowTick;
        }
        return (deadlineElapsedNs - 1) / tickNs + 1;
    }

    private void dispatch(DefaultTimerHandle handle) {
        if (executor == null) {
            handle.run();
            return;
        }
        try {
            executor.execute(handle);
        } catch (Throwable refused) {
            timer.executorRejected(handle, refused);
        }
    }
}
