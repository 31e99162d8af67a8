package dev.escapement.clock;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** U3: the cached clock's staleness bound, its monotonicity across threads and across the wrap. */
class CachedClockTest {

    @Test
    void aReadLagsTheSourceByExactlyTheTimeSinceTheLastRefresh() {
        ManualClock source = new ManualClock(5_000);
        CachedClock cached = new CachedClock(source);
        for (long lagNs : new long[] {0, 1, 999, 1_000_000}) {
            source.advance(lagNs, NANOSECONDS);
            assertThat(source.nanoTime() - cached.nanoTime()).isEqualTo(lagNs);
            cached.refresh();
            assertThat(cached.nanoTime()).isEqualTo(source.nanoTime());
        }
    }

    @Test
    void readingsStayMonotonicAcrossTheWrapOfTheCounter() {
        ManualClock source = new ManualClock(Long.MAX_VALUE - 2);
        CachedClock cached = new CachedClock(source);
        source.advance(5, NANOSECONDS);
        assertThat(cached.refresh()).isEqualTo(Long.MIN_VALUE + 2);
        assertThat(cached.update(Long.MAX_VALUE)).as("an older reading loses").isEqualTo(Long.MIN_VALUE + 2);
        assertThat(cached.update(Long.MIN_VALUE + 3)).isEqualTo(Long.MIN_VALUE + 3);
    }

    @Test
    void describesItselfAndItsSource() {
        ManualClock source = new ManualClock(42);
        CachedClock cached = new CachedClock(source);
        assertThat(cached.source()).isSameAs(source);
        assertThat(cached).hasToString("CachedClock[42 ns of ManualClock[42 ns]]");
        assertThatThrownBy(() -> new CachedClock(null)).isInstanceOf(NullPointerException.class).hasMessage("source");
    }

    @Test
    @Timeout(60)
    void concurrentRefreshersNeverMakeAReaderSeeTimeGoBack() throws Exception {
        ManualClock source = new ManualClock(Long.MAX_VALUE - 1_000);   // wraps within the first microseconds
        CachedClock cached = new CachedClock(source);
        int threads = 4;
        int readsPerThread = 200_000;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            boolean refresher = t % 2 == 0;
            Thread worker = new Thread(() -> {
                await(start);
                long last = cached.nanoTime();
                for (int i = 0; i < readsPerThread; i++) {
                    long now = refresher && (i & 7) == 0 ? cached.refresh() : cached.nanoTime();
                    if (now - last < 0) {
                        violations.add("went back from " + last + " to " + now);
                    }
                    last = now;
                }
            }, "cached-clock-" + t);
            workers.add(worker);
            worker.start();
        }
        Thread advancer = new Thread(() -> {
            await(start);
            while (running.get()) {
                source.advance(1, NANOSECONDS);
            }
        }, "cached-clock-source");
        advancer.start();
        for (Thread worker : workers) {
            worker.join();
        }
        running.set(false);
        advancer.join();
        assertThat(violations).isEmpty();
        cached.refresh();
        assertThat(cached.nanoTime()).isEqualTo(source.nanoTime());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
