package dev.escapement.wheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-timer state of a {@link TimingWheel}: a struct-of-arrays slab addressed by entry index, and
 * the ids that name its entries.
 *
 * <p>Thread-safety: mixed, by field. The <em>state word</em> of each entry (generation, status,
 * free-list link) is read and compare-and-set from any thread. An entry's deadline and payload are
 * written by whoever holds a freshly {@link #allocate allocated} id, before it publishes the id;
 * after that only the owner thread of the wheel writes them. The list links ({@code next},
 * {@code prev}) belong to the owner thread alone.
 *
 * <h2>Layout</h2>
 * Fields live in parallel arrays split into chunks of {@value #CHUNK_SIZE} entries. A chunk never
 * moves once created, so a producer may write an entry while the owner thread reads another one
 * in the same chunk, and growth costs one chunk, not a copy of everything. Per entry: state word
 * 8 bytes, deadline 8, links 4 + 4, payload reference 4 (compressed oops) = 28 bytes.
 *
 * <h2>Ids</h2>
 * An id packs {@code generation << 30 | index}: 30 bits of index (up to 2^30 entries) and 31 bits
 * of generation. Releasing an entry increments its generation, so an id kept after its timer ended
 * never matches the entry's next occupant. Generations start at 1, so no id is ever
 * {@link TimingWheel#NO_TIMER} (0). The generation wraps after 2^31 reuses of one index; a stale
 * id would have to be used at exactly a multiple of that to be confused, which we accept.
 *
 * <h2>State word</h2>
 * <pre>
 *   bits 33..63  generation (31 bits)
 *   bits 30..32  status: FREE, PENDING, FIRED, CANCELLED, RUNNING, MOVING
 *   bits  0..29  free-list link: index + 1 of the next free entry, 0 at the end
 * </pre>
 * Free entries form a lock-free (Treiber) stack whose head carries a 32-bit tag against ABA. The
 * stack is LIFO on purpose: the entry released last is the one reused next, while it is still in
 * the cache.
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

    private static final int INDEX_BITS = 30;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final int GENERATION_BITS = 31;
    private static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;

    private static final int LINK_MASK = (1 << 30) - 1;
    private static final int STATUS_SHIFT = 30;
    private static final long STATUS_MASK = 0b111L << STATUS_SHIFT;
    private static final int WORD_GENERATION_SHIFT = 33;

    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CHUNK_REF = MethodHandles.arrayElementVarHandle(long[][].class);

    private final int capacity;
    private final long[][] words;
    private final long[][] deadlines;
    private final int[][] nexts;
    private final int[][] prevs;
    private final Object[][] payloads;

    /** Tagged head of the free stack: {@code tag << 32 | (index + 1)}; 0 in the low half means empty. */
    private final AtomicLong freeHead = new AtomicLong();
    /** Entries never used yet start here; it only grows, up to {@link #capacity}. */
    private final AtomicInteger freshIndex = new AtomicInteger();

    EntryStore(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be between 1 and " + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        int chunks = (int) (((long) capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        this.words = new long[chunks][];
        this.deadlines = new long[chunks][];
        this.nexts = new int[chunks][];
        this.prevs = new int[chunks][];
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
        long generation = generationOf(id);
        return id > 0 && generation != 0 && indexOf(id) < capacity && (id >>> (INDEX_BITS + GENERATION_BITS)) == 0;
    }

    // ---------------------------------------------------------------- allocation (any thread)

    /**
     * Takes a free entry, stores its deadline and payload, marks it {@code PENDING} and returns its
     * id. Any thread. The entry is in no list: the owner thread links it later.
     *
     * @return the new id, or {@link TimingWheel#NO_TIMER} if all {@link #capacity} entries are in use
     */
    long allocate(long deadlineTick, Object payload) {
        int index = popFree();
        if (index == NIL) {
            index = takeFresh();
            if (index == NIL) {
                return TimingWheel.NO_TIMER;
            }
        }
        int chunk = index >>> CHUNK_SHIFT;
        int offset = index & CHUNK_INDEX_MASK;
        long[] wordChunk = words[chunk];
        long generation = wordGeneration((long) WORD.getVolatile(wordChunk, offset));
        deadlines[chunk][offset] = deadlineTick;
        payloads[chunk][offset] = payload;
        nexts[chunk][offset] = DETACHED;
        prevs[chunk][offset] = NIL;
        // Release: whoever later reads PENDING from this word (a canceller's CAS) also sees the payload.
        WORD.setRelease(wordChunk, offset, word(generation, PENDING, 0));
        return idOf(index, generation);
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
            deadlines[chunk] = new long[size];
            nexts[chunk] = new int[size];
            prevs[chunk] = new int[size];
            payloads[chunk] = new Object[size];
            // Published last, with release: a thread that sees the word chunk sees the others.
            CHUNK_REF.setRelease(words, chunk, new long[size]);
        }
    }

    /**
     * Returns an entry to the free stack with the next generation, dropping its payload. Any
     * thread, but only by the one that holds the entry (the owner thread, or a producer handing
     * back an id it never published).
     */
    void release(int index) {
        int chunk = index >>> CHUNK_SHIFT;
        int offset = index & CHUNK_INDEX_MASK;
        payloads[chunk][offset] = null;
        nexts[chunk][offset] = DETACHED;
        prevs[chunk][offset] = NIL;
        long[] wordChunk = words[chunk];
        long generation = (wordGeneration((long) WORD.getVolatile(wordChunk, offset)) + 1) & GENERATION_MASK;
        if (generation == 0) {
            generation = 1;
        }
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
        if (!isWellFormed(id)) {
            return FREE;
        }
        int index = indexOf(id);
        long[] chunk = chunkOrNull(index);
        if (chunk == null) {
            return FREE;
        }
        long word = (long) WORD.getVolatile(chunk, index & CHUNK_INDEX_MASK);
        return wordGeneration(word) == generationOf(id) ? wordStatus(word) : FREE;
    }

    /** True if {@code id} names an allocated entry (any status but {@link #FREE}). */
    boolean isLive(long id) {
        return status(id) != FREE;
    }

    /**
     * Atomically moves the entry {@code id} from status {@code expected} to {@code update}. Fails
     * if the id is stale or the status differs. Any thread.
     */
    boolean compareAndSetStatus(long id, int expected, int update) {
        if (!isWellFormed(id)) {
            return false;
        }
        int index = indexOf(id);
        long[] chunk = chunkOrNull(index);
        if (chunk == null) {
            return false;
        }
        long generation = generationOf(id);
        // An allocated entry's link bits are zero, so the whole word is known.
        return WORD.compareAndSet(chunk, index & CHUNK_INDEX_MASK,
                word(generation, expected, 0), word(generation, update, 0));
    }

    /**
     * Atomically moves the entry {@code id} to status {@code update} from whichever status it has,
     * if that status is in {@code allowedStatuses} (a bit mask, bit {@code s} for status
     * {@code s}). Retries when the status changes between the read and the compare-and-set, so a
     * concurrent transition between two allowed statuses never makes it fail. Any thread.
     */
    boolean compareAndSetStatusFromAny(long id, int allowedStatuses, int update) {
        if (!isWellFormed(id)) {
            return false;
        }
        int index = indexOf(id);
        long[] chunk = chunkOrNull(index);
        if (chunk == null) {
            return false;
        }
        int offset = index & CHUNK_INDEX_MASK;
        long generation = generationOf(id);
        while (true) {
            long word = (long) WORD.getVolatile(chunk, offset);
            int status = wordStatus(word);
            if (wordGeneration(word) != generation || (allowedStatuses & (1 << status)) == 0) {
                return false;
            }
            if (status == update
                    || WORD.compareAndSet(chunk, offset, word(generation, status, 0), word(generation, update, 0))) {
                return true;
            }
        }
    }

    private long[] chunkOrNull(int index) {
        int chunk = index >>> CHUNK_SHIFT;
        return (long[]) CHUNK_REF.getAcquire(words, chunk);
    }

    // ---------------------------------------------------------------- fields (owner thread)

    long deadline(int index) {
        return deadlines[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK];
    }

    void deadline(int index, long deadlineTick) {
        deadlines[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK] = deadlineTick;
    }

    Object payload(int index) {
        return payloads[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK];
    }

    void payload(int index, Object payload) {
        payloads[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK] = payload;
    }

    int next(int index) {
        return nexts[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK];
    }

    void next(int index, int next) {
        nexts[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK] = next;
    }

    int prev(int index) {
        return prevs[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK];
    }

    void prev(int index, int prev) {
        prevs[index >>> CHUNK_SHIFT][index & CHUNK_INDEX_MASK] = prev;
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
        return bytes;
    }
}
