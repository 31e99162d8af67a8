package dev.escapement.perf.compare;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event executor's own scheduler ({@link DefaultEventExecutor#schedule}: a priority queue
 * per event loop), which is what {@code IdleStateHandler}, {@code ReadTimeoutHandler} and connect
 * timeouts use. One executor per producer; each producer runs its loop <em>on</em> its executor,
 * as a channel handler does, so its schedules and cancels go straight to the heap. Timers scheduled
 * from other threads (the scenario's background population) are spread over the executors by slot
 * and cross through the executor's task queue, as Netty does for such calls.
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class NettyExecutorContender implements TimerContender {

    private DefaultEventExecutor[] executors;
    private ScheduledFuture<?>[] futures;

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        ThreadFactory threads = NamedThreads.factory("tmr-netty-exec");
        executors = new DefaultEventExecutor[Math.max(1, producers)];
        for (int i = 0; i < executors.length; i++) {
            executors[i] = new DefaultEventExecutor(threads);
        }
        futures = new ScheduledFuture<?>[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        futures[slot] = executorFor(slot).schedule((Runnable) action, delayNs, TimeUnit.NANOSECONDS);
    }

    private DefaultEventExecutor executorFor(int slot) {
        for (DefaultEventExecutor executor : executors) {
            if (executor.inEventLoop()) {
                return executor;
            }
        }
        return executors[slot % executors.length];
    }

    @Override
    public void cancel(int slot) {
        TimerContender.cancelFuture(futures, slot);
    }

    @Override
    public Executor producerExecutor(int producer) {
        return executors[producer % executors.length];
    }

    @Override
    public void scheduleSentinel(int slot, FireAction action) {
        for (DefaultEventExecutor executor : executors) {
            executor.schedule((Runnable) action, 0, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public int timerThreads() {
        return executors.length;
    }

    @Override
    public void close() {
        if (executors != null) {
            for (DefaultEventExecutor executor : executors) {
                executor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            for (DefaultEventExecutor executor : executors) {
                executor.terminationFuture().awaitUninterruptibly(10_000);
            }
        }
        executors = null;
        futures = null;
    }
}
