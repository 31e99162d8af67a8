package dev.escapement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's examples, verbatim where possible, so they keep compiling and stay true. */
class ReadmeExamplesTest {

    @Test
    void quickStart() {
        GlobalTimer timer = GlobalTimer.builder()
                .tick(1, TimeUnit.MILLISECONDS)          // resolution: 1 µs to 1 s
                .build();                                // the thread starts on first use

        TimerHandle handle = timer.schedule(h -> System.out.println("timed out: " + h.id()),
                30, TimeUnit.SECONDS);
        boolean cancelled = handle.cancel();             // true: this call cancelled it
        boolean futureToo = handle.completion().isCancelled(); // true: the future follows the timer

        // The primitive path: a long id, nothing allocated per timer in steady state.
        ConcurrentLinkedQueue<Long> inbox = new ConcurrentLinkedQueue<>();
        long id = timer.scheduleTimer((timerId, nowNs) -> inbox.offer(timerId), 200, TimeUnit.MILLISECONDS);
        timer.cancelTimer(id);

        List<TimerHandle> neverRan = timer.stop();       // cancels and returns what never ran

        assertThat(cancelled).isTrue();
        assertThat(futureToo).isTrue();
        assertThat(inbox).isEmpty();
        assertThat(neverRan).isEmpty();
    }

    @Test
    void virtualTime() {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        List<TimerHandle> fired = new ArrayList<>();
        timer.schedule(fired::add, 10, TimeUnit.MILLISECONDS);
        clock.advance(10, TimeUnit.MILLISECONDS);
        timer.doWork();                                  // one pass: apply commands, expire what is due
        assertThat(fired).hasSize(1);
    }

    @Test
    void builderRejectsABadTickNamingTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GlobalTimer.builder().tick(0, TimeUnit.NANOSECONDS).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tick must be between 1 µs and 1 s: 0 ns");
    }
}
