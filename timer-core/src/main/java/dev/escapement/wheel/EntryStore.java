package dev.escapement.wheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-timer state of a {@link TimingWheel}: a struct-of-arrays slab addressed by entry index, and
 * the ids that name its entries.
 *
 * <p>Thread-safety: mixed, by field. Ids are allocated from any thread; the <em>state word</em>
 * of each entry (generation, status, a linked bit, a free-list link) is read and compare-and-set
 * from any thread. Everything else (deadline, payload, list links) belongs to the owner thread,
 * which is also the only thread that releases entries into the free ring.
 *
 * <h2>Layout</h2>
 * Fields live in parallel arrays split into chunks of {@value #CHUNK_SIZE} entries. A chunk never
 * moves once created, so growth costs one chunk, not a copy of everything, and a producer may touch
 * the state word of an entry while the owner works on another in the same chunk. Per entry: state
 * word 8 bytes, a 16-byte record of deadline and list links (next and prev, 4 bytes each), payload
 * reference 4 (compressed oops) = 28 bytes. Deadline and links share a record because linking and
 * unlinking read and write them together: one cache line per entry instead of three. The state
 * word stays apart: producers compare-and-set it, and the owner's list writes must not contend
 * with them.
 *
 * <h2>Ids</h2>
 * An id packs {@code generation << 30 | index}: 30 bits of index (up to 2^30 entries) and 30 bits
 * of generation. Releasing an entry increments its generation, so an id kept after its timer ended
 * never matches the entry's next occupant. Generations start at 1, so no id is
 * {@link TimingWheel#NO_TIMER} (0). A generation wraps after 2^30 reuses of one index; a stale id
 * would have to be used at exactly a multiple of that to be confused, which we accept.
 *
 * <h2>State word</h2>
 * <pre>
 *   bits 34..63  generation (30 bits)
 *   bit  33      linked: the owner has put the entry in the wheel (id-path entries)
 *   bits 30..32  status: FREE, PENDING, FIRED, CANCELLED, RUNNING, MOVING, HANDLE
 *   bits  0..29  free-stack link: index + 1 of the next free entry, 0 at the end
 * </pre>
 * Entries of the handle path keep status {@code FREE} while in use: their state lives in the
 * handle object, no producer touches their words, and the id-path status methods refuse them.
 *
 * <h2>Allocation without a shared hot spot</h2>
 * Released entries go into a single-producer, multi-consumer <em>free ring</em> of full ids
 * (generation included), written only by the owner thread. A producer claims the next id with one
 * compare-and-set on a counter that only producers write, and reads the slot, which the owner
 * wrote long before: producer and owner never write the same cache line per timer, and a producer
 * never reads an entry's state word to learn its generation. When the ring is full the owner
 * pushes onto a lock-free (Treiber) stack with an ABA tag, which producers use when the ring is
 * empty; entries never used yet come last. An owner that schedules itself (the wheel used alone)
 * keeps a small cache of the ids it released and takes them back without an atomic operation;
 * the end of every pass hands that cache to producers.
 */
final class EntryStore {

    static final int CHUNK_SHIFT = 13;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_INDEX_MASK = CHUNK_SIZE - 1;

    /** The most entries one store can hold: the index field is 30 bits wide. */
    static final int MAX_CAPACITY = 1 << 30;

    static final int NIL = -1;
    /** {@code next} of an entry that is allocated but in no list. */
    static final int DETACHED = -2;

    static final int FREE = 0;
    static final int PENDING = 1;
    static final int FIRED = 2;
    static final int CANCELLED = 3;
    static final int RUNNING = 4;
    static final int MOVING = 5;
    static final int HANDLE = 6;

    private static final int INDEX_BITS = 30;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final int GENERATION_BITS = 30;
    private static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;

    private static final int LINK_MASK = (1 << 30) - 1;
    private static final int STATUS_SHIFT = 30;
    private static final long STATUS_MASK = 0b111L << STATUS_SHIFT;
    private static final long LINKED_BIT = 1L << 33;
    private static final int WORD_GENERATION_SHIFT = 34;

    /**
     * The most ids the free ring holds: enough for the releases of a busy pass (up to 32 K), so
     * that steady churn never spills to the overflow stack. Smaller for a small store.
     */
    static final int MAX_RING_SIZE = 1 << 16;

    /**
     * The most released entries the owner holds back before pushing them onto the overflow stack
     * in one compare-and-set. A push per entry would stall the owner on every release: the
     * compare-and-set waits for the store of the entry's word, usually a cache miss, to complete.
     */
    static final int OVERFLOW_BATCH = 1024;

    /** The most released ids the owner keeps for its own allocations. */
    static final int OWNER_CACHE = 256;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CHUNK_REF = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle RING_SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PUBLISHED;
    private static final VarHandle PRODUCERS_VIEW;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(RingTail.class, MethodHandles.lookup());
            PUBLISHED = lookup.findVarHandle(RingTail.class, "published", long.class);
            PRODUCERS_VIEW = lookup.findVarHandle(RingTail.class, "producersView", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int capacity;
    private final long[][] words;
    /** Per entry two longs: the deadline, then {@code next << 32 | prev & 0xFFFFFFFF}. */
    private final long[][] records;
    private final Object[][] payloads;

    private final long[] ring;
    private final int ringMask;
    /** Next ring position to take; written by producers only. */
    private final AtomicLong ringHead = new AtomicLong();
    /** Next ring position to fill, published by the owner; and producers' cached view of it. */
    private final RingTail ringTail = new RingTail();
    /** Owner: the tail it fills next, and its cached view of {@link #ringHead}. */
    private final OwnerCursor owner = new OwnerCursor();

    /** Tagged head of the overflow stack: {@code tag << 32 | (index + 1)}; 0 in the low half means empty. */
    private final AtomicLong freeHead = new AtomicLong();
    /**
     * Owner: entries released while the ring was full, chained through their words and waiting to
     * join the overflow stack in one push: head as index + 1 (0 when empty), tail, count.
     */
    private int overflowHeadPlusOne;
    private int overflowTail = NIL;
    private int overflowCount;
    /**
     * Owner: ids it released and takes back for its own {@link #allocateOwned} without an atomic
     * operation. Used only once the owner allocates itself (a timer thread that only links what
     * producers allocated never fills it), and emptied into the ring by {@link #flushReleases}.
     */
    private final long[] ownerIds = new long[OWNER_CACHE];
    private int ownerIdCount;
    private int ownerIdLimit;
    /** Entries never used yet start here; it only grows, up to {@link #capacity}. */
    private final AtomicInteger freshIndex = new AtomicInteger();

    /**
     * The owner's ring cursor, written on every release, on a cache line of its own: in the store
     * object it shared a line with the fields producers read on every allocation, or not,
     * depending on where the object happened to start, and churn throughput differed by 2-3x
     * between otherwise identical JVMs.
     */
    @SuppressWarnings("unused")
    private static final class OwnerCursor {
        long p01, p02, p03, p04, p05, p06, p07;
        /** The ring position the owner fills next. */
        long tail;
        /** The owner's view of {@link #ringHead}, refreshed when the ring looks full. */
        long headCache;
        long p11, p12, p13, p14, p15, p16, p17;
    }

    /** The ring's published tail on a cache line of its own (producers read it, the owner writes it). */
    @SuppressWarnings("unused")
    private static final class RingTail {
        long p01, p02, p03, p04, p05, p06, p07;
        long published;
        long producersView;
        long p11, p12, p13, p14, p15, p16, p17;
    }

    EntryStore(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be between 1 and " + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        int ringSize = Math.min(MAX_RING_SIZE, Integer.highestOneBit(Math.max(capacity - 1, 1)) << 1);
        this.ring = new long[ringSize];
        this.ringMask = ringSize - 1;
        int chunks = (int) (((long) capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        this.words = new long[chunks][];
        this.records = new long[chunks][];
        this.payloads = new Object[chunks][];
    }

    int capacity() {
        return capacity;
    }

    // ---------------------------------------------------------------- ids

    static int indexOf(long id) {
        return (int) (id & INDEX_MASK);
    }

    static long generationOf(long id) {
        return (id >>> INDEX_BITS) & GENERATION_MASK;
    }

    private static long idOf(int index, long generation) {
        return generation << INDEX_BITS | index;
    }

    private static long wordGeneration(long word) {
        return word >>> WORD_GENERATION_SHIFT;
    }

    private static int wordStatus(long word) {
        return (int) ((word & STATUS_MASK) >>> STATUS_SHIFT);
    }

    private static long word(long generation, int status, int link) {
        return generation << WORD_GENERATION_SHIFT | (long) status << STATUS_SHIFT | link;
    }

    /** True if {@code id} could name an entry of a store this size (it may still be stale). */
    boolean isWellFormed(long id) {
        return id > 0 && generationOf(id) != 0 && indexOf(id) < capacity
                && (id >>> (INDEX_BITS + GENERATION_BITS)) == 0;
    }

    // ---------------------------------------------------------------- allocation (any thread)

    /**
     * Takes a free entry and returns its id. Any thread. The entry's state word is left as it is
     * (free): the caller marks it {@link #markPending pending}, or the owner marks it a
     * {@link #markHandle handle} entry when it links it.
     *
     * @return the new id, or {@link TimingWheel#NO_TIMER} if all {@link #capacity} entries are in use
     */
    long allocate() {
        long id = takeFromRing();
        if (id != TimingWheel.NO_TIMER) {
            return id;
        }
        int index = popFree();
        if (index == NIL) {
            index = takeFresh();
            if (index == NIL) {
                return TimingWheel.NO_TIMER;
            }
        }
        return idOf(index, wordGeneration((long) WORD.getVolatile(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK)));
    }

    /**
     * Owner: as {@link #allocate}, first from the ids the owner released itself, which it takes
     * without an atomic operation. The first call turns that cache on.
     */
    long allocateOwned() {
        if (ownerIdCount > 0) {
            return ownerIds[--ownerIdCount];
        }
        ownerIdLimit = OWNER_CACHE;
        return allocate();
    }

    private long takeFromRing() {
        RingTail tail = ringTail;
        while (true) {
            long head = ringHead.get();
            long limit = (long) PRODUCERS_VIEW.getAcquire(tail);
            if (head >= limit) {
                limit = (long) PUBLISHED.getAcquire(tail);
                if (head >= limit) {
                    return TimingWheel.NO_TIMER;
                }
                PRODUCERS_VIEW.setRelease(tail, limit);
            }
            // Read before claiming: the owner overwrites a slot only once its position is taken,
            // so the value read belongs to "head" if the claim below succeeds.
            long id = (long) RING_SLOT.getAcquire(ring, (int) (head & ringMask));
            if (ringHead.compareAndSet(head, head + 1)) {
                return id;
            }
        }
    }

    private int popFree() {
        while (true) {
            long head = freeHead.get();
            int indexPlusOne = (int) head;
            if (indexPlusOne == 0) {
                return NIL;
            }
            int index = indexPlusOne - 1;
            // The link may be garbage if another thread popped this entry meanwhile; the tag then
            // differs and the CAS below fails.
            long word = (long) WORD.getVolatile(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK);
            int nextPlusOne = (int) (word & LINK_MASK);
            long nextHead = ((head >>> 32) + 1) << 32 | (nextPlusOne & 0xFFFFFFFFL);
            if (freeHead.compareAndSet(head, nextHead)) {
                return index;
            }
        }
    }

    private int takeFresh() {
        while (true) {
            int index = freshIndex.get();
            if (index >= capacity) {
                return NIL;
            }
            if (freshIndex.compareAndSet(index, index + 1)) {
                ensureChunk(index >>> CHUNK_SHIFT);
                // A brand-new entry has generation 0 in a zeroed word; start it at 1.
                WORD.setVolatile(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK, word(1, FREE, 0));
                return index;
            }
        }
    }

    private void ensureChunk(int chunk) {
        if (CHUNK_REF.getAcquire(words, chunk) != null) {
            return;
        }
        synchronized (this) {
            if (words[chunk] != null) {
                return;
            }
            int size = (int) Math.min(CHUNK_SIZE, (long) capacity - ((long) chunk << CHUNK_SHIFT));
            long[] record = new long[2 * size];
            for (int i = 1; i < record.length; i += 2) {
                record[i] = links(DETACHED, NIL);
            }
            records[chunk] = record;
            payloads[chunk] = new Object[size];
            // Published last, with release: a thread that sees the word chunk sees the others.
            CHUNK_REF.setRelease(words, chunk, new long[size]);
        }
    }

    /**
     * Marks a freshly allocated entry pending, so that any thread may cancel it by id. Any thread,
     * by the one that allocated it, before it hands the id to others. Release: whoever later sees
     * the status also sees what the allocator wrote before.
     */
    void markPending(long id) {
        int index = indexOf(id);
        WORD.setRelease(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK, word(generationOf(id), PENDING, 0));
    }

    /**
     * Owner: marks an entry it has just {@linkplain #allocateOwned allocated} pending and linked in
     * one store. No other thread can know the new id yet, so no compare-and-set is needed.
     */
    void markPendingLinked(long id) {
        int index = indexOf(id);
        WORD.setRelease(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK,
                word(generationOf(id), PENDING, 0) | LINKED_BIT);
    }

    /**
     * Owner: returns an entry for reuse under the next generation, dropping its payload. Goes to
     * the owner's own cache while it allocates, else to the free ring, or to the overflow stack
     * when the ring is full.
     */
    void release(int index) {
        release(index, wordGeneration((long) WORD.getVolatile(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK)));
    }

    /** Owner: as {@link #release(int)}, when the caller knows the generation (from the id). */
    void release(int index, long generation) {
        int chunk = index >>> CHUNK_SHIFT;
        int offset = index & CHUNK_INDEX_MASK;
        payloads[chunk][offset] = null;
        records[chunk][2 * offset + 1] = links(DETACHED, NIL);
        releaseClean(index, generation);
    }

    /**
     * Owner: as {@link #release}, for an entry that never held a payload or links (allocated, then
     * dropped before it was linked): its slab lines stay untouched.
     */
    void releaseClean(int index, long currentGeneration) {
        int chunk = index >>> CHUNK_SHIFT;
        int offset = index & CHUNK_INDEX_MASK;
        // The generation comes from the caller's id: reading the word would cost a cache miss.
        long generation = nextGeneration(currentGeneration);
        if (ownerIdCount < ownerIdLimit) {
            WORD.setRelease(words[chunk], offset, word(generation, FREE, 0));
            ownerIds[ownerIdCount++] = idOf(index, generation);
            return;
        }
        offerReleased(index, generation);
    }

    /** Owner: hands a released entry to producers, through the ring or the overflow chain. */
    private void offerReleased(int index, long generation) {
        long[] wordChunk = words[index >>> CHUNK_SHIFT];
        int offset = index & CHUNK_INDEX_MASK;
        long id = idOf(index, generation);
        OwnerCursor cursor = owner;
        long tail = cursor.tail;
        if (tail - cursor.headCache >= ring.length) {
            cursor.headCache = ringHead.get();
        }
        if (tail - cursor.headCache < ring.length) {
            WORD.setRelease(wordChunk, offset, word(generation, FREE, 0));
            ring[(int) (tail & ringMask)] = id;
            cursor.tail = tail + 1;
            // Publishes the slot (and the word) to the producers; release, no fence.
            PUBLISHED.setRelease(ringTail, tail + 1);
            return;
        }
        // The ring is full: chain the entry for the next batched push.
        WORD.setOpaque(wordChunk, offset, word(generation, FREE, overflowHeadPlusOne));
        if (overflowHeadPlusOne == 0) {
            overflowTail = index;
        }
        overflowHeadPlusOne = index + 1;
        if (++overflowCount >= OVERFLOW_BATCH) {
            pushOverflowChain();
        }
    }

    /**
     * Owner: pushes the entries released while the ring was full onto the overflow stack, where
     * producers find them, with one compare-and-set, after the owner's own cache has gone to the
     * ring. The wheel calls this at the end of every advance, so a released entry waits at most
     * one pass.
     */
    void flushReleases() {
        while (ownerIdCount > 0) {
            long id = ownerIds[--ownerIdCount];
            offerReleased(indexOf(id), generationOf(id));
        }
        pushOverflowChain();
    }

    private void pushOverflowChain() {
        if (overflowHeadPlusOne == 0) {
            return;
        }
        long[] tailChunk = words[overflowTail >>> CHUNK_SHIFT];
        int tailOffset = overflowTail & CHUNK_INDEX_MASK;
        long tailWord = (long) WORD.getOpaque(tailChunk, tailOffset) & ~(long) LINK_MASK;
        while (true) {
            long head = freeHead.get();
            WORD.setOpaque(tailChunk, tailOffset, tailWord | (head & LINK_MASK));
            // The compare-and-set publishes the chain's words with it.
            long nextHead = ((head >>> 32) + 1) << 32 | overflowHeadPlusOne;
            if (freeHead.compareAndSet(head, nextHead)) {
                break;
            }
        }
        overflowHeadPlusOne = 0;
        overflowTail = NIL;
        overflowCount = 0;
    }

    /**
     * Any thread: gives back an id that was allocated but never handed to the owner (a failed
     * offer). Goes to the overflow stack, which several threads may push to.
     */
    void discard(long id) {
        int index = indexOf(id);
        pushFree(index, nextGeneration(generationOf(id)));
    }

    private static long nextGeneration(long currentGeneration) {
        long generation = (currentGeneration + 1) & GENERATION_MASK;
        return generation == 0 ? 1 : generation;
    }

    private void pushFree(int index, long generation) {
        long[] wordChunk = words[index >>> CHUNK_SHIFT];
        int offset = index & CHUNK_INDEX_MASK;
        while (true) {
            long head = freeHead.get();
            WORD.setRelease(wordChunk, offset, word(generation, FREE, (int) head));
            long nextHead = ((head >>> 32) + 1) << 32 | (index + 1);
            if (freeHead.compareAndSet(head, nextHead)) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- status (any thread)

    /**
     * Returns the status of the entry {@code id} names, or {@link #FREE} if the id is stale,
     * malformed or never allocated.
     */
    int status(long id) {
        long word = currentWord(id);
        return word == -1 ? FREE : wordStatus(word);
    }

    /** True if {@code id} names an entry of the id path that the owner has linked. */
    boolean isLinkedBit(long id) {
        long word = currentWord(id);
        return word != -1 && (word & LINKED_BIT) != 0;
    }

    /** The state word of the entry {@code id} names, or -1 if the id is stale or malformed. */
    private long currentWord(long id) {
        if (!isWellFormed(id)) {
            return -1;
        }
        int index = indexOf(id);
        long[] chunk = chunkOrNull(index);
        if (chunk == null) {
            return -1;
        }
        long word = (long) WORD.getVolatile(chunk, index & CHUNK_INDEX_MASK);
        return wordGeneration(word) == generationOf(id) ? word : -1;
    }

    /** True if {@code id}'s generation is the entry's current one (whatever its status). */
    boolean isCurrent(long id) {
        return currentWord(id) != -1;
    }

    /** True if {@code id} names an allocated entry in use (any status but {@link #FREE}). */
    boolean isLive(long id) {
        return status(id) != FREE;
    }

    /**
     * Atomically moves the entry {@code id} from status {@code expected} to {@code update},
     * keeping its linked bit. Fails if the id is stale or the status differs. Any thread.
     */
    boolean compareAndSetStatus(long id, int expected, int update) {
        return compareAndSetStatusFromAny(id, 1 << expected, update) != -1;
    }

    /**
     * Atomically moves the entry {@code id} to status {@code update} from whichever status it has,
     * if that status is in {@code allowedStatuses} (a bit mask, bit {@code s} for status
     * {@code s}), keeping its linked bit. Retries when the word changes between the read and the
     * compare-and-set, so a concurrent transition between two allowed statuses never makes it
     * fail. Any thread.
     *
     * @return the word it replaced, or -1 if it did not change the status
     */
    long compareAndSetStatusFromAny(long id, int allowedStatuses, int update) {
        if (!isWellFormed(id)) {
            return -1;
        }
        int index = indexOf(id);
        long[] chunk = chunkOrNull(index);
        if (chunk == null) {
            return -1;
        }
        int offset = index & CHUNK_INDEX_MASK;
        long generation = generationOf(id);
        while (true) {
            long word = (long) WORD.getVolatile(chunk, offset);
            int status = wordStatus(word);
            if (wordGeneration(word) != generation || (allowedStatuses & (1 << status)) == 0) {
                return -1;
            }
            long updated = (word & ~STATUS_MASK) | (long) update << STATUS_SHIFT;
            if (word == updated || WORD.compareAndSet(chunk, offset, word, updated)) {
                return word;
            }
        }
    }

    /**
     * Owner: sets the linked bit of a pending (or moving) id-path entry. Fails if it was
     * cancelled first, which the caller learns without a race: a canceller that finds the bit set
     * asks the owner to unlink the entry, one that finds it clear leaves the entry to this call.
     */
    boolean trySetLinked(long id) {
        int index = indexOf(id);
        long[] chunk = words[index >>> CHUNK_SHIFT];
        int offset = index & CHUNK_INDEX_MASK;
        long generation = generationOf(id);
        while (true) {
            long word = (long) WORD.getVolatile(chunk, offset);
            int status = wordStatus(word);
            if (wordGeneration(word) != generation || (status != PENDING && status != MOVING)) {
                return false;
            }
            if (WORD.compareAndSet(chunk, offset, word, word | LINKED_BIT)) {
                return true;
            }
        }
    }

    static boolean wasLinked(long word) {
        return (word & LINKED_BIT) != 0;
    }

    private long[] chunkOrNull(int index) {
        int chunk = index >>> CHUNK_SHIFT;
        return (long[]) CHUNK_REF.getAcquire(words, chunk);
    }

    // ---------------------------------------------------------------- fields (owner thread)

    private static long links(int next, int prev) {
        return (long) next << 32 | (prev & 0xFFFFFFFFL);
    }

    long deadline(int index) {
        return records[index >>> CHUNK_SHIFT][2 * (index & CHUNK_INDEX_MASK)];
    }

    void deadline(int index, long deadlineTick) {
        records[index >>> CHUNK_SHIFT][2 * (index & CHUNK_INDEX_MASK)] = deadlineTick;
    }

    Object payload(int index) {
        return payloads[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK];
    }

    void payload(int index, Object payload) {
        payloads[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK] = payload;
    }

    int next(int index) {
        return (int) (records[index >>> CHUNK_SHIFT][2 * (index & CHUNK_INDEX_MASK) + 1] >> 32);
    }

    void next(int index, int next) {
        long[] record = records[index >>> CHUNK_SHIFT];
        int at = 2 * (index & CHUNK_INDEX_MASK) + 1;
        record[at] = links(next, (int) record[at]);
    }

    int prev(int index) {
        return (int) records[index >>> CHUNK_SHIFT][2 * (index & CHUNK_INDEX_MASK) + 1];
    }

    void prev(int index, int prev) {
        long[] record = records[index >>> CHUNK_SHIFT];
        int at = 2 * (index & CHUNK_INDEX_MASK) + 1;
        record[at] = links((int) (record[at] >> 32), prev);
    }

    /** Sets both links at once, as appending to a list does. */
    void links(int index, int next, int prev) {
        records[index >>> CHUNK_SHIFT][2 * (index & CHUNK_INDEX_MASK) + 1] = links(next, prev);
    }

    /** The current id of the entry at {@code index}; meaningful only while it is allocated. */
    long currentId(int index) {
        long word = (long) WORD.getVolatile(words[index >>> CHUNK_SHIFT], index & CHUNK_INDEX_MASK);
        return idOf(index, wordGeneration(word));
    }

    /** Bytes held by the chunks created so far; for statistics. */
    long footprintBytes() {
        long bytes = 0;
        for (int chunk = 0; chunk < words.length; chunk++) {
            long[] wordChunk = (long[]) CHUNK_REF.getAcquire(words, chunk);
            if (wordChunk != null) {
                bytes += wordChunk.length * 28L;
            }
        }
        return bytes + ring.length * 8L;
    }
}
