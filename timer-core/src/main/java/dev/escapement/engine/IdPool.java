package dev.escapement.engine;

import org.jctools.queues.MpmcArrayQueue;

/**
 * The entries of the id path: a registry from index to entry, and free entries handed from the
 * timer thread (which retires them) to producers (which take them) in chains, so that neither
 * side writes a shared line per timer.
 *
 * <p>Thread-safety: {@link #take} and {@link #giveBack} from any thread, each on its own
 * per-thread chain; {@link #retire} and {@link #flushRetired} from the timer thread only;
 * {@link #lookup} from any thread.
 *
 * <h2>How free entries travel</h2>
 * The timer thread strings retired entries into a chain through {@link IdEntry#nextFree} and,
 * every {@value #CHAIN} entries and at the end of each pass, offers the chain's head to an MPMC
 * queue. A producer keeps a chain of its own in a thread-local and polls the queue only when it
 * is empty: one atomic operation per chain, not per timer. An entry a producer cancels before the
 * timer thread saw it goes straight back into that producer's own entries, which it uses first;
 * past two chains' worth they go to the queue. When no chain is free the pool grows by a chain of
 * new entries, under a lock, up to {@link #MAX_ENTRIES}. A producer whose thread ends keeps its
 * entries: at most a few chains' worth stay unused.
 */
final class IdPool {

    /** The most id-path entries: indices fit in 30 bits. */
    static final int MAX_ENTRIES = 1 << 30;
    static final int CHAIN = 64;
    private static final int CHUNK_BITS = 12;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final MpmcArrayQueue<IdEntry> chains = new MpmcArrayQueue<>(1 << 14);
    /** Every thread's entries, so that their counts can be summed. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Magazine> magazines = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ThreadLocal<Magazine> local = ThreadLocal.withInitial(() -> {
        Magazine magazine = new Magazine();
        magazines.add(magazine);
        return magazine;
    });
    private volatile IdEntry[][] chunks = new IdEntry[0][];
    private int created;

    // Timer thread only.
    private IdEntry retiredHead;
    private IdEntry retiredTail;
    private int retiredCount;

    /**
     * A thread's own free entries: the ones it gave back (used first: they are in its cache) and
     * a chain it took from the hand-off queue or the pool's growth.
     */
    private static final class Magazine {
        IdEntry returned;
        int returnedCount;
        IdEntry taken;
        /** Timers this thread cancelled and took back before the timer thread saw them. */
        final java.util.concurrent.atomic.AtomicLong recalled = new java.util.concurrent.atomic.AtomicLong();
    }

    /**
     * Any thread: a free entry, or null if the pool is at {@link #MAX_ENTRIES}.
     */
    IdEntry take() {
        Magazine own = local.get();
        IdEntry entry = own.returned;
        if (entry != null) {
            own.returned = entry.nextFree;
            own.returnedCount--;
        } else {
            entry = own.taken;
            if (entry == null) {
                entry = chains.relaxedPoll();
                if (entry == null) {
                    entry = grow();
                    if (entry == null) {
                        return null;
                    }
                }
            }
            own.taken = entry.nextFree;
        }
        entry.nextFree = null;
        return entry;
    }

    /**
     * Any thread: an entry back into this thread's own: one it took and never offered, or one it
     * cancelled before the timer thread saw it. Two hand-offs' worth go to the other threads.
     */
    void giveBack(IdEntry entry) {
        giveBack(local.get(), entry);
    }

    /**
     * Any thread: a timer it cancelled before the timer thread saw it, counted here (the timer
     * thread never will) as one scheduled and one cancelled.
     */
    void recall(IdEntry entry) {
        Magazine own = local.get();
        // Only this thread writes its count: a plain read and an ordered store suffice.
        own.recalled.lazySet(own.recalled.get() + 1);
        giveBack(own, entry);
    }

    /** @return timers taken back by their cancellers before the timer thread saw them, over all threads */
    long recalled() {
        long sum = 0;
        for (Magazine magazine : magazines) {
            sum += magazine.recalled.get();
        }
        return sum;
    }

    private void giveBack(Magazine own, IdEntry entry) {
        entry.nextFree = own.returned;
        own.returned = entry;
        if (++own.returnedCount >= 2 * CHAIN && chains.relaxedOffer(own.returned)) {
            own.returned = null;
            own.returnedCount = 0;
        }
    }

    private synchronized IdEntry grow() {
        int count = Math.min(CHAIN, MAX_ENTRIES - created);
        if (count <= 0) {
            return null;
        }
        IdEntry[][] current = chunks;
        int needed = (created + count + CHUNK - 1) >>> CHUNK_BITS;
        if (needed > current.length) {
            IdEntry[][] grown = java.util.Arrays.copyOf(current, needed);
            for (int c = current.length; c < needed; c++) {
                grown[c] = new IdEntry[CHUNK];
            }
            current = grown;
        }
        IdEntry head = null;
        for (int i = count - 1; i >= 0; i--) {
            int index = created + i;
            IdEntry entry = new IdEntry(index);
            current[index >>> CHUNK_BITS][index & (CHUNK - 1)] = entry;
            entry.nextFree = head;
            head = entry;
        }
        created += count;
        // Publishes the new entries to lookup() on other threads.
        chunks = current;
        return head;
    }

    /**
     * Any thread.
     *
     * @return the entry an id names by its index, whatever its generation, or null
     */
    IdEntry lookup(long id) {
        if (id <= 0) {
            return null;
        }
        long index = id & IdEntry.INDEX_MASK;
        IdEntry[][] current = chunks;
        long chunk = index >>> CHUNK_BITS;
        if (chunk >= current.length) {
            return null;
        }
        return current[(int) chunk][(int) (index & (CHUNK - 1))];
    }

    /** Timer thread: an entry whose timer is over, already {@link IdEntry#retire() retired}. */
    void retire(IdEntry entry) {
        if (retiredHead == null) {
            retiredHead = entry;
        } else {
            retiredTail.nextFree = entry;
        }
        retiredTail = entry;
        if (++retiredCount == CHAIN) {
            flushRetired();
        }
    }

    /** Timer thread: hands the retired entries to producers. */
    void flushRetired() {
        if (retiredHead == null) {
            return;
        }
        if (chains.relaxedOffer(retiredHead)) {
            retiredHead = null;
            retiredTail = null;
            retiredCount = 0;
        }
        // A full hand-off queue means producers hold plenty; the chain keeps growing here.
    }

}
