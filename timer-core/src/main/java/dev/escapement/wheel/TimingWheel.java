package dev.escapement.wheel;

import static dev.escapement.wheel.EntryStore.CANCELLED;
import static dev.escapement.wheel.EntryStore.DETACHED;
import static dev.escapement.wheel.EntryStore.FIRED;
import static dev.escapement.wheel.EntryStore.MOVING;
import static dev.escapement.wheel.EntryStore.NIL;
import static dev.escapement.wheel.EntryStore.PENDING;
import static dev.escapement.wheel.EntryStore.RUNNING;

import java.util.Objects;

/**
 * A hierarchical timing wheel on integer ticks, in the style of Varghese &amp; Lauck (1987) and
 * the Linux and tokio timer wheels.
 *
 * <p>Not thread-safe: confined to one <em>owner</em> thread, except for the methods marked
 * "Any thread" ({@link #allocate}, {@link #markPending}, {@link #discard}, {@link #tryCancel},
 * {@link #isPending}, {@link #isLinked} and the other status methods), which let producers obtain
 * ids at once and race a cancel against an expiry with exactly one winner. The wheel knows nothing of clocks or threads:
 * its caller converts time to ticks and decides when to {@link #advance}.
 *
 * <h2>Geometry</h2>
 * Levels of {@code 2^k} slots ({@code k} = bits per level, 1..6). Level {@code L} slot {@code s}
 * holds the entries whose deadline differs from the current tick first in digit {@code L}. A
 * deadline goes to the level of its highest differing digit; when a higher-level slot's start
 * arrives, its entries <em>cascade</em> into lower levels, so every entry fires on its own tick,
 * never on a coarse slot boundary. With 64 slots and enough levels to cover 63 bits, any tick up
 * to {@link Long#MAX_VALUE} is accepted and nothing needs an overflow list. At the default 64
 * slots per level and a 1 ms tick:
 * <pre>
 *   level  slot span      level span
 *     0    1 ms           64 ms
 *     1    64 ms          4.1 s
 *     2    4.1 s          4.4 min
 *     3    4.4 min        4.7 h
 *     4    4.7 h          12.4 days
 *     5    12.4 days      2.2 years
 *     6    2.2 years      140 years
 *     7+   ...            up to 2^63 ticks (Long.MAX_VALUE ns is 292 years)
 * </pre>
 *
 * <h2>Costs</h2>
 * Schedule and cancel are O(1): an append to, or an unlink from, an intrusive doubly linked slot
 * list. Expiry is O(1) amortised per entry: an entry cascades at most once per level. Finding the
 * next deadline is O(1): a bitmap of non-empty levels and one of non-empty slots per level. No
 * allocation happens per schedule, cancel or expiry once the entry store has grown to the
 * population. {@link #advance} is bounded by its {@code limit} on expiries.
 *
 * <h2>Order</h2>
 * Entries expire in deadline order; entries with the same deadline tick expire in the order they
 * were scheduled (slot lists are FIFO and cascades preserve order).
 *
 * <h2>Ids</h2>
 * A {@code long} packing entry index and generation (see {@link EntryStore}): a stale id never
 * touches a reused entry, and {@link #NO_TIMER} (0) is never a valid id.
 */
public final class TimingWheel extends WheelProducerPadding {

    /** The id that names no timer. */
    public static final long NO_TIMER = 0L;
    /** Returned by {@link #nextDeadlineTick()} when the wheel is empty. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** The default number of slots per level. */
    public static final int DEFAULT_SLOTS_PER_LEVEL = 64;
    /** The most slots per level: the occupancy bitmap of a level is one {@code long}. */
    public static final int MAX_SLOTS_PER_LEVEL = 64;
    /** The most entries a wheel can hold. */
    public static final int MAX_CAPACITY = EntryStore.MAX_CAPACITY;

    private final int bitsPerLevel;
    private final int levelZeroMask;
    private final Level[] levels;
    private final Level due = Level.dueList();
    /** Bit {@code L} set iff level {@code L} holds an entry. */
    private long occupiedLevels;
    private final long[] cascades;

    private long elapsedTick;
    private int size;
    /** The entry whose handler is running inside {@link #advance}, or NIL. */
    private int expiringEntry = NIL;
    /** Whether the expiring entry was released by its handler (so the wheel must not again). */
    private boolean expiringReleased;

