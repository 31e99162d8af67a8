package dev.escapement.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Holds the wheel against a reference model (a set ordered by deadline, then insertion) over long
 * random sequences of inserts, removes, re-inserts and polls: every poll returns exactly the node
 * the model says is next, never one whose deadline has not passed, and nothing is left behind.
 * Deadlines are drawn to crowd a few ticks (equal deadlines on purpose), to span every level (so
 * nodes cascade), to lie in the past (inserted after their deadline) and near the end of time;
 * "now" creeps forward in small steps and jumps (a stall).
 */
class TimingWheelModelTest {

    static final class Node extends WheelNode {
        final int name;
        long seq;
        long deadline;

        Node(int name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return "node " + name + " @" + deadline + "#" + seq;
        }
    }

    static final Comparator<Node> ORDER = Comparator.<Node>comparingLong(n -> n.deadline).thenComparingLong(n -> n.seq);

    private TimingWheel wheel;
    private TreeSet<Node> model;
    private List<Node> linked;
    private SplittableRandom random;
    private long seq;
    private long nowNs;
    private long tickNs;
    private int names;

    @ParameterizedTest(name = "seed {0}, slots {1}, tick {2} ns, start {3} ns")
    @CsvSource({
            "1, 64, 1000000, 0",
            "2, 64, 1000000, 1000000000",
            "3, 64, 1, 9223372036853727231",
            "4, 2, 1000, 0",
            "5, 8, 7, 77",
            "6, 16, 1000000, 4611686018427387904",
            "7, 64, 100000, 4095",
            "8, 32, 3, 0",
            "9, 4, 1000000000, 0"
    })
    void wheelAgreesWithTheReferenceModel(long seed, int slots, long tick, long startNs) {
        wheel = new TimingWheel(slots, tick, startNs);
        model = new TreeSet<>(ORDER);
        linked = new ArrayList<>();
        random = new SplittableRandom(seed);
        tickNs = tick;
        nowNs = startNs;

        for (int step = 0; step < 30_000; step++) {
            int op = random.nextInt(100);
            if (op < 45) {
                insert(new Node(names++), drawDeadline());
            } else if (op < 60) {
                removeRandom();
            } else if (op < 65) {
                reinsertRandom();
            } else {
                advanceAndPoll();
            }
            if (step % 499 == 0) {
                wheel.checkInvariants();
                assertThat(wheel.size()).isEqualTo(model.size());
                if (!model.isEmpty()) {
                    assertThat(wheel.nextDeadlineNs()).as("never sleeps past the next deadline")
                            .isLessThanOrEqualTo(model.first().deadline);
                }
            }
        }
        // Everything left comes out, in order, once time has passed every deadline.
        nowNs = Long.MAX_VALUE;
        pollAllDue();
        assertThat(model).isEmpty();
        assertThat(wheel.size()).isZero();
        assertThat(wheel.nextDeadlineNs()).isEqualTo(TimingWheel.NO_DEADLINE);
        wheel.checkInvariants();
    }

    private long drawDeadline() {
        int kind = random.nextInt(100);
        long delta;
        if (kind < 30) {
            // Crowded: a handful of exact deadlines, many equal.
            delta = (random.nextInt(4) + 1) * tickNs * 3 + random.nextInt(3);
        } else if (kind < 50) {
            delta = random.nextLong(Math.max(1, tickNs * 64));
        } else if (kind < 70) {
            // Any level.
            int bits = random.nextInt(62);
            delta = random.nextLong(1L << bits, 1L << (bits + 1));
        } else if (kind < 85) {
            // Already past: inserted after its deadline.
            delta = -random.nextLong(Math.max(1, tickNs * 200));
        } else if (kind < 90) {
            delta = 0;
        } else {
            return Long.MAX_VALUE - random.nextLong(1 + tickNs * 3);
        }
        long deadline = nowNs + delta;
        if (delta > 0 && deadline < 0) {
            return Long.MAX_VALUE;
        }
        return deadline;
    }

    private void insert(Node node, long deadline) {
        node.deadline = deadline;
        node.seq = seq++;
        wheel.insert(node, deadline);
        model.add(node);
        linked.add(node);
    }

    private void removeRandom() {
        if (linked.isEmpty()) {
            assertThat(wheel.remove(new Node(-1))).isFalse();
            return;
        }
        Node node = linked.remove(random.nextInt(linked.size()));
        assertThat(wheel.remove(node)).isTrue();
        assertThat(node.isLinked()).isFalse();
        model.remove(node);
    }

    private void reinsertRandom() {
        if (linked.isEmpty()) {
            return;
        }
        Node node = linked.get(random.nextInt(linked.size()));
        wheel.remove(node);
        model.remove(node);
        linked.remove(node);
        insert(node, drawDeadline());
    }

    private void advanceAndPoll() {
        int kind = random.nextInt(10);
        long step;
        if (kind < 6) {
            step = random.nextLong(1 + tickNs * 2);
        } else if (kind < 9) {
            step = random.nextLong(1 + tickNs * 100);
        } else {
            step = random.nextLong(1 + Math.min(Long.MAX_VALUE / 4, tickNs * 1_000_000));
        }
        nowNs = nowNs > Long.MAX_VALUE - step ? Long.MAX_VALUE : nowNs + step;
        pollAllDue();
    }

    private void pollAllDue() {
        while (true) {
            WheelNode polled = wheel.poll(nowNs);
            Node expected = model.isEmpty() || model.first().deadline > nowNs ? null : model.first();
            assertThat(polled).as("poll at %d", nowNs).isSameAs(expected);
            if (polled == null) {
                return;
            }
            model.remove(expected);
            linked.remove(expected);
            assertThat(polled.isLinked()).isFalse();
            // What a periodic timer or a re-armed connection does: go straight back in.
            if (random.nextInt(8) == 0) {
                insert(expected, drawDeadline());
            }
        }
    }
}
