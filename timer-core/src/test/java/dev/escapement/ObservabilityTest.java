package dev.escapement;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.clock.ManualClock;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** stats(), dump() and the JMX view. */
class ObservabilityTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void statsAddUpAcrossEveryKindOfTimer() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 3_000; i++) {
            int kind = random.nextInt(5);
            TimerHandle handle = switch (kind) {
                case 0 -> timer.schedule(h -> { }, random.nextLong(0, 200), MILLISECONDS);
                case 1 -> timer.schedulePeriodic(h -> { }, PeriodicSchedule.fixedRate(7, MILLISECONDS).loops(3).build());
                case 2 -> timer.scheduleWithin(h -> { }, 10, 90, MILLISECONDS);
                case 3 -> timer.scheduleNotify(random.nextLong(0, 200), MILLISECONDS);
                default -> null;
            };
            if (handle == null) {
                long id = timer.scheduleTimer((t, n) -> { }, random.nextLong(0, 200), MILLISECONDS);
                if (random.nextBoolean()) {
                    timer.cancelTimer(id);
                }
            } else if (random.nextInt(4) == 0) {
                handle.cancel();
            } else if (random.nextInt(4) == 0) {
                handle.postpone(random.nextLong(0, 100), MILLISECONDS);
            }
            if (random.nextInt(20) == 0) {
                for (long ms = random.nextLong(0, 5); ms > 0; ms--) {
                    clock.advance(1, MILLISECONDS);
                    timer.doWork();
                }
            }
        }
        for (int i = 0; i < 400; i++) {
            clock.advance(1, MILLISECONDS);
            timer.doWork();
        }
        TimerStats stats = timer.stats();
        assertThat(stats.scheduled()).isEqualTo(3_000);
        assertThat(stats.pending()).isZero();
        assertThat(stats.scheduled()).isEqualTo(stats.fired() + stats.cancelled() + stats.returnedByStop() + stats.pending());
        assertThat(stats.runs()).isGreaterThan(stats.fired());
        assertThat(stats.latenessSamples()).isEqualTo(stats.runs());
        // At most one tick late; the histogram keeps two significant digits (1 % error).
        assertThat(stats.latenessMaxNs()).isLessThanOrEqualTo(timer.tickNs() + timer.tickNs() / 100);
        assertThat(stats.commandsDrained()).isGreaterThanOrEqualTo(3_000);
    }

    @Test
    void latenessHistogramRecordsHowLateTimersFired() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        for (int i = 0; i < 100; i++) {
            timer.schedule(h -> { }, 10, MILLISECONDS);
        }
        clock.advance(13, MILLISECONDS);
        timer.doWork();
        TimerStats stats = timer.stats();
        assertThat(stats.latenessSamples()).isEqualTo(100);
        // Every one fired 3 ms late, to two significant digits.
        assertThat(stats.latenessP50Ns()).isBetween(2_970_000L, 3_030_000L);
        assertThat(stats.latenessP99Ns()).isBetween(2_970_000L, 3_030_000L);
        assertThat(stats.latenessMaxNs()).isBetween(2_970_000L, 3_030_000L);
        // Snapshots accumulate: a second one still sees them.
        assertThat(timer.stats().latenessSamples()).isEqualTo(100);
    }

    @Test
    void cascadesAreCountedPerLevel() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        timer.schedule(h -> { }, 5, SECONDS);
        timer.doWork();
        clock.advance(6, SECONDS);
        timer.doWork();
        long[] cascades = timer.stats().cascadesPerLevel();
        assertThat(cascades[0]).isZero();
        assertThat(cascades[1] + cascades[2]).isPositive();
        cascades[1] = 99;
        assertThat(timer.stats().cascadesPerLevel()[1]).isNotEqualTo(99);
    }

    @Test
    void dumpIsReadableOnAnEmptyAndACrowdedWheel() {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        String empty = timer.dump();
        assertThat(empty).startsWith("GlobalTimer tick=1000000 ns now=0 ticks since start\nTimingWheel tick=0 (1000000 ns) size=0 current=0 next=none");
        assertThat(empty).contains("TimerStats[pending=0");
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 50_000; i++) {
            timer.schedule(h -> { }, random.nextLong(1, 10_000_000), MILLISECONDS);
        }
        for (int i = 0; i < 5_000; i++) {
            timer.schedule(h -> { }, 30, MILLISECONDS);
        }
        while (timer.doWork() > 0) {
            // a pass applies at most 16 K commands
        }
        String crowded = timer.dump();
        assertThat(crowded).contains("size=55000").contains("level 0 current=0").contains(" 30=5000")
                .contains("busiest: level 0 slot 30=5000");
        assertThat(crowded.lines().count()).as("bounded").isLessThan(20);
        assertThat(crowded.length()).isLessThan(4_000);
    }

    @Test
    void dumpFromAnotherThreadIsTakenOnTheTimerThread() {
        GlobalTimer timer = GlobalTimer.builder().build();
        timer.schedule(h -> { }, 1, HOURS);
        String dump = timer.dump();
        assertThat(dump).contains("size=1").contains("level 3");
        timer.stop();
        assertThat(timer.dump()).contains("(stopped)");
    }

    @Test
    void jmxViewShowsTheSameFiguresAndIsUnregisteredOnStop() throws Exception {
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().threadName("jmx-test-timer").jmx().build();
        timer.schedule(h -> { }, 1, MILLISECONDS);
        timer.schedule(h -> { }, 1, HOURS);
        clock.advance(1, MILLISECONDS);
        timer.doWork();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.escapement:type=GlobalTimer,name=\"jmx-test-timer\"");
        assertThat(server.isRegistered(name)).isTrue();
        assertThat(server.getAttribute(name, "Fired")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "Pending")).isEqualTo(1L);
        assertThat(server.getAttribute(name, "TickNs")).isEqualTo(1_000_000L);
        assertThat((String) server.invoke(name, "dump", null, null)).contains("TimingWheel");
        timer.stop();
        assertThat(server.isRegistered(name)).isFalse();
    }
}
