package dev.escapement.connection;

import dev.escapement.GlobalTimer;
import dev.escapement.engine.Engines;
import dev.escapement.engine.TimerEngine;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Executor;

/**
 * The live {@link TimerManager}s of one {@link GlobalTimer}, by connection id: a second live
 * manager for an id is refused, and {@link dev.escapement.TimerStats#activeConnections()} counts
 * them. One registry per timer, kept in the timer's engine; it also keeps the
 * {@linkplain ManagerShape shapes} its managers share.
 *
 * <h2>Layout</h2>
 * Sixteen stripes, each an open-addressing table of manager references (linear probing, deletion
 * by backward shift, at most three quarters full), so that a connection costs one 4-byte slot at
 * a load between 3/8 and 3/4 (about 8 bytes at a million connections), with no node and no boxed
 * id. The id is read from the manager itself. A table is kept in chunks of at most
 * {@value #CHUNK} slots: a single array of millions of slots would be a humongous object to G1,
 * which rounds it up to whole regions (at 10 M connections that doubled the registry). Registering and unregistering happen once per
 * connection, so a stripe's monitor is cheap enough; the stripes keep event loops that open
 * connections at once apart.
 *
 * <p>Thread-safety: any thread; every table access holds its stripe's monitor, which also
 * publishes a manager's final fields to the threads that probe past it.
 */
final class ConnectionRegistry {

    private static final int STRIPES = 16;
    private static final int FIRST_CAPACITY = 16;
    private static final int CHUNK_BITS = 14;
    /** Slots per chunk: 64 KiB of references, far below any G1 region's humongous threshold. */
    private static final int CHUNK = 1 << CHUNK_BITS;
    /** Beyond this many distinct configurations a shape is no longer cached: a bound on the cache. */
    private static final int MAX_SHAPES = 1024;

    private final TimerEngine engine;
    private final Stripe[] stripes = new Stripe[STRIPES];
    private final ConcurrentHashMap<ManagerShape.Key, ManagerShape<?>> shapes = new ConcurrentHashMap<>();
    private final long unseededSpreadSeed = ThreadLocalRandom.current().nextLong();

    /** One stripe's table: {@code capacity} slots (a power of two) in chunks. Its monitor guards it. */
    private static final class Stripe {
        AbstractTimerManager<?>[][] chunks = {new AbstractTimerManager<?>[FIRST_CAPACITY]};
        int capacity = FIRST_CAPACITY;
        int size;

        AbstractTimerManager<?> get(int index) {
            return chunks[index >>> CHUNK_BITS][index & (CHUNK - 1)];
        }

        void set(int index, AbstractTimerManager<?> manager) {
            chunks[index >>> CHUNK_BITS][index & (CHUNK - 1)] = manager;
        }
    }

    private static AbstractTimerManager<?>[][] newChunks(int capacity) {
        AbstractTimerManager<?>[][] chunks = new AbstractTimerManager<?>[Math.max(1, capacity >>> CHUNK_BITS)][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = new AbstractTimerManager<?>[Math.min(capacity, CHUNK)];
        }
        return chunks;
    }

