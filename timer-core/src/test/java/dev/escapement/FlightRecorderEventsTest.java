package dev.escapement;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timer's Flight Recorder events, recorded in-process and read back: a deliberately slow inline
 * task, a pass that starts late because the clock jumped while the timer thread was parked (as a
 * paused JVM sees it), and a burst of refused calls on a full command queue.
 */
@Timeout(60)
class FlightRecorderEventsTest {

    @Test
    void aSlowTaskALatePassAndBackpressureAreRecorded(@TempDir Path dir) throws Exception {
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable("dev.escapement.SlowTask").withThreshold(Duration.ofMillis(20));
            recording.enable("dev.escapement.LatePass");
            recording.enable("dev.escapement.Backpressure");
            recording.start();

            slowTaskAndBackpressure();
            latePass();

            recording.stop();
            Path file = dir.resolve("timer.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
            assertThat(Files.size(file)).isPositive();
        }
        List<RecordedEvent> slow = named(events, "dev.escapement.SlowTask");
        assertThat(slow).as("slow inline tasks").hasSize(1);
        assertThat(slow.get(0).getDuration()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(slow.get(0).getString("task")).contains("the slow task");

        List<RecordedEvent> late = named(events, "dev.escapement.LatePass");
        assertThat(late).as("late passes").isNotEmpty();
        assertThat(late).anyMatch(e -> e.getDuration("lateness").compareTo(Duration.ofMillis(30)) >= 0);

        List<RecordedEvent> backpressure = named(events, "dev.escapement.Backpressure");
        assertThat(backpressure).as("backpressure bursts").isNotEmpty();
        assertThat(backpressure.get(0).getLong("refusals")).isPositive();
        assertThat(backpressure.get(0).getInt("capacity")).isEqualTo(GlobalTimer.MIN_COMMAND_QUEUE_CAPACITY);
    }

    /** A task that holds the timer thread for 50 ms, while producers fill the queue behind it. */
    private static void slowTaskAndBackpressure() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().threadName("tmr-jfr-slow")
                .commandQueueCapacity(GlobalTimer.MIN_COMMAND_QUEUE_CAPACITY).build();
        CountDownLatch holding = new CountDownLatch(1);
        timer.schedule(new TimerTask() {
            @Override
            public void run(TimerHandle handle) throws InterruptedException {
                holding.countDown();
                Thread.sleep(50);
            }

            @Override
            public String toString() {
                return "the slow task";
            }
        }, 0, MILLISECONDS);
        assertThat(holding.await(10, SECONDS)).isTrue();
        int refused = 0;
        for (int i = 0; i < 1_000 && refused == 0; i++) {
            try {
                timer.schedule(h -> { }, 1, SECONDS);
            } catch (RejectedExecutionException full) {
                refused++;
            }
        }
        assertThat(refused).as("a call refused by the full queue").isPositive();
        timer.stop();
    }

    /**
     * The clock jumps 60 ms while the timer thread is parked for a 1 ms deadline (near enough that
     * the command is taken at once, not held back: the manual clock does not move by itself).
     */
    private static void latePass() throws Exception {
        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().threadName("tmr-jfr-late").clock(clock).build();
        AtomicReference<Thread> timerThread = new AtomicReference<>();
        CountDownLatch captured = new CountDownLatch(1);
        timer.schedule(h -> {
            timerThread.set(Thread.currentThread());
            captured.countDown();
        }, 0, MILLISECONDS);
        assertThat(captured.await(10, SECONDS)).isTrue();
        CountDownLatch fired = new CountDownLatch(1);
        timer.schedule(h -> fired.countDown(), 1, MILLISECONDS);
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        // Linked (the pass that linked it published it), then parked until its deadline: a park
        // after that pass, so it is the one for the 1 ms deadline.
        while (timer.stats().pending() != 1 || timerThread.get().getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as("timer thread never parked for the deadline").isNegative();
            Thread.onSpinWait();
        }
        clock.advance(60, MILLISECONDS);
        assertThat(fired.await(10, SECONDS)).isTrue();
        timer.stop();
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
