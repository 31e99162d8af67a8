package dev.escapement.perf.compare;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@link ScheduledThreadPoolExecutor} with one thread and
 * {@link ScheduledThreadPoolExecutor#setRemoveOnCancelPolicy remove-on-cancel}, so cancelled tasks
 * leave the heap at once instead of at their deadline (its documentation's advice when many tasks
 * are cancelled).
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class JdkExecutorContender implements TimerContender {

    private ScheduledThreadPoolExecutor executor;
    private ScheduledFuture<?>[] futures;

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        executor = new ScheduledThreadPoolExecutor(1, NamedThreads.factory("tmr-jdk"));
        executor.setRemoveOnCancelPolicy(true);
        executor.prestartAllCoreThreads();
        futures = new ScheduledFuture<?>[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        futures[slot] = executor.schedule((Runnable) action, delayNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void cancel(int slot) {
        TimerContender.cancelFuture(futures, slot);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            awaitQuietly(executor);
        }
        executor = null;
        futures = null;
    }

    private static void awaitQuietly(ScheduledThreadPoolExecutor executor) {
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
