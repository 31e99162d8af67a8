package dev.escapement.perf.compare;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Small measuring helpers shared by the scenarios: the sentinel that proves a contender has caught
 * up, and heap usage after garbage collection.
 *
 * <p>Thread-safety: stateless; call from the scenario's thread.
 */
final class Probes {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Probes() {
    }

    /**
     * Schedules a zero-delay timer behind everything the contender has been handed, and waits until
     * it has fired on every timer thread.
     *
     * @return the {@link System#nanoTime()} at which the last sentinel fired
     * @throws IllegalStateException if the contender does not catch up within {@code timeoutMs}
     */
    static long awaitCaughtUp(TimerContender contender, int slot, long timeoutMs) {
        CountDownLatch fired = new CountDownLatch(contender.timerThreads());
        long[] lastFiredNs = new long[1];
        FireAction sentinel = new FireAction() {
            @Override
            void fire() {
                synchronized (lastFiredNs) {
                    lastFiredNs[0] = System.nanoTime();
                }
                fired.countDown();
            }
        };
        contender.scheduleSentinel(slot, sentinel);
        await(fired, timeoutMs, "the contender's sentinel timer");
        synchronized (lastFiredNs) {
            return lastFiredNs[0];
        }
    }

    /**
     * Schedules one zero-delay timer through {@code schedule} (which is handed the action the timer
     * must run) and waits until it has fired.
     */
    static void awaitZeroDelayTimer(java.util.function.Consumer<Runnable> schedule, long timeoutMs, String what) {
        CountDownLatch fired = new CountDownLatch(1);
        schedule.accept(fired::countDown);
        await(fired, timeoutMs, what);
    }

    static void await(CountDownLatch latch, long timeoutMs, String what) {
        try {
            if (!latch.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(what + " did not complete within " + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + what, e);
        }
    }

    /** @return bytes of heap in use after full collections have settled */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            sleep(50);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** @return bytes allocated so far by every live thread (threads that ended are not counted) */
    static long allocatedBytes() {
        long[] ids = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).toArray();
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    /** @return bytes allocated so far by the calling thread */
    static long currentThreadAllocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Sleeps in a measurement (never in a test's synchronization). */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
