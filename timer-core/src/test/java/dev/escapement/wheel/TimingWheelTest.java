package dev.escapement.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimingWheelTest {

    private static final long MS = 1_000_000;

    static final class Node extends WheelNode {
        final String name;

        Node(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final TimingWheel wheel = new TimingWheel(64, MS, 0);

    private List<String> pollAll(long nowNs) {
        List<String> out = new ArrayList<>();
        for (WheelNode node = wheel.poll(nowNs); node != null; node = wheel.poll(nowNs)) {
            out.add(node.toString());
        }
        return out;
    }

    @Test
    void nodesComeOutInDeadlineOrderHoweverLateThePoll() {
        wheel.insert(new Node("a"), 10 * MS);
        wheel.insert(new Node("b"), 6 * MS);
        wheel.insert(new Node("c"), 6 * MS + 1);
        wheel.insert(new Node("d"), 9_000 * MS);
        assertThat(pollAll(20 * MS)).containsExactly("b", "c", "a");
        assertThat(pollAll(10_000 * MS)).containsExactly("d");
    }

    @Test
    void aNodeInsertedAfterItsDeadlineTakesItsPlaceByDeadline() {
        wheel.insert(new Node("late"), 15 * MS);
        assertThat(pollAll(12 * MS)).isEmpty();
        // The wheel is at tick 12; these deadlines are behind it.
        wheel.insert(new Node("b"), 11 * MS);
        wheel.insert(new Node("a"), 3 * MS);
        wheel.insert(new Node("due-now"), 12 * MS);
        assertThat(pollAll(20 * MS)).containsExactly("a", "b", "due-now", "late");
    }

    @Test
    void neverReturnsANodeBeforeItsExactDeadline() {
        wheel.insert(new Node("x"), 5 * MS + 400_000);
        assertThat(pollAll(5 * MS)).isEmpty();
        assertThat(pollAll(5 * MS + 399_999)).isEmpty();
        assertThat(wheel.nextDeadlineNs()).isEqualTo(5 * MS + 400_000);
        assertThat(pollAll(5 * MS + 400_000)).containsExactly("x");
    }

    @Test
    void equalDeadlinesComeOutInInsertionOrderAcrossLevelsAndCascades() {
        long deadline = 70_000 * MS + 123;
        for (int i = 0; i < 5; i++) {
            wheel.insert(new Node("far" + i), deadline);
        }
        assertThat(pollAll(60_000 * MS)).isEmpty();
        for (int i = 0; i < 5; i++) {
            wheel.insert(new Node("near" + i), deadline);
        }
        assertThat(pollAll(deadline)).containsExactly("far0", "far1", "far2", "far3", "far4",
                "near0", "near1", "near2", "near3", "near4");
    }

    @Test
    void sameTickDifferentDeadlinesComeOutByDeadlineNotByInsertion() {
        wheel.insert(new Node("late-in-tick"), 3 * MS + 900_000);
        wheel.insert(new Node("early-in-tick"), 3 * MS + 100_000);
        assertThat(pollAll(3 * MS + 500_000)).containsExactly("early-in-tick");
        assertThat(pollAll(4 * MS)).containsExactly("late-in-tick");
    }

    @Test
    void nextDeadlineIsExactInLevelZeroAndTheCascadePointAbove() {
        assertThat(wheel.nextDeadlineNs()).isEqualTo(TimingWheel.NO_DEADLINE);
        wheel.insert(new Node("level0"), 40 * MS + 7);
        wheel.insert(new Node("level0-earlier"), 40 * MS + 3);
        assertThat(wheel.nextDeadlineNs()).isEqualTo(40 * MS + 3);
        TimingWheel other = new TimingWheel(64, MS, 0);
        other.insert(new Node("level1"), 200 * MS + 5);
        // Level 1 slot [192, 256) ms: the wheel must wake at its start to cascade.
        assertThat(other.nextDeadlineNs()).isEqualTo(192 * MS);
        assertThat(other.poll(192 * MS)).isNull();
        assertThat(other.nextDeadlineNs()).isEqualTo(200 * MS + 5);
        assertThat(other.cascades(1)).isEqualTo(1);
    }

    @Test
    void removeUnlinksFromAnyListAndClearsOccupancy() {
        Node current = new Node("current");
        Node level0 = new Node("level0");
        Node level3 = new Node("level3");
        wheel.insert(level0, 30 * MS);
        wheel.insert(level3, 1_000_000 * MS);
        assertThat(pollAll(0)).isEmpty();
        wheel.insert(current, 0);
        assertThat(wheel.remove(current)).isTrue();
        assertThat(wheel.remove(current)).isFalse();
        assertThat(wheel.remove(level0)).isTrue();
        assertThat(wheel.remove(level3)).isTrue();
        assertThat(wheel.size()).isZero();
        assertThat(wheel.nextDeadlineNs()).isEqualTo(TimingWheel.NO_DEADLINE);
        wheel.checkInvariants();
    }

    @Test
    void aLinkedNodeCannotBeInsertedTwice() {
        Node node = new Node("n");
        wheel.insert(node, 5 * MS);
        assertThatThrownBy(() -> wheel.insert(node, 6 * MS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deadlinesNearTheEndOfTimeAreHeldAndOrdered() {
        TimingWheel edge = new TimingWheel(64, 1, Long.MAX_VALUE - 100);
        edge.insert(new Node("max"), Long.MAX_VALUE);
        edge.insert(new Node("max-1"), Long.MAX_VALUE - 1);
        edge.insert(new Node("past"), Long.MAX_VALUE - 200);
        edge.checkInvariants();
        List<String> out = new ArrayList<>();
        for (WheelNode node = edge.poll(Long.MAX_VALUE); node != null; node = edge.poll(Long.MAX_VALUE)) {
            out.add(node.toString());
        }
        assertThat(out).containsExactly("past", "max-1", "max");
    }

    @ParameterizedTest(name = "{0} slots per level")
    @ValueSource(ints = {2, 4, 8, 16, 32, 64})
    void everyGeometryCoversEveryDeadline(int slots) {
        TimingWheel small = new TimingWheel(slots, 1, 0);
        long[] deadlines = {1, 2, 3, 63, 64, 65, 1L << 20, (1L << 40) + 3, Long.MAX_VALUE / 3, Long.MAX_VALUE};
        for (long deadline : deadlines) {
            small.insert(new Node(Long.toString(deadline)), deadline);
        }
        small.checkInvariants();
        List<String> out = new ArrayList<>();
        for (long deadline : deadlines) {
            WheelNode node = small.poll(deadline);
            out.add(String.valueOf(node));
            assertThat(small.poll(deadline)).isNull();
        }
        assertThat(out).containsExactly(java.util.Arrays.stream(deadlines).mapToObj(Long::toString).toArray(String[]::new));
    }

    @Test
    void badGeometryIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> new TimingWheel(100, MS, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slotsPerLevel must be a power of two between 2 and 64: 100");
        assertThatThrownBy(() -> new TimingWheel(64, 0, 0)).hasMessage("tickNs must be >= 1: 0");
        assertThatThrownBy(() -> new TimingWheel(64, MS, -1)).hasMessage("startNs must be >= 0: -1");
        assertThat(TimingWheel.levelCount(64)).isEqualTo(11);
        assertThat(TimingWheel.levelCount(2)).isEqualTo(63);
    }

    @Test
    void windowTickPicksTheCoarsestSlotStartInsideTheWindow() {
        assertThat(TimingWheel.windowTick(100, 5_000, 9_000, 64)).isEqualTo(8_192);
        // No slot start in [5000, 5100] seen from 100: the most aligned tick, one cascade away.
        assertThat(TimingWheel.windowTick(100, 5_000, 5_100, 64)).isEqualTo(5_056);
        assertThat(TimingWheel.windowTick(100, 5_000, 5_050, 64)).isEqualTo(5_000);
        assertThat(TimingWheel.windowTick(100, 5_000, 5_000, 64)).isEqualTo(5_000);
        assertThat(TimingWheel.windowTick(100, 50, 70, 64)).isEqualTo(50);
        assertThat(TimingWheel.windowTick(0, 1, Long.MAX_VALUE, 64)).isEqualTo(1L << 60);
        assertThatThrownBy(() -> TimingWheel.windowTick(0, 10, 9, 64)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWindowTickAsWideAsItsSlotNeverCascades() {
        TimingWheel level2 = new TimingWheel(64, MS, 0);
        long tick = TimingWheel.windowTick(0, 30_000, 35_000, 64);
        level2.insert(new Node("idle"), tick * MS);
        assertThat(level2.poll(tick * MS)).isNotNull();
        for (int level = 0; level < level2.levels(); level++) {
            assertThat(level2.cascades(level)).as("cascades at level %d", level).isZero();
        }
    }

    @Test
    void clearHandsEveryNodeOver() {
        for (int i = 0; i < 100; i++) {
            wheel.insert(new Node("n" + i), (long) i * i * MS);
        }
        pollAll(0);
        List<WheelNode> cleared = new ArrayList<>();
        assertThat(wheel.clear(cleared::add)).isEqualTo(99);
        assertThat(cleared).hasSize(99).allMatch(node -> !node.isLinked());
        assertThat(wheel.size()).isZero();
        wheel.checkInvariants();
    }

    @Test
    void theSortIsStableAndHandlesRuns() {
        Node[] nodes = new Node[200];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        Node head = null;
        for (int i = nodes.length - 1; i >= 0; i--) {
            nodes[i] = new Node(Integer.toString(i));
            nodes[i].deadlineNs = random.nextInt(20);
            nodes[i].next = head;
            head = nodes[i];
        }
        List<Node> expected = new ArrayList<>(List.of(nodes));
        expected.sort(java.util.Comparator.comparingLong(n -> n.deadlineNs));
        List<WheelNode> sorted = new ArrayList<>();
        for (WheelNode node = DeadlineSort.sort(head); node != null; node = node.next) {
            sorted.add(node);
        }
        assertThat(sorted).containsExactlyElementsOf(expected);
    }

    @Test
    void debugStringShowsLevelsAndCounts() {
        wheel.insert(new Node("a"), 30 * MS);
        wheel.insert(new Node("b"), 30 * MS);
        wheel.insert(new Node("c"), 100_000 * MS);
        assertThat(wheel.toDebugString(16)).contains("size=3").contains("level 0").contains("=2").contains("level 2");
    }
}
