package dev.escapement.perf.compare;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories that name their threads, so the idle scenario can find a contender's threads in
 * {@code /proc} (Linux keeps the first 15 characters of a thread's name there).
 *
 * <p>Thread-safety: the factories are safe from any thread.
 */
final class NamedThreads {

    private NamedThreads() {
    }

    /**
     * @param prefix the name prefix; the first thread is {@code prefix}, later ones get
     *               {@code -1}, {@code -2}...
     * @return a factory of daemon threads
     */
    static ThreadFactory factory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            int n = count.getAndIncrement();
            Thread thread = new Thread(runnable, n == 0 ? prefix : prefix + "-" + n);
            thread.setDaemon(true);
            return thread;
        };
    }
}
