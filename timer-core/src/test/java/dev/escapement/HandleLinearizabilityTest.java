package dev.escapement;

import dev.escapement.clock.ManualClock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of the handle operations — schedule, cancel, postpone, expiry, state — under
 * Lincheck's model checker: every concurrent history must match some sequential order of the same
 * operations on a fresh timer (the sequential specification is this class run one operation at a
 * time).
 *
 * <p>Expiry is atomic per timer (its compare-and-set), not per pass, so a pass here expires at
 * most one timer, and the clock moves in an operation of its own; both belong to the one thread
 * that drives the timer (a non-parallel group).
 */
@Param(name = "timer", gen = IntGen.class, conf = "0:1")
public class HandleLinearizabilityTest {

    private final ManualClock clock = new ManualClock();
    private final GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller()
            .maxPendingTimers(64).commandQueueCapacity(64).build();
    private final TimerHandle[] handles = new TimerHandle[2];
    private final AtomicInteger[] runs = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger otherRuns = new AtomicInteger();

    public HandleLinearizabilityTest() {
        timer.expiriesPerPass(1);
        for (int i = 0; i < handles.length; i++) {
            AtomicInteger counter = runs[i];
            handles[i] = timer.schedule(h -> counter.incrementAndGet(), 1 + i, TimeUnit.MILLISECONDS);
        }
        while (timer.doWork() > 0) {
            // link both
        }
    }

    /**
     * An absolute deadline: a relative one is computed from a clock reading taken at some moment
     * during the call, which a deterministic sequential specification cannot express while the
     * driver moves the clock concurrently.
     */
    @Operation
    public boolean scheduleAnother() {
        return timer.scheduleAt(h -> otherRuns.incrementAndGet(), TimeUnit.MILLISECONDS.toNanos(1)).id() != 0;
    }

    @Operation
    public boolean cancel(@Param(name = "timer") int index) {
        return handles[index].cancel();
    }

    /**
     * Moves the timer past the scenario's horizon (a scenario advances the clock a few ms at most),
     * for the same reason as {@link #scheduleAnother}: what is checked is that a postponed timer
     * never fires at its old deadline, and that postpone, cancel and expiry have one winner.
     */
    @Operation
    public boolean postpone(@Param(name = "timer") int index) {
        return handles[index].postpone(1, TimeUnit.SECONDS);
    }

    @Operation
    public String state(@Param(name = "timer") int index) {
        TimerHandle handle = handles[index];
        return handle.isCancelled() ? "cancelled" : handle.isExpired() ? "expired" : "pending";
    }

    @Operation(nonParallelGroup = "driver")
    public void advanceClock() {
        clock.advance(1, TimeUnit.MILLISECONDS);
    }

    /**
     * Expires the next live due timer, if any: single-entry passes until one runs or none is
     * left (an entry found cancelled or moving uses up a pass without running). Returns how often
     * each task has run so far.
     */
    @Operation(nonParallelGroup = "driver")
    public String pass() {
        int before = totalRuns();
        while (timer.doWork() > 0 && totalRuns() == before) {
            // the next entry
        }
        return runs[0].get() + "," + runs[1].get() + "," + otherRuns.get();
    }

    private int totalRuns() {
        return runs[0].get() + runs[1].get() + otherRuns.get();
    }

    @Test
    void handleOperationsAreLinearizable() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                // The CI budget; the long run (-Plincheck-long, see README, "Guarantees") raises both.
                .iterations(Integer.getInteger("escapement.lincheck.iterations", 10))
                .invocationsPerIteration(Integer.getInteger("escapement.lincheck.invocations", 150))
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2);
        LinChecker.check(HandleLinearizabilityTest.class, options);
    }
}