    private ConnectionRegistry(TimerEngine engine) {
        this.engine = engine;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    static ConnectionRegistry of(GlobalTimer timer) {
        TimerEngine engine = Engines.of(timer);
        return engine.connectionRegistry(() -> new ConnectionRegistry(engine));
    }

    /**
     * The shape of managers configured so, shared by all of them while fewer than
     * {@value #MAX_SHAPES} configurations exist (a new one each time beyond that).
     */
    @SuppressWarnings("unchecked")
    <E extends Enum<E>> ManagerShape<E> shape(GlobalTimer timer, Class<E> eventType, E[] types, long[] spreadsNs,
                                             boolean seeded, long seed, Executor wakeUpExecutor) {
        long spreadSeed = seeded ? seed : unseededSpreadSeed;
        ManagerShape.Key key = new ManagerShape.Key(eventType, spreadsNs, seeded, spreadSeed, wakeUpExecutor);
        ManagerShape<?> shape = shapes.get(key);
        if (shape == null) {
            ManagerShape<E> created = new ManagerShape<>(timer, engine, this, eventType, types, spreadsNs, spreadSeed,
                    wakeUpExecutor);
            if (shapes.size() >= MAX_SHAPES) {
                return created;
            }
            shape = shapes.putIfAbsent(key, created);
            return shape == null ? created : (ManagerShape<E>) shape;
        }
        return (ManagerShape<E>) shape;
    }

    /** @return true if {@code manager}'s connection id had no live manager; it is registered then */
    boolean register(AbstractTimerManager<?> manager) {
        long id = manager.connectionId();
        long hash = ManagerShape.mix64(id);
        Stripe stripe = stripes[(int) (hash >>> 60)];
        synchronized (stripe) {
            int mask = stripe.capacity - 1;
            int index = (int) hash & mask;
            for (AbstractTimerManager<?> slot; (slot = stripe.get(index)) != null; index = (index + 1) & mask) {
                if (slot.connectionId() == id) {
                    return false;
                }
            }
            stripe.set(index, manager);
            if (++stripe.size * 4L > stripe.capacity * 3L) {
                grow(stripe);
            }
        }
        engine.connectionOpened();
        return true;
    }

    /** Removes {@code manager} if it is the live manager of its connection id. */
    void unregister(AbstractTimerManager<?> manager) {
        long hash = ManagerShape.mix64(manager.connectionId());
        Stripe stripe = stripes[(int) (hash >>> 60)];
        synchronized (stripe) {
            int mask = stripe.capacity - 1;
            int index = (int) hash & mask;
            for (AbstractTimerManager<?> slot; (slot = stripe.get(index)) != manager; index = (index + 1) & mask) {
                if (slot == null) {
                    return;
                }
            }
            removeAt(stripe, index);
            stripe.size--;
        }
        engine.connectionClosed();
    }

    /** Linear probing's deletion: later entries of the run move back so no probe stops short. */
    private static void removeAt(Stripe stripe, int removed) {
        int mask = stripe.capacity - 1;
        int hole = removed;
        for (int next = (hole + 1) & mask; stripe.get(next) != null; next = (next + 1) & mask) {
            int home = home(stripe.get(next), mask);
            // Move the entry into the hole unless its home lies cyclically in (hole, next].
            boolean homeAfterHole = hole <= next ? hole < home && home <= next : hole < home || home <= next;
            if (!homeAfterHole) {
                stripe.set(hole, stripe.get(next));
                hole = next;
            }
        }
        stripe.set(hole, null);
    }

    private static void grow(Stripe stripe) {
        AbstractTimerManager<?>[][] old = stripe.chunks;
        stripe.capacity *= 2;
        stripe.chunks = newChunks(stripe.capacity);
        int mask = stripe.capacity - 1;
        for (AbstractTimerManager<?>[] chunk : old) {
            for (AbstractTimerManager<?> manager : chunk) {
                if (manager != null) {
                    int index = home(manager, mask);
                    while (stripe.get(index) != null) {
                        index = (index + 1) & mask;
                    }
                    stripe.set(index, manager);
                }
            }
        }
    }

    private static int home(AbstractTimerManager<?> manager, int mask) {
        return (int) ManagerShape.mix64(manager.connectionId()) & mask;
    }

    /** @return the slots of every stripe's table: a test seam for the registry's footprint */
    int capacity() {
        int capacity = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                capacity += stripe.capacity;
            }
        }
        return capacity;
    }

    /** @return how many managers are registered: a test seam */
    int size() {
        int size = 0;
        for (Stripe stripe : stripes) {
            synchronized (stripe) {
                size += stripe.size;
            }
        }
        return size;
    }
}
