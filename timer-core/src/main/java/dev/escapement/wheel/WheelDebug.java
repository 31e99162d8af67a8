package dev.escapement.wheel;

import dev.escapement.wheel.Level.Slot;

/**
 * The debugging helpers of a {@link TimingWheel}, beside it: a structural check for tests and a
 * readable picture for {@code dump()}. Both walk every node, O(size).
 *
 * <p>Not thread-safe: called on the wheel's owner thread.
 */
final class WheelDebug {

    private static final int BUSIEST = 5;

    private WheelDebug() {
    }

    /**
     * Throws {@link IllegalStateException} naming the first invariant broken: links agree both
     * ways, each node sits in the slot its deadline maps to from the current tick, slots lie ahead
     * of the current tick, occupancy bits match non-empty slots, the current tick's list is sorted
     * and holds no tick ahead of the current one, and the size adds up.
     */
    static void checkInvariants(TimingWheel wheel) {
        long currentTick = wheel.currentTick();
        int counted = 0;
        long previousNs = Long.MIN_VALUE;
        Slot current = wheel.currentList();
        for (WheelNode node = current.next; node != current; node = node.next) {
            checkLinks(node);
            if (node.deadlineNs < previousNs) {
                throw new IllegalStateException("the current tick's list is out of order at " + node.deadlineNs
                        + " after " + previousNs);
            }
            if (wheel.tickOf(node.deadlineNs) > currentTick) {
                throw new IllegalStateException("deadline " + node.deadlineNs + " (tick " + wheel.tickOf(node.deadlineNs)
                        + ") is in the list of the current tick " + currentTick);
            }
            previousNs = node.deadlineNs;
            counted++;
        }
        for (int index = 0; index < wheel.levels(); index++) {
            Level level = wheel.level(index);
            for (int s = 0; s < level.slotCount(); s++) {
                Slot slot = level.slot(s);
                boolean bit = (level.occupied & (1L << s)) != 0;
                if (bit == slot.isEmpty()) {
                    throw new IllegalStateException("level " + index + " slot " + s + ": occupancy bit " + bit
                            + " but empty " + slot.isEmpty());
                }
                for (WheelNode node = slot.next; node != slot; node = node.next) {
                    checkLinks(node);
                    long tick = wheel.tickOf(node.deadlineNs);
                    if (tick <= currentTick) {
                        throw new IllegalStateException("deadline tick " + tick + " in level " + index
                                + " at current tick " + currentTick);
                    }
                    int expected = (63 - Long.numberOfLeadingZeros(currentTick ^ tick)) / wheel.bitsPerLevel();
                    if (expected != index || level.slotOf(tick) != s) {
                        throw new IllegalStateException("deadline tick " + tick + " belongs in level " + expected
                                + " slot " + wheel.level(expected).slotOf(tick) + ", found in level " + index + " slot " + s);
                    }
                    counted++;
                }
            }
            if (((wheel.occupiedLevels() >>> index) & 1) != (level.occupied != 0 ? 1 : 0)) {
                throw new IllegalStateException("level " + index + ": level bit disagrees with its slots");
            }
        }
        if (counted != wheel.size()) {
            throw new IllegalStateException("size is " + wheel.size() + " but the lists hold " + counted);
        }
    }

    private static void checkLinks(WheelNode node) {
        if (node.next == null || node.prev == null || node.next.prev != node || node.prev.next != node) {
            throw new IllegalStateException("broken links around a node at " + node.deadlineNs);
        }
    }

    /**
     * The current tick and its list's length, per non-empty level its occupied slots with their
     * node counts (at most {@code maxSlotsPerLevel}), and the {@value #BUSIEST} busiest slots.
     */
    static String describe(TimingWheel wheel, int maxSlotsPerLevel) {
        StringBuilder out = new StringBuilder(256);
        long next = wheel.nextDeadlineNs();
        out.append("TimingWheel tick=").append(wheel.currentTick()).append(" (").append(wheel.tickNs()).append(" ns)")
                .append(" size=").append(wheel.size())
                .append(" current=").append(count(wheel.currentList()))
                .append(" next=").append(next == TimingWheel.NO_DEADLINE ? "none" : next + " ns")
                .append(" levels=").append(wheel.levels()).append('x').append(wheel.slotsPerLevel()).append('\n');
        long[] busiest = new long[BUSIEST];
        for (int index = 0; index < wheel.levels(); index++) {
            Level level = wheel.level(index);
            if (level.occupied == 0) {
                continue;
            }
            out.append("  level ").append(index).append(" current=").append(level.slotOf(wheel.currentTick()))
                    .append(" cascades=").append(wheel.cascades(index)).append(" slots:");
            int listed = 0;
            int more = 0;
            for (long bits = level.occupied; bits != 0; bits &= bits - 1) {
                int s = Long.numberOfTrailingZeros(bits);
                int count = count(level.slot(s));
                keepBusiest(busiest, (long) count << 32 | (long) index << 16 | s);
                if (listed++ < maxSlotsPerLevel) {
                    out.append(' ').append(s).append('=').append(count);
                } else {
                    more++;
                }
            }
            if (more > 0) {
                out.append(" ... +").append(more).append(" more");
            }
            out.append('\n');
        }
        if (busiest[0] != 0) {
            out.append("  busiest:");
            for (int i = 0; i < BUSIEST && busiest[i] != 0; i++) {
                out.append(i == 0 ? " " : ", ").append("level ").append((busiest[i] >>> 16) & 0xFFFF)
                        .append(" slot ").append(busiest[i] & 0xFFFF).append('=').append(busiest[i] >>> 32);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Keeps the largest keys in descending order; a key packs count, level and slot. */
    private static void keepBusiest(long[] busiest, long key) {
        if (key <= busiest[busiest.length - 1]) {
            return;
        }
        int i = busiest.length - 1;
        while (i > 0 && busiest[i - 1] < key) {
            busiest[i] = busiest[i - 1];
            i--;
        }
        busiest[i] = key;
    }

    private static int count(Slot slot) {
        int count = 0;
        for (WheelNode node = slot.next; node != slot; node = node.next) {
            count++;
        }
        return count;
    }
}
