package dev.escapement.wheel;

/**
 * One level of a {@link TimingWheel}: {@code 2^k} slots, each a circular list threaded through
 * its nodes and closed by a {@link Slot} sentinel, and a bitmap with one bit per non-empty slot.
 *
 * <p>Not thread-safe: confined to the wheel's owner thread.
 *
 * <p>Level {@code L} slot {@code s} holds the nodes whose deadline tick has digit {@code s} in
 * position {@code L} (base {@code 2^k}) and agrees with the wheel's current tick on every higher
 * digit. The slot's <em>start</em> is that tick with every lower digit zero: where the slot is
 * cascaded into lower levels (or, on level 0, opened).
 */
final class Level {

    final int index;
    /** {@code index * bitsPerLevel}: the position of this level's digit in a tick. */
    final int shift;
    private final int slotMask;
    /** Keeps the digits above this level; 0 where this level is the top one. */
    private final long higherDigitsMask;
    private final Slot[] slots;
    /** Bit {@code s} set iff slot {@code s} is non-empty. */
    long occupied;

    Level(int index, int bitsPerLevel) {
        this.index = index;
        this.shift = index * bitsPerLevel;
        int count = 1 << bitsPerLevel;
        this.slotMask = count - 1;
        int higherShift = shift + bitsPerLevel;
        this.higherDigitsMask = higherShift >= 63 ? 0L : -(1L << higherShift);
        this.slots = new Slot[count];
        for (int s = 0; s < count; s++) {
            slots[s] = new Slot(this, s);
        }
    }

    int slotOf(long tick) {
        return (int) ((tick >>> shift) & slotMask);
    }

    Slot slot(int slot) {
        return slots[slot];
    }

    int slotCount() {
        return slotMask + 1;
    }

    /**
     * The start tick of the first non-empty slot. Every non-empty slot lies ahead of the slot the
     * current tick falls in (the wheel cascades a slot when its start arrives), so the first
     * non-empty slot is the next one.
     */
    long nextSlotStart(long currentTick) {
        int slot = Long.numberOfTrailingZeros(occupied);
        return (currentTick & higherDigitsMask) + ((long) slot << shift);
    }

    void append(int slot, WheelNode node) {
        slots[slot].append(node);
        occupied |= 1L << slot;
    }

    /** A slot's sentinel closes a circular list; it knows its level so an emptied slot clears its bit. */
    static final class Slot extends WheelNode {

        /** The level, or null for the wheel's list of the current tick. */
        final Level level;
        final int index;

        Slot(Level level, int index) {
            this.level = level;
            this.index = index;
            next = this;
            prev = this;
        }

        boolean isEmpty() {
            return next == this;
        }

        void append(WheelNode node) {
            WheelNode tail = prev;
            node.prev = tail;
            node.next = this;
            tail.next = node;
            prev = node;
        }

        /** Inserts {@code node} after {@code after}, a node of this list or the sentinel itself. */
        void insertAfter(WheelNode after, WheelNode node) {
            WheelNode following = after.next;
            node.prev = after;
            node.next = following;
            after.next = node;
            following.prev = node;
        }

        /** Empties the list and returns its first node; the nodes keep their links, the last one's next is this sentinel. */
        WheelNode detachAll() {
            WheelNode first = next;
            next = this;
            prev = this;
            return first;
        }
    }
}
