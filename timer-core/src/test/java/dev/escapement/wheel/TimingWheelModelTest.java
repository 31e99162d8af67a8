package dev.escapement.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds the wheel against a reference model (an ordered set) over long random operation
 * sequences: the same entries expire, in (deadline, scheduling order), none early, and none left
 * behind once its tick has passed. Deadlines are drawn to crowd a few slots, to span every level
 * (so entries cascade) and to sit in the past; the expiry handler itself schedules and cancels.
 */
class TimingWheelModelTest {

    /** An entry of the model: due at max(deadline, the wheel's tick when scheduled). */
    record Expected(long effectiveDeadline, long sequence, long id, long deadline) {
    }

    static final Comparator<Expected> ORDER =
            Comparator.comparingLong(Expected::effectiveDeadline).thenComparingLong(Expected::sequence);

    private TimingWheel wheel;
    private TreeSet<Expected> model;
    private Map<Long, Expected> byId;
    private List<Long> liveIds;
    private SplittableRandom random;
    private long sequence;
    private long nowTick;
    private int expiredInCall;
    private long crowdBase;

    @ParameterizedTest(name = "seed {0}, slots {1}, start {2}")
    @CsvSource({
            "1, 64, 0",
            "2, 64, 1000000",
            "3, 64, 9223372036853727231",
            "4, 2, 0",
            "5, 8, 77",
            "6, 16, 4611686018427387904",
            "7, 64, 4095",
            "8, 32, 0"
    })
    void wheelAgreesWithTheReferenceModel(long seed, int slots, long startTick) {
        wheel = new TimingWheel(slots, 1 << 16, startTick);
        model = new TreeSet<>(ORDER);
        byId = new HashMap<>();
        liveIds = new ArrayList<>();
        random = new SplittableRandom(seed);
        nowTick = startTick;
        crowdBase = startTick + 50;

        for (int step = 0; step < 40_000; step++) {
            int op = random.nextInt(100);
            if (op < 55) {
                schedule();
            } else if (op < 75) {
                cancelRandom();
            } else if (op < 80) {
                rescheduleRandom();
            } else {
                advance();
            }
            if (step % 997 == 0) {
                wheel.checkInvariants();
                assertThat(wheel.size()).isEqualTo(model.size());
            }
        }
        // Drain everything: all remaining entries must come out in order.
        nowTick = Long.MAX_VALUE;
        while (!model.isEmpty()) {
            expiredInCall = 0;
            wheel.advance(nowTick, this::onExpiry, 1 + random.nextInt(5_000));
        }
        wheel.checkInvariants();
        assertThat(wheel.size()).isZero();
    }

    private long drawDeadline() {
        int kind = random.nextInt(100);
        long elapsed = wheel.elapsedTick();
        if (kind < 35) {
            // Crowded: a handful of ticks shared by many entries.
            long tick = crowdBase + random.nextInt(4) * 3L;
            if (tick <= elapsed) {
                crowdBase = elapsed + 1 + random.nextInt(200);
                tick = crowdBase;
            }
            return tick;
        }
        if (kind < 45) {
            // In the past or now.
            return elapsed - random.nextLong(0, Math.min(elapsed, 1_000) + 1);
        }
        if (kind < 50) {
            // Huge: near the end of time.
            return Long.MAX_VALUE - random.nextLong(1_000_000);
        }
        if (kind < 62) {
            // On a slot boundary of some level: due exactly when that slot would cascade.
            int shift = random.nextInt(1, 45);
            long aligned = ((elapsed >>> shift) + 1 + random.nextInt(3)) << shift;
            return aligned <= 0 ? Long.MAX_VALUE : aligned;
        }
        // Any magnitude: every level, so entries cascade.
        int bits = random.nextInt(1, 40);
        long delay = random.nextLong(1L << bits) + 1;
        return elapsed + delay < 0 ? Long.MAX_VALUE : elapsed + delay;
    }

    private void schedule() {
        long deadline = drawDeadline();
        long id = wheel.schedule(deadline, null);
        Expected expected = new Expected(Math.max(deadline, wheel.elapsedTick()), sequence++, id, deadline);
        model.add(expected);
        byId.put(id, expected);
        liveIds.add(id);
    }

    private long randomLiveId() {
        if (liveIds.isEmpty()) {
            return TimingWheel.NO_TIMER;
        }
        int index = random.nextInt(liveIds.size());
        long id = liveIds.get(index);
        liveIds.set(index, liveIds.get(liveIds.size() - 1));
        liveIds.remove(liveIds.size() - 1);
        return id;
    }

    private void cancelRandom() {
        long id = randomLiveId();
        if (id == TimingWheel.NO_TIMER) {
            return;
        }
        Expected expected = byId.remove(id);
        boolean inModel = expected != null && model.remove(expected);
        assertThat(wheel.cancel(id)).isEqualTo(inModel);
    }

    private void rescheduleRandom() {
        long id = randomLiveId();
        if (id == TimingWheel.NO_TIMER) {
            return;
        }
        Expected old = byId.get(id);
        if (old == null || !model.remove(old)) {
            assertThat(wheel.reschedule(id, 1)).isFalse();
            return;
        }
        long deadline = random.nextInt(8) == 0 ? old.deadline() : drawDeadline();
        assertThat(wheel.reschedule(id, deadline)).isTrue();
        // A move to the deadline the entry already has keeps its place among its tick's entries.
        Expected moved = deadline == old.deadline()
                ? old
                : new Expected(Math.max(deadline, wheel.elapsedTick()), sequence++, id, deadline);
        model.add(moved);
        byId.put(id, moved);
        liveIds.add(id);
    }

    private void advance() {
        int kind = random.nextInt(100);
        long step;
        if (kind < 70) {
            step = random.nextInt(1, 130);
        } else if (kind < 95) {
            step = random.nextLong(1, 1L << random.nextInt(1, 24));
        } else {
            step = random.nextLong(1, 1L << random.nextInt(24, 45));
        }
        long previous = nowTick;
        nowTick = previous + step < 0 ? Long.MAX_VALUE : previous + step;
        int limit = random.nextInt(10) == 0 ? 1 + random.nextInt(20) : Integer.MAX_VALUE;
        expiredInCall = 0;
        int expired = wheel.advance(nowTick, this::onExpiry, limit);
        assertThat(expired).isEqualTo(expiredInCall).isLessThanOrEqualTo(limit);
        if (expired < limit) {
            // Nothing due may be left behind.
            assertThat(model.isEmpty() || model.first().effectiveDeadline() > nowTick)
                    .as("entries due at %d left behind: %s", nowTick, model.isEmpty() ? null : model.first())
                    .isTrue();
        }
    }

    private void onExpiry(long id, long deadlineTick, Object payload) {
        expiredInCall++;
        Expected expected = model.pollFirst();
        assertThat(expected).as("wheel expired %d but the model has nothing", id).isNotNull();
        assertThat(id).as("expiry order").isEqualTo(expected.id());
        assertThat(deadlineTick).isEqualTo(expected.deadline());
        assertThat(expected.effectiveDeadline()).as("never early").isLessThanOrEqualTo(nowTick);
        byId.remove(id);
        // Re-entrancy: the handler schedules and cancels now and then.
        int action = random.nextInt(20);
        if (action == 0) {
            schedule();
        } else if (action == 1) {
            cancelRandom();
        }
    }
}