    /**
     * Creates a wheel.
     *
     * @param slotsPerLevel a power of two from 2 to {@value #MAX_SLOTS_PER_LEVEL}
     * @param capacity      the most entries held at once, 1 to {@link #MAX_CAPACITY}; storage grows
     *                      in chunks up to it
     * @param startTick     the wheel's current tick, {@code >= 0}
     * @throws IllegalArgumentException if a parameter is outside its range
     */
    public TimingWheel(int slotsPerLevel, int capacity, long startTick) {
        super(checkedStore(slotsPerLevel, capacity, startTick));
        this.bitsPerLevel = Integer.numberOfTrailingZeros(slotsPerLevel);
        this.levelZeroMask = slotsPerLevel - 1;
        int levelCount = levelCount(slotsPerLevel);
        this.levels = new Level[levelCount];
        for (int level = 0; level < levelCount; level++) {
            levels[level] = new Level(level, bitsPerLevel);
        }
        this.cascades = new long[levelCount];
        this.elapsedTick = startTick;
    }

    /** Validates the constructor's arguments, in their order, and creates the entry store. */
    private static EntryStore checkedStore(int slotsPerLevel, int capacity, long startTick) {
        checkSlotsPerLevel(slotsPerLevel);
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be between 1 and " + MAX_CAPACITY + ": " + capacity);
        }
        if (startTick < 0) {
            throw new IllegalArgumentException("startTick must be >= 0: " + startTick);
        }
        return new EntryStore(capacity);
    }

    /**
     * Validates a slots-per-level value.
     *
     * @param slotsPerLevel the value to check
     * @throws IllegalArgumentException unless it is a power of two from 2 to 64
     */
    public static void checkSlotsPerLevel(int slotsPerLevel) {
        if (slotsPerLevel < 2 || slotsPerLevel > MAX_SLOTS_PER_LEVEL || Integer.bitCount(slotsPerLevel) != 1) {
            throw new IllegalArgumentException(
                    "slotsPerLevel must be a power of two between 2 and " + MAX_SLOTS_PER_LEVEL + ": " + slotsPerLevel);
        }
    }

    /**
     * The number of levels a wheel with {@code slotsPerLevel} slots needs to cover every tick up to
     * {@link Long#MAX_VALUE}.
     *
     * @param slotsPerLevel a valid slots-per-level value
     * @return the level count
     */
    public static int levelCount(int slotsPerLevel) {
        checkSlotsPerLevel(slotsPerLevel);
        int bits = Integer.numberOfTrailingZeros(slotsPerLevel);
        return (63 + bits - 1) / bits;
    }

    // ------------------------------------------------------------------ owner-thread API

    /**
     * Schedules an entry. Owner thread.
     *
     * @param deadlineTick the tick to expire at; a tick at or before {@link #elapsedTick()} is due at
     *                     the next {@link #advance}
     * @param payload      any object, handed back to the {@link ExpiryHandler}; may be {@code null}
     * @return the new entry's id
     * @throws IllegalStateException if the wheel already holds {@link #capacity()} entries
     */
    public long schedule(long deadlineTick, Object payload) {
        // The owner's own path: an id it released itself, and one store to mark it pending and
        // linked, since no other thread knows the id yet. No atomic operation until a cancel.
        long id = store.allocateOwned();
        if (id == NO_TIMER) {
            throw new IllegalStateException("timing wheel is full: capacity " + store.capacity() + " entries");
        }
        store.markPendingLinked(id);
        insertNew(EntryStore.indexOf(id), deadlineTick, payload);
        return id;
    }

    /**
     * Cancels a pending entry. Owner thread.
     *
     * @param timerId an id from this wheel; stale, unknown and {@link #NO_TIMER} ids are harmless
     * @return true if this call cancelled the entry; false if it had expired, was cancelled
     *         already, is expiring right now (called from its own handler), or is unknown
     */
    public boolean cancel(long timerId) {
        if (!store.isWellFormed(timerId)) {
            return false;
        }
        int entry = EntryStore.indexOf(timerId);
        if (entry == expiringEntry && !inList(entry)) {
            return false;
        }
        if (!tryCancel(timerId)) {
            return false;
        }
        // Cancelled by this call, so live and not expiring (checked above): no need to read the
        // word again.
        unlinkAndRelease(timerId);
        return true;
    }

    /**
     * Moves a live entry (pending, in a periodic run, being moved, or a handle's) to a new
     * deadline, keeping its id and status. Owner thread. Inside its own expiry handler this re-arms the expiring
     * entry (a periodic timer's next run). A linked entry moved to the deadline it already has
     * keeps its place in its slot.
     *
     * @param timerId         the entry
     * @param newDeadlineTick its new deadline tick
     * @return true if the entry was live and now has the new deadline
     */
    public boolean reschedule(long timerId, long newDeadlineTick) {
        // A handle's entry has status free while in use: the id's generation and the entry's
        // place (in a list, or expiring) tell whether it is live.
        if (!store.isCurrent(timerId)) {
            return false;
        }
        int status = store.status(timerId);
        if (status == CANCELLED || status == FIRED) {
            return false;
        }
        int entry = EntryStore.indexOf(timerId);
        if (status == EntryStore.FREE && !inList(entry) && entry != expiringEntry) {
            return false;
        }
        if (inList(entry)) {
            if (store.deadline(entry) == newDeadlineTick) {
                // Already there: keep its place among the entries of that tick.
                return true;
            }
            unlinkEntry(entry);
        } else if (entry != expiringEntry) {
            // Allocated but never linked: there is nothing to move.
            return false;
        }
        store.deadline(entry, newDeadlineTick);
        insert(entry, newDeadlineTick);
        size++;
        return true;
    }

    /**
     * Places an {@link #allocate allocated}, {@link #markPending pending} entry in the wheel (the
     * id path). Owner thread. Sets the entry's linked bit first, by compare-and-set, so that a
     * cancel racing this call knows whether to ask for an unlink: if the entry was cancelled
     * before, this returns false and the caller {@link #drop drops} it.
     *
     * @param timerId      an allocated id marked pending (or being moved)
     * @param deadlineTick the tick to expire at
     * @param payload      the payload, may be {@code null}
     * @return true if the entry is now in the wheel
     */
    public boolean linkPending(long timerId, long deadlineTick, Object payload) {
        if (!store.isWellFormed(timerId) || !store.trySetLinked(timerId)) {
            return false;
        }
        insertNew(EntryStore.indexOf(timerId), deadlineTick, payload);
        return true;
    }

    /**
     * Places an {@link #allocate allocated} entry of the handle path in the wheel. Owner thread.
     * The handle object keeps the timer's state; the entry's status stays free, so the any-thread
     * status methods of this class leave it alone, and only the owner's trusted methods
     * ({@link #removeHandle}, {@link #reschedule}) act on it.
     *
     * @param timerId      an allocated id
     * @param deadlineTick the tick to expire at
     * @param payload      the handle
     */
    public void linkHandle(long timerId, long deadlineTick, Object payload) {
        insertNew(EntryStore.indexOf(timerId), deadlineTick, payload);
    }

    private void insertNew(int entry, long deadlineTick, Object payload) {
        store.deadline(entry, deadlineTick);
        store.payload(entry, payload);
        insert(entry, deadlineTick);
        size++;
    }

    /**
     * Releases an allocated entry that was never linked (cancelled before it reached the wheel).
     * Owner thread.
     *
     * @param timerId the id
     */
    public void drop(long timerId) {
        if (store.isWellFormed(timerId)) {
            store.releaseClean(EntryStore.indexOf(timerId), EntryStore.generationOf(timerId));
        }
    }

    /**
     * Unlinks and releases an entry linked with {@link #linkHandle}. Owner thread; the caller
     * vouches for the id (its handle says the entry is still in the wheel), so no state word is
     * read. An entry expiring right now is left for the wheel to release when its handler returns.
     *
     * @param timerId the id
     * @return true if this call released the entry
     */
    public boolean removeHandle(long timerId) {
        return unlinkAndRelease(timerId);
    }

    /**
     * Unlinks the entry {@code timerId} names (if it is in the wheel) and releases it, reading no
     * state word: the caller knows the id is current. An entry expiring right now, in its own
     * handler, is left for the wheel to release when the handler returns.
     *
     * @return true if this call released the entry
     */
    private boolean unlinkAndRelease(long timerId) {
        int entry = EntryStore.indexOf(timerId);
        if (inList(entry)) {
            unlinkEntry(entry);
        } else if (entry == expiringEntry) {
            return false;
        }
        releaseEntry(entry, EntryStore.generationOf(timerId));
        return true;
    }

    private void releaseEntry(int entry, long generation) {
        if (entry == expiringEntry) {
            expiringReleased = true;
        }
        store.release(entry, generation);
    }

    /**
     * Unlinks an entry (if it is in the wheel) and releases it, whatever its status. Owner thread.
     * An entry expiring right now, in its own handler, is left for the wheel to release when the
     * handler returns.
     *
     * @param timerId the id
     * @return true if this call released the entry; false if the id is stale or the entry is
     *         expiring right now
     */
    public boolean remove(long timerId) {
        return store.isLive(timerId) && unlinkAndRelease(timerId);
    }

    /**
     * Removes and releases an id-path entry that another thread {@link #tryCancel cancelled}.
     * Owner thread.
     *
     * @param timerId the cancelled entry
     * @return true if this call released it; false if the id is stale, the entry is not cancelled,
     *         or it is expiring right now (its release then happens when its handler returns)
     */
    public boolean reclaim(long timerId) {
        return store.status(timerId) == CANCELLED && remove(timerId);
    }

    /**
     * Expires every entry due at or before {@code nowTick}, in deadline order, at most
     * {@code limit} of them. Owner thread. Entries beyond the limit stay due and expire first at
     * the next call, so a caller that catches up after a stall loses nothing.
     *
     * @param nowTick the current tick; a value before {@link #elapsedTick()} expires only what is
     *                already due
     * @param handler receives each expired entry
     * @param limit   the most entries to expire in this call, {@code >= 1}
     * @return how many entries expired
     */
    public int advance(long nowTick, ExpiryHandler handler, int limit) {
        Objects.requireNonNull(handler, "handler");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
        if (expiringEntry != NIL) {
            throw new IllegalStateException("advance must not be called from inside an expiry handler");
        }
        int expired = 0;
        while (expired < limit) {
            int entry = due.head(0);
            if (entry != NIL) {
                due.unlink(store, 0, entry);
                store.next(entry, DETACHED);
                size--;
                expired++;
                expire(entry, handler);
                continue;
            }
            // A slot may legitimately start at Long.MAX_VALUE, so emptiness is tested on its own.
            long slotStart = occupiedLevels == 0 ? 0 : nextSlotStart();
            if (occupiedLevels == 0 || slotStart > nowTick) {
                if (nowTick > elapsedTick) {
                    elapsedTick = nowTick;
                }
                break;
            }
            elapsedTick = slotStart;
            int level = Long.numberOfTrailingZeros(occupiedLevels);
            cascade(level, levels[level].slotOf(slotStart));
        }
        // Entries released on this pass that did not fit the free ring reach producers now.
        store.flushReleases();
        return expired;
    }

    /**
     * The earliest tick at which {@link #advance} has work: the current tick if entries are due,
     * else the start of the first non-empty slot (a higher-level slot's start is where it
     * cascades, which may be before its entries' own deadlines). O(1). Owner thread.
     *
     * @return a tick, or {@link #NO_DEADLINE} if the wheel is empty (an entry due at
     *         {@code Long.MAX_VALUE} reads the same, which is harmless: both mean "never")
     */
    public long nextDeadlineTick() {
        if (due.head(0) != NIL) {
            return elapsedTick;
        }
        return nextSlotStart();
    }

    private long nextSlotStart() {
        if (occupiedLevels == 0) {
            return NO_DEADLINE;
        }
        // Lower levels always expire before higher ones: a level-L entry agrees with the current
        // tick on every digit above L, while a level-(L+1) entry is ahead in digit L+1.
        return levels[Long.numberOfTrailingZeros(occupiedLevels)].nextSlotStart(elapsedTick);
    }

    /**
     * Chooses a deadline inside the window {@code [earliestTick, latestTick]} that this wheel
     * expires with as few cascades as possible: the start of the coarsest slot (relative to
     * {@code currentTick}) inside the window, which expires directly from its level without ever
     * cascading. Such a tick has only zeros below its own level. Timers with similar windows land
     * on the same tick and share a slot. A window holding no slot start (narrow, and far compared
     * with its width) gets its most aligned tick, whose few non-zero digits bound its cascades.
     * A window at least as wide as the slot span of the level its earliest tick falls in always
     * holds a slot start. O(levels). Any thread.
     *
     * @param currentTick  the wheel's current tick, or a reading not after it
     * @param earliestTick the earliest acceptable tick
     * @param latestTick   the latest acceptable tick, {@code >= earliestTick}
     * @return a tick in the window; {@code earliestTick} itself if it is already due
     */
    public long windowDeadline(long currentTick, long earliestTick, long latestTick) {
        if (latestTick < earliestTick) {
            throw new IllegalArgumentException(
                    "latestTick must not be before earliestTick: " + latestTick + " < " + earliestTick);
        }
        long from = Math.max(earliestTick, currentTick + 1);
        if (earliestTick <= currentTick || from > latestTick || from < 0) {
            return earliestTick;
        }
        long mostAligned = -1;
        for (int level = levels.length - 1; level > 0; level--) {
            int shift = level * bitsPerLevel;
            long aligned = ((from - 1) >>> shift) + 1;
            if (aligned > (Long.MAX_VALUE >>> shift)) {
                continue;
            }
            long candidate = aligned << shift;
            if (candidate > latestTick) {
                continue;
            }
            // The candidate of a level is a slot start whenever that level has one in the window.
            if (isSlotStart(currentTick, candidate)) {
                return candidate;
            }
            if (mostAligned < 0) {
                mostAligned = candidate;
            }
        }
        return mostAligned >= 0 ? mostAligned : from;
    }

    /** True if {@code tick} has only zeros below the level it maps to from {@code currentTick}. */
    private boolean isSlotStart(long currentTick, long tick) {
        long differing = (currentTick ^ tick) | levelZeroMask;
        int level = (63 - Long.numberOfLeadingZeros(differing)) / bitsPerLevel;
        int shift = level * bitsPerLevel;
        return (tick & ((1L << shift) - 1)) == 0;
    }

    // ------------------------------------------------------------------ any-thread API

    /**
     * Allocates an entry and returns its id at once, without placing it in the wheel. Any thread.
     * Nothing is written to the entry: the caller either {@link #markPending marks it pending}
     * (the id path, whose state lives in the entry) or hands it to the owner thread to
     * {@link #linkHandle link as a handle's}. An id never handed on goes back with
     * {@link #discard}.
     *
     * @return the id, or {@link #NO_TIMER} if the wheel already holds {@link #capacity()} entries
     */
    public long allocate() {
        return store.allocate();
    }

    /**
     * Marks a freshly {@link #allocate allocated} entry pending, so any thread may cancel it by
     * id. Any thread: the one that allocated it, before handing the id on.
     *
     * @param timerId the id
     */
    public void markPending(long timerId) {
        store.markPending(timerId);
    }

    /**
     * Gives back an id that was {@link #allocate allocated} and never handed to the owner thread.
     * Any thread: the one that allocated it.
     *
     * @param timerId the id
     */
    public void discard(long timerId) {
        if (store.isWellFormed(timerId)) {
            store.discard(timerId);
        }
    }

    /**
     * Whether the owner has {@link #linkPending linked} an id-path entry. Any thread. Once the
     * entry is cancelled the answer no longer changes: a canceller that reads true must ask the
     * owner to {@link #reclaim} the entry; one that reads false can leave it, because linking a
     * cancelled entry fails.
     *
     * @param timerId the id
     * @return true if the entry is linked
     */
    public boolean isLinked(long timerId) {
        return store.isLinkedBit(timerId);
    }

    /**
     * Marks a pending (or running periodic) entry cancelled. Any thread. Exactly one of a racing
     * {@code tryCancel} and {@link #tryFire} succeeds. The owner thread must then
     * {@link #reclaim} the entry to free it promptly; otherwise it is released when its deadline
     * arrives.
     *
     * @param timerId the entry; stale and unknown ids are harmless
     * @return true if this call cancelled it
     */
    public boolean tryCancel(long timerId) {
        return store.compareAndSetStatusFromAny(timerId, CANCELLABLE, CANCELLED) != -1;
    }

    private static final int CANCELLABLE = 1 << PENDING | 1 << RUNNING | 1 << MOVING;
    private static final int MOVABLE = 1 << PENDING | 1 << MOVING;

    /**
     * Claims a pending entry for a move to a new deadline: pending (or already moving) to moving.
     * Any thread. While moving, {@link #tryFire} and {@link #tryBeginRun} fail, so the entry
     * cannot expire at its old deadline; the owner thread applies the move with
     * {@link #reschedule} and {@link #endMove}. A {@link #tryCancel} still wins.
     *
     * @param timerId the entry
     * @return true if the entry is now moving
     */
    public boolean tryBeginMove(long timerId) {
        return store.compareAndSetStatusFromAny(timerId, MOVABLE, MOVING) != -1;
    }

    /**
     * Ends a move: moving back to pending. Owner thread, after {@link #reschedule}.
     *
     * @param timerId the entry
     * @return true if the entry was moving; false if it was cancelled meanwhile
     */
    public boolean endMove(long timerId) {
        return store.compareAndSetStatus(timerId, MOVING, PENDING);
    }

    /**
     * Reverts a move that could not be handed to the owner thread: moving back to pending. Any
     * thread, by the one whose {@link #tryBeginMove} succeeded.
     *
     * @param timerId the entry
     * @return true if the entry was moving
     */
    public boolean abortMove(long timerId) {
        return store.compareAndSetStatus(timerId, MOVING, PENDING);
    }

    /**
     * Any thread.
     *
     * @param timerId an id
     * @return true if the entry is being moved to a new deadline
     */
    public boolean isMoving(long timerId) {
        return store.status(timerId) == MOVING;
    }

    /**
     * Any thread.
     *
     * @param timerId an id
     * @return true if the entry is in a periodic run
     */
    public boolean isRunning(long timerId) {
        return store.status(timerId) == RUNNING;
    }

    /**
     * Claims an expiring entry for a one-shot run: pending to fired. Any thread, though it is
     * meant for the expiry handler.
     *
     * @param timerId the entry
     * @return true if the entry was pending; false if it was cancelled first
     */
    public boolean tryFire(long timerId) {
        return store.compareAndSetStatus(timerId, PENDING, FIRED);
    }

    /**
     * Claims an expiring periodic entry for one run: pending to running. While running, a
     * {@link #tryCancel} still succeeds and stops future runs.
     *
     * @param timerId the entry
     * @return true if the entry was pending
     */
    public boolean tryBeginRun(long timerId) {
        return store.compareAndSetStatus(timerId, PENDING, RUNNING);
    }

    /**
     * Turns a periodic run into the timer's last: running to fired, so a cancel now loses.
     *
     * @param timerId the entry
     * @return true if the entry was running; false if it was cancelled during the run
     */
    public boolean tryMarkLastRun(long timerId) {
        return store.compareAndSetStatus(timerId, RUNNING, FIRED);
    }

    /**
     * Ends a periodic run: running back to pending, so the entry may be rescheduled.
     *
     * @param timerId the entry
     * @return true if the entry was running; false if it was cancelled during the run
     */
    public boolean tryEndRun(long timerId) {
        return store.compareAndSetStatus(timerId, RUNNING, PENDING);
    }

    /**
     * Any thread.
     *
     * @param timerId an id
     * @return true if the entry is pending, being moved, or in a periodic run, and not cancelled
     */
    public boolean isPending(long timerId) {
        int status = store.status(timerId);
        return status == PENDING || status == RUNNING || status == MOVING;
    }

    /**
     * Any thread.
     *
     * @param timerId an id
     * @return true if a one-shot entry has fired and is not yet released
     */
    public boolean isFired(long timerId) {
        return store.status(timerId) == FIRED;
    }

    /**
     * Any thread.
     *
     * @param timerId an id
     * @return true if the entry is cancelled and not yet released
     */
    public boolean isCancelled(long timerId) {
        return store.status(timerId) == CANCELLED;
    }

    /**
     * The payload of a linked entry. Owner thread.
     *
     * @param timerId an id
     * @return the payload, or {@code null} if the id is stale
     */
    public Object payloadOf(long timerId) {
        if (!store.isLive(timerId)) {
            return null;
        }
        return store.payload(EntryStore.indexOf(timerId));
    }

    /**
     * Owner thread.
     *
     * @param timerId an id
     * @return the entry's deadline tick, or {@link #NO_DEADLINE} if the id is stale
     */
    public long deadlineTickOf(long timerId) {
        if (!store.isLive(timerId)) {
            return NO_DEADLINE;
        }
        return store.deadline(EntryStore.indexOf(timerId));
    }

    /**
     * Removes every entry, handing each to {@code sink} before releasing it. Owner thread; used
     * at shutdown. The sink must not schedule or re-arm entries of this wheel.
     *
     * @param sink receives each entry, due ones first, then by level
     * @return how many entries were removed
     */
    public int clear(ExpiryHandler sink) {
        Objects.requireNonNull(sink, "sink");
        int removed = 0;
        removed += clearList(due, 0, sink);
        for (int level = 0; level < levels.length; level++) {
            Level source = levels[level];
            long bits = source.occupiedSlots();
            while (bits != 0) {
                int slot = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                removed += clearList(source, slot, sink);
            }
            occupiedLevels &= ~(1L << level);
        }
        store.flushReleases();
        return removed;
    }

    private int clearList(Level list, int slot, ExpiryHandler sink) {
        int removed = 0;
        int entry;
        while ((entry = list.pollFirst(store, slot)) != NIL) {
            store.next(entry, DETACHED);
            size--;
            removed++;
            expire(entry, sink);
        }
        return removed;
    }

    // ------------------------------------------------------------------ inspection

    /**
     * Visits every entry in the wheel (not allocated ones not linked yet): due entries first, then level by level.
     * O(size). Owner thread; the visitor must not change the wheel.
     *
     * @param visitor receives each entry
     */
    public void forEachEntry(EntryVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        visitList(due, 0, visitor);
        for (Level level : levels) {
            long bits = level.occupiedSlots();
            while (bits != 0) {
                int slot = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                visitList(level, slot, visitor);
            }
        }
    }

    private void visitList(Level list, int slot, EntryVisitor visitor) {
        for (int entry = list.head(slot); entry != NIL; entry = store.next(entry)) {
            visitor.visit(store.currentId(entry), store.deadline(entry), store.payload(entry));
        }
    }

    /** @return the tick the wheel has advanced to. Owner thread. */
    public long elapsedTick() {
        return elapsedTick;
    }

    /** @return the number of entries in the wheel (linked ones). Owner thread. */
    public int size() {
        return size;
    }

    /** @return the most entries the wheel can hold. */
    public int capacity() {
        return store.capacity();
    }

    /** @return the number of levels. */
    public int levels() {
        return levels.length;
    }

    /** @return the number of slots per level. */
    public int slotsPerLevel() {
        return levelZeroMask + 1;
    }

    /**
     * Owner thread.
     *
     * @param level a level, 0 to {@link #levels()} - 1
     * @return how many entries have cascaded from that level into a lower one so far
     */
    public long cascades(int level) {
        return cascades[level];
    }

    /**
     * Owner thread.
     *
     * @param level a level
     * @return the number of entries in that level now
     */
    public int levelSize(int level) {
        Level l = levels[level];
        int count = 0;
        for (int slot = 0; slot < l.slots(); slot++) {
            count += l.count(slot);
        }
        return count;
    }

    /** @return the number of entries due now but not yet expired (beyond a previous limit). Owner thread. */
    public int dueSize() {
        return due.count(0);
    }

    /** @return bytes of entry storage allocated so far. Any thread. */
    public long storageBytes() {
        return store.footprintBytes();
    }

    /**
     * Checks every structural invariant and throws {@link IllegalStateException} naming the first
     * one broken: list links agree both ways, each entry sits in the slot its deadline maps to,
     * occupancy bits match non-empty slots, slots lie ahead of the current tick, due entries are
     * due, and the size adds up. O(size). Owner thread; for tests and debugging.
     */
    public void checkInvariants() {
        int counted = checkList(due, 0, -1);
        for (Level level : levels) {
            int current = level.slotOf(elapsedTick);
            for (int slot = 0; slot < level.slots(); slot++) {
                boolean bit = (level.occupiedSlots() & (1L << slot)) != 0;
                boolean nonEmpty = level.head(slot) != NIL;
                if (bit != nonEmpty) {
                    throw new IllegalStateException("level " + level.level + " slot " + slot
                            + ": occupancy bit " + bit + " but list non-empty " + nonEmpty);
                }
                if (nonEmpty && slot <= current && level.level > 0) {
                    throw new IllegalStateException("level " + level.level + " slot " + slot
                            + " is occupied but not ahead of the current slot " + current);
                }
                counted += checkList(level, slot, level.level);
            }
            boolean levelBit = (occupiedLevels & (1L << level.level)) != 0;
            if (levelBit != !level.isEmpty()) {
                throw new IllegalStateException("level " + level.level + ": level bit " + levelBit
                        + " but empty " + level.isEmpty());
            }
        }
        if (counted != size) {
            throw new IllegalStateException("size is " + size + " but the lists hold " + counted);
        }
    }

    private int checkList(Level list, int slot, int expectedLevel) {
        int count = 0;
        int prev = NIL;
        for (int entry = list.head(slot); entry != NIL; entry = store.next(entry)) {
            if (store.prev(entry) != prev) {
                throw new IllegalStateException("entry " + entry + ": prev " + store.prev(entry) + ", expected " + prev);
            }
            if (store.next(entry) == DETACHED) {
                throw new IllegalStateException("entry " + entry + " is in a list but marked detached");
            }
            long deadline = store.deadline(entry);
            if (expectedLevel < 0) {
                if (deadline > elapsedTick) {
                    throw new IllegalStateException("due entry " + entry + " has deadline " + deadline
                            + " after the current tick " + elapsedTick);
                }
            } else {
                if (deadline <= elapsedTick) {
                    throw new IllegalStateException("entry " + entry + " with deadline " + deadline
                            + " sits in level " + expectedLevel + " at tick " + elapsedTick);
                }
                int level = levelFor(deadline);
                if (level != expectedLevel || levels[level].slotOf(deadline) != slot) {
                    throw new IllegalStateException("entry " + entry + " with deadline " + deadline + " belongs in level "
                            + level + " slot " + levels[level].slotOf(deadline)
                            + ", found in level " + expectedLevel + " slot " + slot);
                }
            }
            prev = entry;
            if (++count > size + 1) {
                throw new IllegalStateException("list of level " + expectedLevel + " slot " + slot + " loops");
            }
        }
        if (count != list.count(slot)) {
            throw new IllegalStateException("level " + expectedLevel + " slot " + slot + " counts "
                    + list.count(slot) + " but holds " + count);
        }
        return count;
    }

    /**
     * A readable picture of the wheel: the current tick, and per level the current slot and the
     * occupied slots with their entry counts, at most {@code maxSlotsPerLevel} of them. Owner
     * thread.
     *
     * @param maxSlotsPerLevel how many occupied slots to list per level before eliding
     * @return a multi-line description
     */
    public String toDebugString(int maxSlotsPerLevel) {
        StringBuilder out = new StringBuilder(256);
        out.append("TimingWheel tick=").append(elapsedTick)
                .append(" size=").append(size)
                .append(" due=").append(due.count(0))
                .append(" next=").append(nextDeadlineTick() == NO_DEADLINE ? "none" : Long.toString(nextDeadlineTick()))
                .append(" levels=").append(levels.length)
                .append('x').append(slotsPerLevel()).append('\n');
        for (Level level : levels) {
            if (level.isEmpty()) {
                continue;
            }
            out.append("  level ").append(level.level)
                    .append(" current=").append(level.slotOf(elapsedTick))
                    .append(" next=").append(level.nextSlotStart(elapsedTick))
                    .append(" cascades=").append(cascades[level.level])
                    .append(" slots:");
            int listed = 0;
            long bits = level.occupiedSlots();
            while (bits != 0) {
                int slot = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (listed++ == maxSlotsPerLevel) {
                    out.append(" ... +").append(Long.bitCount(bits) + 1).append(" more");
                    break;
                }
                out.append(' ').append(slot).append('=').append(level.count(slot));
            }
            out.append('\n');
        }
        appendBusiestSlots(out, 5);
        return out.toString();
    }

    /** Appends the {@code count} slots holding the most entries, busiest first. */
    private void appendBusiestSlots(StringBuilder out, int count) {
        long[] best = new long[count];
        int found = 0;
        for (Level level : levels) {
            long bits = level.occupiedSlots();
            while (bits != 0) {
                int slot = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                // Packs count, level and slot so one long sorts by count.
                long key = (long) level.count(slot) << 32 | (long) level.level << 16 | slot;
                int position = found < count ? found++ : count - 1;
                if (position == count - 1 && found == count && best[position] >= key) {
                    continue;
                }
                best[position] = key;
                for (int i = position; i > 0 && best[i] > best[i - 1]; i--) {
                    long swap = best[i];
                    best[i] = best[i - 1];
                    best[i - 1] = swap;
                }
            }
        }
        if (found == 0) {
            return;
        }
        out.append("  busiest:");
        for (int i = 0; i < found; i++) {
            out.append(" level ").append((best[i] >>> 16) & 0xFFFF).append(" slot ").append(best[i] & 0xFFFF)
                    .append('=').append(best[i] >>> 32).append(i + 1 < found ? ',' : '\n');
        }
    }

    @Override
    public String toString() {
        return "TimingWheel[tick=" + elapsedTick + ", size=" + size + ", levels=" + levels.length
                + "x" + slotsPerLevel() + "]";
    }

    // ------------------------------------------------------------------ internals

    private boolean inList(int entry) {
        return store.next(entry) != DETACHED;
    }

    private int levelFor(long deadlineTick) {
        long differing = (elapsedTick ^ deadlineTick) | levelZeroMask;
        int highestBit = 63 - Long.numberOfLeadingZeros(differing);
        return highestBit / bitsPerLevel;
    }

    private void insert(int entry, long deadlineTick) {
        if (deadlineTick <= elapsedTick) {
            due.append(store, 0, entry);
            return;
        }
        int level = levelFor(deadlineTick);
        Level target = levels[level];
        target.append(store, target.slotOf(deadlineTick), entry);
        occupiedLevels |= 1L << level;
    }

    /**
     * Unlinks a linked entry from the list it is in. Its list is derived, not stored: a due entry
     * has a deadline at or before the current tick; any other stays in the level and slot its
     * deadline maps to from the current tick, because the current tick never passes an occupied
     * slot's start without cascading it.
     */
    private void unlinkEntry(int entry) {
        long deadline = store.deadline(entry);
        if (deadline <= elapsedTick) {
            due.unlink(store, 0, entry);
        } else {
            int level = levelFor(deadline);
            Level target = levels[level];
            target.unlink(store, target.slotOf(deadline), entry);
            if (target.isEmpty()) {
                occupiedLevels &= ~(1L << level);
            }
        }
        store.next(entry, DETACHED);
        size--;
    }

    private void cascade(int level, int slot) {
        Level source = levels[level];
        int entry = source.detachAll(slot);
        if (source.isEmpty()) {
            occupiedLevels &= ~(1L << level);
        }
        while (entry != NIL) {
            int next = store.next(entry);
            long deadline = store.deadline(entry);
            if (deadline > elapsedTick) {
                // Moved down a level: the cost a cascade stands for. Entries due at the slot's
                // start expire straight from here and are not counted.
                cascades[level]++;
            }
            insert(entry, deadline);
            entry = next;
        }
    }

    private void expire(int entry, ExpiryHandler handler) {
        long id = store.currentId(entry);
        long deadline = store.deadline(entry);
        Object payload = store.payload(entry);
        expiringEntry = entry;
        expiringReleased = false;
        try {
            handler.onExpiry(id, deadline, payload);
        } finally {
            expiringEntry = NIL;
            // Released unless the handler re-armed it (linked again) or released it itself.
            if (!inList(entry) && !expiringReleased) {
                store.release(entry, EntryStore.generationOf(id));
            }
        }
    }
}
