package dev.escapement.wheel;

import static dev.escapement.wheel.EntryStore.NIL;

/**
 * One level of a {@link TimingWheel}: {@code 2^k} slots, each an intrusive FIFO list of entries
 * threaded through the {@link EntryStore}'s {@code next}/{@code prev} arrays, and an occupancy
 * bitmap with one bit per non-empty slot.
 *
 * <p>Not thread-safe: confined to the wheel's owner thread.
 *
 * <p>Level {@code L} slot {@code s} holds the entries whose deadline tick has digit {@code s} in
 * position {@code L} (base {@code 2^k}) and agrees with the wheel's current tick on every higher
 * digit. The slot's <em>start</em> is that deadline with all lower digits zero: the tick at which
 * the slot must be expired (level 0) or cascaded (higher levels). The same class also serves as
 * the wheel's one-slot list of due entries.
 */
final class Level {

    final int level;
    /** {@code level * bitsPerLevel}: the position of this level's digit in a tick. */
    final int shift;
    private final int slotMask;
    /** Mask that keeps the digits above this level, or 0 where this level is the top one. */
    private final long blockMask;
    private final int[] heads;
    private final int[] tails;
    private final int[] counts;
    /** Bit {@code s} set iff slot {@code s} is non-empty. */
    private long occupied;

    Level(int level, int bitsPerLevel) {
        this.level = level;
        this.shift = level * bitsPerLevel;
        int slots = 1 << bitsPerLevel;
        this.slotMask = slots - 1;
        int blockShift = shift + bitsPerLevel;
        this.blockMask = blockShift >= 63 ? 0L : -(1L << blockShift);
        this.heads = new int[slots];
        this.tails = new int[slots];
        this.counts = new int[slots];
        java.util.Arrays.fill(heads, NIL);
        java.util.Arrays.fill(tails, NIL);
    }

    /** A one-slot list: the wheel's entries that are due now. */
    static Level dueList() {
        return new Level(-1, 0);
    }

    int slots() {
        return slotMask + 1;
    }

    int slotOf(long tick) {
        return (int) ((tick >>> shift) & slotMask);
    }

    boolean isEmpty() {
        return occupied == 0;
    }

    long occupiedSlots() {
        return occupied;
    }

    int head(int slot) {
        return heads[slot];
    }

    int count(int slot) {
        return counts[slot];
    }

    /**
     * The start tick of the first non-empty slot at or after the slot {@code elapsedTick} falls
     * in, or -1 if the level is empty.
     */
    long nextSlotStart(long elapsedTick) {
        if (occupied == 0) {
            return -1;
        }
        int current = slotOf(elapsedTick);
        long ahead = occupied & (-1L << current);
        // Every occupied slot lies ahead of the current one (TimingWheel's invariant), so
        // "ahead" is never empty here; the fallback keeps a broken invariant from looping.
        int slot = Long.numberOfTrailingZeros(ahead != 0 ? ahead : occupied);
        return (elapsedTick & blockMask) + ((long) slot << shift);
    }

    void append(EntryStore store, int slot, int entry) {
        int tail = tails[slot];
        store.links(entry, NIL, tail);
        if (tail == NIL) {
            heads[slot] = entry;
            occupied |= 1L << slot;
        } else {
            store.next(tail, entry);
        }
        tails[slot] = entry;
        counts[slot]++;
    }

    void unlink(EntryStore store, int slot, int entry) {
        int prev = store.prev(entry);
        int next = store.next(entry);
        if (prev == NIL) {
            heads[slot] = next;
        } else {
            store.next(prev, next);
        }
        if (next == NIL) {
            tails[slot] = prev;
        } else {
            store.prev(next, prev);
        }
        if (--counts[slot] == 0) {
            occupied &= ~(1L << slot);
        }
    }

    /** Removes and returns the first entry of {@code slot}, or {@link EntryStore#NIL}. */
    int pollFirst(EntryStore store, int slot) {
        int entry = heads[slot];
        if (entry != NIL) {
            unlink(store, slot, entry);
        }
        return entry;
    }

    /** Empties {@code slot} and returns its former head; the entries keep their links. */
    int detachAll(int slot) {
        int head = heads[slot];
        heads[slot] = NIL;
        tails[slot] = NIL;
        counts[slot] = 0;
        occupied &= ~(1L << slot);
        return head;
    }
}
