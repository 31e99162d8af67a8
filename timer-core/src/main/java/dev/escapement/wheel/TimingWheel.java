package dev.escapement.wheel;

import dev.escapement.wheel.Level.Slot;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A hierarchical timing wheel that keeps exact deadlines, in the style of Varghese &amp; Lauck
 * (1987) and the Linux and tokio wheels.
 *
 * <p>Not thread-safe: confined to one owner thread. It knows nothing of clocks or threads: its
 * caller passes deadlines and "now" in nanoseconds since an origin of its choosing, and decides
 * when to {@link #poll}.
 *
 * <h2>Geometry</h2>
 * A tick is {@code tickNs} nanoseconds; a deadline belongs to tick {@code deadlineNs / tickNs}.
 * Levels of {@code 2^k} slots ({@code k} = bits per level, 1..6). A node whose tick is ahead of
 * the current tick goes to the level of the highest digit (base {@code 2^k}) in which the two
 * differ, tokio's rule; when a slot's start tick arrives, its nodes <em>cascade</em> into lower
 * levels. Enough levels cover 63 bits, so every deadline up to {@link Long#MAX_VALUE} has a place
 * and nothing needs an overflow list. At 64 slots and a 1 ms tick:
 * <pre>
 *   level  slot span      level span
 *     0    1 ms           64 ms
 *     1    64 ms          4.1 s
 *     2    4.1 s          4.4 min
 *     3    4.4 min        4.7 h
 *     4    4.7 h          12.4 days
 *     5    12.4 days      2.2 years
 *     6+   2.2 years ..   2^63 ticks
 * </pre>
 *
 * <h2>The current tick</h2>
 * Nodes whose tick is at or before the current tick sit in one list, sorted by deadline; nodes
 * with equal deadlines keep the order they were inserted in. When the wheel moves to a new tick,
 * the nodes that arrive there (from its level-0 slot and from cascades) are sorted once, with a
 * stable merge sort, and merged into that list. {@link #poll} takes nodes from its head while
 * their deadline has passed. So nodes come out in deadline order however late {@code poll} is
 * called (after a stall, or for a node inserted after its deadline), and a node is never
 * returned before its deadline.
 *
 * <h2>Costs</h2>
 * {@link #insert} is O(1) into a level; into the current tick's list it walks back from the tail
 * past the nodes with later deadlines in that tick (none, usually). {@link #remove} is O(1): the
 * lists are circular with a sentinel per slot, so a node is unlinked without knowing its slot.
 * Each node cascades at most once per level. {@link #nextDeadlineNs()} is O(1) but for a level-0
 * slot, which it scans for its earliest deadline. Nothing is allocated after construction.
 */
public final class TimingWheel {

    /** {@link #nextDeadlineNs()} of an empty wheel. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The default number of slots per level. */
    public static final int DEFAULT_SLOTS_PER_LEVEL = 64;
    /** The most slots per level: a level's occupancy bitmap is one {@code long}. */
    public static final int MAX_SLOTS_PER_LEVEL = 64;

    private final long tickNs;
    private final int bitsPerLevel;
    private final Level[] levels;
    /** Bit {@code L} set iff level {@code L} holds a node. */
    private long occupiedLevels;
    /** The sorted list of the nodes whose tick is at or before {@link #currentTick}. */
    private final Slot current = new Slot(null, -1);
    private long currentTick;
    private int size;
    private final long[] cascades;

    /** Nodes that reached the current tick during one step of {@link #poll}, chained by {@code next}. */
    private WheelNode arrivals;
    private WheelNode lastArrival;

    /**
     * Creates a wheel.
     *
     * @param slotsPerLevel a power of two from 2 to {@value #MAX_SLOTS_PER_LEVEL}
     * @param tickNs        the tick, {@code >= 1} nanosecond
     * @param startNs       the wheel's "now" at creation, {@code >= 0}
     * @throws IllegalArgumentException if a parameter is outside its range
     */
    public TimingWheel(int slotsPerLevel, long tickNs, long startNs) {
        checkSlotsPerLevel(slotsPerLevel);
        if (tickNs < 1) {
            throw new IllegalArgumentException("tickNs must be >= 1: " + tickNs);
        }
        if (startNs < 0) {
            throw new IllegalArgumentException("startNs must be >= 0: " + startNs);
        }
        this.tickNs = tickNs;
        this.bitsPerLevel = Integer.numberOfTrailingZeros(slotsPerLevel);
        int levelCount = levelCount(slotsPerLevel);
        this.levels = new Level[levelCount];
        for (int level = 0; level < levelCount; level++) {
            levels[level] = new Level(level, bitsPerLevel);
        }
        this.cascades = new long[levelCount];
        this.currentTick = startNs / tickNs;
    }

    /**
     * Validates a slots-per-level value.
     *
     * @param slotsPerLevel the value
     * @throws IllegalArgumentException unless it is a power of two from 2 to 64
     */
    public static void checkSlotsPerLevel(int slotsPerLevel) {
        if (slotsPerLevel < 2 || slotsPerLevel > MAX_SLOTS_PER_LEVEL || Integer.bitCount(slotsPerLevel) != 1) {
            throw new IllegalArgumentException(
                    "slotsPerLevel must be a power of two between 2 and " + MAX_SLOTS_PER_LEVEL + ": " + slotsPerLevel);
        }
    }

    /**
     * @param slotsPerLevel a valid slots-per-level value
     * @return how many levels cover every tick up to {@link Long#MAX_VALUE}
     */
    public static int levelCount(int slotsPerLevel) {
        checkSlotsPerLevel(slotsPerLevel);
        int bits = Integer.numberOfTrailingZeros(slotsPerLevel);
        return (63 + bits - 1) / bits;
    }

    // ------------------------------------------------------------------ insert and remove

    /**
     * Links a node at a deadline. A deadline at or before the current tick goes to the current
     * tick's list, in deadline order, and is returned by the next {@link #poll} that reaches it.
     *
     * @param node       a node not in any wheel
     * @param deadlineNs its deadline; any value (a negative one is long past)
     * @throws IllegalStateException if the node is already linked
     */
    public void insert(WheelNode node, long deadlineNs) {
        if (node.next != null) {
            throw new IllegalStateException("node is already in a wheel: " + node);
        }
        node.deadlineNs = deadlineNs;
        place(node);
        size++;
    }

    /**
     * Unlinks a node, wherever it is.
     *
     * @param node a node
     * @return false if it was not linked
     */
    public boolean remove(WheelNode node) {
        if (node.next == null) {
            return false;
        }
        unlink(node);
        size--;
        return true;
    }

    private void place(WheelNode node) {
        long deadlineNs = node.deadlineNs;
        long tick = tickOf(deadlineNs);
        if (tick <= currentTick) {
            insertSorted(node, deadlineNs);
            return;
        }
        int level = (63 - Long.numberOfLeadingZeros(currentTick ^ tick)) / bitsPerLevel;
        Level target = levels[level];
        target.append(target.slotOf(tick), node);
        occupiedLevels |= 1L << level;
    }

    /** Into the current tick's list after every node with a deadline at or before this one. */
    private void insertSorted(WheelNode node, long deadlineNs) {
        WheelNode after = current.prev;
        while (after != current && after.deadlineNs > deadlineNs) {
            after = after.prev;
        }
        current.insertAfter(after, node);
    }

    private void unlink(WheelNode node) {
        WheelNode before = node.prev;
        WheelNode after = node.next;
        before.next = after;
        after.prev = before;
        node.next = null;
        node.prev = null;
        if (before == after && before instanceof Slot slot && slot.level != null) {
            Level level = slot.level;
            level.occupied &= ~(1L << slot.index);
            if (level.occupied == 0) {
                occupiedLevels &= ~(1L << level.index);
            }
        }
    }

    // ------------------------------------------------------------------ expiry

    /**
     * Takes the next node whose deadline is at or before {@code nowNs}, in deadline order, moving
     * the wheel forward (cascading higher-level slots) as far as needed. Call it repeatedly to
     * expire everything due; its caller bounds how many it takes in one go.
     *
     * @param nowNs "now", in the wheel's nanoseconds; never less than in an earlier call
     * @return the node, unlinked, or null if nothing is due
     */
    public WheelNode poll(long nowNs) {
        long nowTick = tickOf(nowNs);
        while (true) {
            WheelNode head = current.next;
            if (head != current) {
                if (head.deadlineNs > nowNs) {
                    return null;
                }
                unlink(head);
                size--;
                return head;
            }
            if (occupiedLevels == 0) {
                currentTick = Math.max(currentTick, nowTick);
                return null;
            }
            Level level = levels[Long.numberOfTrailingZeros(occupiedLevels)];
            long start = level.nextSlotStart(currentTick);
            if (start > nowTick) {
                currentTick = Math.max(currentTick, nowTick);
                return null;
            }
            currentTick = start;
            openSlot(level, level.slotOf(start));
        }
    }

    /**
     * Moves the nodes of a slot whose start has arrived: those due in the current tick join its
     * list (sorted), the others go down to lower levels.
     */
    private void openSlot(Level level, int slotIndex) {
        Slot slot = level.slot(slotIndex);
        WheelNode node = slot.detachAll();
        level.occupied &= ~(1L << slotIndex);
        if (level.occupied == 0) {
            occupiedLevels &= ~(1L << level.index);
        }
        while (node != slot) {
            WheelNode following = node.next;
            if (tickOf(node.deadlineNs) <= currentTick) {
                node.next = null;
                if (arrivals == null) {
                    arrivals = node;
                } else {
                    lastArrival.next = node;
                }
                lastArrival = node;
            } else {
                node.next = null;
                node.prev = null;
                cascades[level.index]++;
                place(node);
            }
            node = following;
        }
        if (arrivals != null) {
            mergeIntoCurrent(DeadlineSort.sort(arrivals));
            arrivals = null;
            lastArrival = null;
        }
    }

    /** Merges a sorted chain (by {@code next}, null-terminated) into the current tick's list. */
    private void mergeIntoCurrent(WheelNode chain) {
        WheelNode cursor = current.next;
        while (chain != null) {
            WheelNode following = chain.next;
            while (cursor != current && cursor.deadlineNs <= chain.deadlineNs) {
                cursor = cursor.next;
            }
            current.insertAfter(cursor.prev, chain);
            chain = following;
        }
    }

    /**
     * The earliest moment at which {@link #poll} has work: the head's deadline of the current
     * tick's list; else the earliest deadline of the next level-0 slot (found by a scan of that
     * slot); else the start of the next higher-level slot, where it cascades, which may come
     * before its nodes' deadlines (one early wake-up per level a node descends).
     *
     * @return nanoseconds in the wheel's time, or {@link #NO_DEADLINE} if the wheel is empty
     */
    public long nextDeadlineNs() {
        WheelNode head = current.next;
        if (head != current) {
            return head.deadlineNs;
        }
        if (occupiedLevels == 0) {
            return NO_DEADLINE;
        }
        Level level = levels[Long.numberOfTrailingZeros(occupiedLevels)];
        long start = level.nextSlotStart(currentTick);
        if (level.index > 0) {
            return start * tickNs;
        }
        Slot slot = level.slot(level.slotOf(start));
        long earliestNs = Long.MAX_VALUE;
        for (WheelNode node = slot.next; node != slot; node = node.next) {
            earliestNs = Math.min(earliestNs, node.deadlineNs);
        }
        return earliestNs;
    }

    // ------------------------------------------------------------------ deadline windows

    /**
     * Chooses a tick inside {@code [earliestTick, latestTick]} that a wheel at {@code currentTick}
     * expires with as few cascades as possible: the start of the coarsest slot inside the window,
     * which is linked straight into its level and never cascades (such a tick has only zeros
     * below its own level). Timers with similar windows land on the same tick. A window holding
     * no slot start (narrow, and far compared with its width) gets its most aligned tick. A window
     * at least as wide as the slot span of the level its earliest tick falls in always holds a
     * slot start. A pure function, so any thread may call it with a current tick it has read.
     *
     * @param currentTick   the wheel's current tick (or an earlier reading of it)
     * @param earliestTick  the earliest acceptable tick
     * @param latestTick    the latest acceptable tick, {@code >= earliestTick}
     * @param slotsPerLevel the wheel's slots per level
     * @return a tick in the window; {@code earliestTick} if it is not ahead of {@code currentTick}
     */
    public static long windowTick(long currentTick, long earliestTick, long latestTick, int slotsPerLevel) {
        if (latestTick < earliestTick) {
            throw new IllegalArgumentException(
                    "latestTick must not be before earliestTick: " + latestTick + " < " + earliestTick);
        }
        int bits = Integer.numberOfTrailingZeros(slotsPerLevel);
        if (earliestTick <= currentTick) {
            return earliestTick;
        }
        long mostAligned = -1;
        for (int level = levelCount(slotsPerLevel) - 1; level > 0; level--) {
            int shift = level * bits;
            long aligned = ((earliestTick - 1) >>> shift) + 1;
            if (aligned > (Long.MAX_VALUE >>> shift)) {
                continue;
            }
            long candidate = aligned << shift;
            if (candidate > latestTick) {
                continue;
            }
            // The candidate of a level is a slot start whenever that level has one in the window.
            int candidateLevel = (63 - Long.numberOfLeadingZeros(currentTick ^ candidate)) / bits;
            if ((candidate & ((1L << (candidateLevel * bits)) - 1)) == 0) {
                return candidate;
            }
            if (mostAligned < 0) {
                mostAligned = candidate;
            }
        }
        return mostAligned >= 0 ? mostAligned : earliestTick;
    }

    // ------------------------------------------------------------------ inspection

    /**
     * @param deadlineNs a deadline in the wheel's nanoseconds
     * @return its tick; a negative deadline gives a negative tick, which is always past
     */
    public long tickOf(long deadlineNs) {
        return deadlineNs < 0 ? -1 : deadlineNs / tickNs;
    }

    /** @return the tick the wheel has moved to */
    public long currentTick() {
        return currentTick;
    }

    /** @return the number of nodes linked */
    public int size() {
        return size;
    }

    /** @return the tick, in nanoseconds */
    public long tickNs() {
        return tickNs;
    }

    /** @return the number of levels */
    public int levels() {
        return levels.length;
    }

    /** @return slots per level */
    public int slotsPerLevel() {
        return 1 << bitsPerLevel;
    }

    /**
     * @param level a level, 0 to {@link #levels()} - 1
     * @return how many nodes have cascaded from that level into a lower one (nodes due at the
     *         slot's start are not counted: they move straight to the current tick)
     */
    public long cascades(int level) {
        return cascades[level];
    }

    /**
     * Visits every linked node: the current tick's list first, then level by level. The visitor
     * must not change the wheel.
     *
     * @param visitor receives each node
     */
    public void forEach(Consumer<? super WheelNode> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        visitList(current, visitor);
        for (Level level : levels) {
            for (long bits = level.occupied; bits != 0; bits &= bits - 1) {
                visitList(level.slot(Long.numberOfTrailingZeros(bits)), visitor);
            }
        }
    }

    private static void visitList(Slot slot, Consumer<? super WheelNode> visitor) {
        for (WheelNode node = slot.next; node != slot; node = node.next) {
            visitor.accept(node);
        }
    }

    /**
     * Unlinks every node, handing each to {@code sink} after it is unlinked: the current tick's
     * list first, then level by level. The sink may insert nodes again only into another wheel.
     *
     * @param sink receives each node
     * @return how many nodes were removed
     */
    public int clear(Consumer<? super WheelNode> sink) {
        Objects.requireNonNull(sink, "sink");
        int removed = clearList(current, sink);
        for (Level level : levels) {
            while (level.occupied != 0) {
                removed += clearList(level.slot(Long.numberOfTrailingZeros(level.occupied)), sink);
            }
        }
        return removed;
    }

    private int clearList(Slot slot, Consumer<? super WheelNode> sink) {
        int removed = 0;
        while (!slot.isEmpty()) {
            WheelNode node = slot.next;
            unlink(node);
            size--;
            removed++;
            sink.accept(node);
        }
        return removed;
    }

    /**
     * Checks every structural invariant and throws {@link IllegalStateException} naming the first
     * one broken; see {@link WheelDebug#checkInvariants}. O(size); for tests and debugging.
     */
    public void checkInvariants() {
        WheelDebug.checkInvariants(this);
    }

    /**
     * A readable picture; see {@link WheelDebug#describe}. O(size).
     *
     * @param maxSlotsPerLevel occupied slots to list per level before eliding
     * @return a multi-line description
     */
    public String toDebugString(int maxSlotsPerLevel) {
        return WheelDebug.describe(this, maxSlotsPerLevel);
    }

    // Package-private views for WheelDebug.

    Slot currentList() {
        return current;
    }

    Level level(int index) {
        return levels[index];
    }

    long occupiedLevels() {
        return occupiedLevels;
    }

    int bitsPerLevel() {
        return bitsPerLevel;
    }

    @Override
    public String toString() {
        return "TimingWheel[tick=" + currentTick + ", size=" + size + ", levels=" + levels.length
                + "x" + slotsPerLevel() + "]";
    }
}
