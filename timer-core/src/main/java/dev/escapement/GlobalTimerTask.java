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
 * (and refresh the timer's {@link CachedClock} with that reading);
 * apply up to {@value #COMMANDS_PER_PASS} commands; advance the wheel to the tick of "now",
 * expiring up to {@value #EXPIRIES_PER_PASS} timers in deadline order; publish the counters.
 * Advancing is towards absolute time, so after a stall every due timer fires, in order, none
 * skipped. When a pass finds nothing to do, {@link #park()} sleeps until the wheel's next
 * deadline; producers wake it earlier only when they must (see {@link CommandProxy}).
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
    private final long tickNs;
    private final Executor executor;

    private long lastElapsedNs;
    private long passNowNs;
    private long scheduled;
    private long fired;
    private long cancelled;
    private long passes;
    private long parks;

    /** Collects stop()'s result during shutdown; null otherwise. */
    private List<TimerHandle> unprocessed;
    private long returnedByStop;

    GlobalTimerTask(GlobalTimer timer, TimingWheel wheel, CommandProxy proxy, NanoClock clock,
                    CachedClock cachedClock, long originNs, long tickNs, Executor executor) {
        this.timer = timer;
        this.wheel = wheel;
        this.proxy = proxy;
        this.clock = clock;
        this.cachedClock = cachedClock;
        this.originNs = originNs;
        this.tickNs = tickNs;
        this.executor = executor;
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
        int work = proxy.drain(this, COMMANDS_PER_PASS);
        work += wheel.advance(elapsedNs / tickNs, this, EXPIRIES_PER_PASS);
        passes++;
        publish();
        return work;
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
        parks++;
        timer.publishParks(parks);
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
        while (proxy.drain(this, Integer.MAX_VALUE) > 0) {
            // As above.
        }
        wheel.clear(this::onStop);
        publish();
        List<TimerHandle> result = unprocessed;
        unprocessed = null;
        return result;
    }

    private void onStop(long timerId, long deadlineTick, Object payload) {
        if (!wheel.tryCancel(timerId)) {
            // Cancelled already: its canceller got true.
            cancelled++;
            return;
        }
        returnedByStop++;
        if (payload instanceof DefaultTimerHandle handle) {
            handle.markCancelled();
            unprocessed.add(handle);
        }
    }

    // ------------------------------------------------------------------ commands

    @Override
    public void accept(Object command) {
        if (command instanceof DefaultTimerHandle handle) {
            applyHandle(handle);
        } else if (command instanceof TimerCommand timerCommand) {
            applyCommand(timerCommand);
        } else {
            LOG.log(Level.ERROR, "escapement timer ignored an unknown command: {0}", command);
        }
    }

    private void applyHandle(DefaultTimerHandle handle) {
        // A handle is offered once to be linked and once more if it is cancelled; the wheel's
        // state tells the two apart.
        long id = handle.id();
        if (!handle.linkRequested()) {
            handle.linkRequested(true);
            scheduled++;
            linkOrReclaim(id);
        } else {
            reclaim(id);
        }
    }

    private void applyCommand(TimerCommand command) {
        switch (command.op) {
            case TimerCommand.LINK -> {
                scheduled++;
                linkOrReclaim(command.timerId);
            }
            case TimerCommand.RECLAIM -> reclaim(command.timerId);
            default -> LOG.log(Level.ERROR, "escapement timer ignored an unknown command op: {0}", command.op);
        }
        proxy.recycle(command);
    }

    private void linkOrReclaim(long id) {
        if (!wheel.link(id)) {
            // Cancelled before it reached the wheel.
            reclaim(id);
        }
    }

    /**
     * Frees a cancelled entry. A handle's cancellation is recorded here too: a canceller that
     * had only the id may have lost the race to read the payload.
     */
    private void reclaim(long id) {
        Object payload = wheel.payloadOf(id);
        if (wheel.reclaim(id)) {
            cancelled++;
            if (payload instanceof DefaultTimerHandle handle) {
                handle.markCancelled();
            }
        }
    }

    // ------------------------------------------------------------------ expiry

    @Override
    public void onExpiry(long timerId, long deadlineTick, Object payload) {
        if (!wheel.tryFire(timerId)) {
            // Cancelled while due: the canceller won. The wheel releases the entry on return.
            cancelled++;
            if (payload instanceof DefaultTimerHandle handle) {
                handle.markCancelled();
            }
            return;
        }
        fired++;
        if (payload instanceof DefaultTimerHandle handle) {
            handle.markFired();
            dispatch(handle);
        } else if (payload instanceof TimerExpiryHandler handler) {
            try {
                handler.onTimerExpiry(timerId, passNowNs);
            } catch (Throwable failure) {
                timer.handlerFailed(timerId, failure);
            }
        }
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

    // ------------------------------------------------------------------ statistics

    private void publish() {
        timer.publish(wheel.size(), scheduled, fired, cancelled, returnedByStop, passes, parks);
    }
}
