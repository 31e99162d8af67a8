package dev.escapement.engine;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs an engine's {@link GlobalTimerTask} and owns its lifecycle: the timer thread (started on
 * first use) that loops pass, park, pass until stopped, or, for an engine driven by its caller,
 * no thread at all (the caller calls {@link #doWork()}). In the manner of Agrona's
 * {@code AgentRunner} and {@code AgentInvoker}.
 *
 * <p>Thread-safety: any thread; the lifecycle word is volatile and its changes are serialized on
 * this object, which no user code can reach.
 *
 * <pre>
 *   NEW -> STARTED -> STOPPING -> TERMINATED      (an engine driven by its caller starts STARTED)
 * </pre>
 */
final class TimerRunner implements Runnable {

    private final TimerEngine engine;
    private final Thread thread;
    private volatile int lifecycle;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile List<TimerEntry> unprocessed = List.of();

    TimerRunner(TimerEngine engine, EngineSettings settings) {
        this.engine = engine;
        ThreadFactory factory = settings.threadFactory();
        if (factory == null) {
            this.thread = null;
            this.lifecycle = TimerEngine.STARTED;
        } else {
            this.thread = Objects.requireNonNull(factory.newThread(this), "threadFactory returned null");
            engine.queue.timerThread(thread);
            this.lifecycle = TimerEngine.NEW;
        }
    }

    /** The timer thread's loop: pass until idle, then park; until stopped. */
    @Override
    public void run() {
        GlobalTimerTask task = engine.task;
        while (lifecycle < TimerEngine.STOPPING) {
            try {
                if (task.doWork() == 0) {
                    task.park();
                }
            } catch (Throwable unexpected) {
                // Task failures are caught where they run; this is a defect, not a user error.
                GlobalTimerTask.LOG.log(Level.ERROR, "escapement timer pass failed; the timer thread carries on", unexpected);
            }
        }
        terminate(task.shutdown(this));
    }

    /** @return true if the engine accepts work (starting its thread if this is the first use) */
    boolean ensureRunning() {
        int current = lifecycle;
        if (current == TimerEngine.STARTED) {
            return true;
        }
        if (current == TimerEngine.NEW) {
            startThread();
        }
        return lifecycle == TimerEngine.STARTED;
    }

    void start() {
        ensureRunning();
        if (lifecycle >= TimerEngine.STOPPING) {
            throw new IllegalStateException("timer is stopped and cannot be restarted");
        }
    }

    private synchronized void startThread() {
        if (lifecycle == TimerEngine.NEW) {
            lifecycle = TimerEngine.STARTED;
            thread.start();
        }
    }

    List<TimerEntry> stop() {
        if (isTimerThread()) {
            throw new IllegalStateException("stop() must not be called from the timer thread");
        }
        synchronized (this) {
            if (lifecycle >= TimerEngine.STOPPING) {
                awaitTermination();
                return List.of();
            }
            int previous = lifecycle;
            lifecycle = TimerEngine.STOPPING;
            if (previous == TimerEngine.NEW || thread == null) {
                // No thread to do it: shut down here.
                terminate(engine.task.shutdown(this));
            } else {
                engine.queue.close();
            }
        }
        awaitTermination();
        List<TimerEntry> result = unprocessed;
        unprocessed = List.of();
        return result;
    }

    private void terminate(List<TimerEntry> entries) {
        unprocessed = entries;
        lifecycle = TimerEngine.TERMINATED;
        terminated.countDown();
    }

    private void awaitTermination() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The shutdown's mark between its two drains (see {@link GlobalTimerTask#shutdown}). */
    void markTerminated() {
        lifecycle = TimerEngine.TERMINATED;
    }

    boolean isTerminated() {
        return lifecycle == TimerEngine.TERMINATED;
    }

    boolean isStopRequested() {
        return lifecycle >= TimerEngine.STOPPING;
    }

    boolean isTimerThread() {
        return thread != null && Thread.currentThread() == thread;
    }

    int doWork() {
        if (thread != null) {
            throw new IllegalStateException("doWork() is only for a timer built with drivenByCaller()");
        }
        if (lifecycle >= TimerEngine.STOPPING) {
            throw new IllegalStateException("timer is stopped");
        }
        return engine.task.doWork();
    }

    /** Test seam and the timer thread's own walks: see {@link TimerEngine#onTimerThread}. */
    <T> T onTimerThread(Function<GlobalTimerTask, T> work, long waitNs) {
        if (lifecycle >= TimerEngine.STOPPING) {
            throw new IllegalStateException("timer is stopped");
        }
        if (thread == null || isTimerThread()) {
            engine.task.applyQueued();
            return work.apply(engine.task);
        }
        if (lifecycle == TimerEngine.NEW) {
            synchronized (this) {
                if (lifecycle == TimerEngine.NEW) {
                    // No thread yet, and none can start while this lock is held: the wheel and the
                    // queue are this thread's for now.
                    engine.task.applyQueued();
                    return work.apply(engine.task);
                }
            }
        }
        Request<T> request = new Request<>(work);
        while (!engine.queue.offer(request, Long.MIN_VALUE, engine.cachedNowNs(), true, false)) {
            // The queue is full: the timer thread is draining it; try again shortly.
            Thread.onSpinWait();
            if (isStopRequested()) {
                throw new IllegalStateException("timer is stopped");
            }
        }
        long deadlineNs = System.nanoTime() + Math.min(waitNs, Long.MAX_VALUE / 2);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return request.get(10, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (isTerminated() && !request.isDone()) {
                        throw new IllegalStateException("timer is stopped");
                    }
                    if (System.nanoTime() - deadlineNs > 0) {
                        throw new IllegalStateException("the timer thread did not answer within "
                                + TimeUnit.NANOSECONDS.toMillis(waitNs) + " ms");
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the timer thread failed to do the work", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
