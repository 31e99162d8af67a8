package dev.escapement.example;

import dev.escapement.GlobalTimer;
import dev.escapement.TimerExpiryHandler;
import dev.escapement.TimerHandle;
import dev.escapement.TimerStats;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small tour of the global timer: one-shot timers that fire in deadline order, a cancelled
 * timer, a notify-only timer, the allocation-free id path, and stop() returning what never ran.
 *
 * <p>Run with {@code mvn -B -q -pl timer-core compile exec:java@timer-example} (a named execution, so
 * that the README's main command, which builds this module on the way to the endpoint demo, does
 * not run it too).
 */
public final class TimerExample {

    private TimerExample() {
    }

    /**
     * Runs the tour and prints what happened.
     *
     * @param args ignored
     * @throws Exception if interrupted
     */
    public static void main(String[] args) throws Exception {
        GlobalTimer timer = GlobalTimer.builder().tick(1, TimeUnit.MILLISECONDS).threadName("example-timer").build();
        long startNs = timer.nanoTime();
        CountDownLatch fired = new CountDownLatch(3);

        for (int delayMs : new int[] {30, 10, 20}) {
            TimerHandle handle = timer.schedule(h -> {
                System.out.printf("  fired %-12s after %5.1f ms (deadline %d ms, late %.3f ms)%n",
                        "timer " + delayMs, (timer.nanoTime() - startNs) / 1e6, delayMs,
                        (timer.nanoTime() - h.deadlineNs()) / 1e6);
                fired.countDown();
            }, delayMs, TimeUnit.MILLISECONDS);
            System.out.printf("scheduled timer %d ms as id %d%n", delayMs, handle.id());
        }

        TimerHandle cancelled = timer.schedule(h -> System.out.println("  never printed"), 15, TimeUnit.MILLISECONDS);
        System.out.printf("cancel(15 ms timer) = %s, again = %s%n", cancelled.cancel(), cancelled.cancel());

        TimerHandle notify = timer.scheduleNotify(25, TimeUnit.MILLISECONDS);
        notify.completion().thenRun(() -> System.out.println("  notify-only timer completed its future"));

        TimerExpiryHandler handler = (timerId, nowNs) ->
                System.out.printf("  id-path timer %d expired on %s%n", timerId, Thread.currentThread().getName());
        long id = timer.scheduleTimer(handler, 5, TimeUnit.MILLISECONDS);
        System.out.printf("scheduled id-path timer %d%n", id);

        TimerHandle far = timer.schedule(h -> System.out.println("  never printed either"), 1, TimeUnit.HOURS);
        System.out.printf("scheduled a timer one hour out as id %d%n", far.id());

        fired.await(5, TimeUnit.SECONDS);
        notify.completion().get(5, TimeUnit.SECONDS);

        List<TimerHandle> neverRan = timer.stop();
        System.out.printf("stop() returned %d timer(s) that never ran: %s%n", neverRan.size(), neverRan);
        TimerStats stats = timer.stats();
        System.out.printf("stats: scheduled=%d fired=%d cancelled=%d returnedByStop=%d pending=%d passes=%d parks=%d%n",
                stats.scheduled(), stats.fired(), stats.cancelled(), stats.returnedByStop(), stats.pending(),
                stats.passes(), stats.parks());
    }
}
