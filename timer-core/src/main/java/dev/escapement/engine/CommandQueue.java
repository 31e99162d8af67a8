package dev.escapement.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

/**
 * The one way commands reach the timer thread: a bounded JCTools MPSC queue, the rule for when a
 * producer wakes the timer thread, and the rule for when the timer thread takes what is queued.
 *
 * <p>Thread-safety: {@link #offer} from any thread; the drain and park methods from the timer
 * thread only (the thread that drives the engine).
 *
 * <h2>Taking commands late, on purpose</h2>
 * Most protocol timeouts are cancelled soon after they are scheduled. A timer the timer thread
 * has not linked yet is cancelled by one compare-and-set, and costs the timer thread one read
 * when its command comes up; a linked one costs an unlink command and an unlink, and the cache
 * lines of its neighbours. So while commands keep arriving, the timer thread drains only those
 * queued at least {@link #HOLD_NS} ago, once every {@link #CADENCE_NS} or so: a timer cancelled
 * within that time never touches the wheel. Nothing is late for it: a producer whose deadline
 * falls within the hold asks for a {@linkplain #requestFlush() flush}, and the next pass takes
 * everything. A pass also takes everything when the queue is a quarter full, when the thread is
 * about to sleep longer than the hold, and at stop.
 *
 * <h2>Wake-up rule</h2>
 * Before parking, the timer thread announces the time it will sleep until, then looks at the
 * queue once more. A producer, after its offer, reads the announcement and unparks the thread
 * only if it is parked and either the producer's deadline comes before the announced time, or
 * the thread is parked for longer than {@link #FAR_NS} (so queued work is picked up within a few
 * milliseconds), or the queue is half full. The first producer to claim the wake-up by
 * compare-and-set pays for the system call. Both sides write a volatile and then read the
 * other's, so no wake-up is lost. While the thread works through a burst it parks for at most
 * {@link #CADENCE_NS}, so a schedule from another thread costs one offer and no system call.
 */
final class CommandQueue {

    /** How long a command waits in the queue while the timer thread is busy. */
    static final long HOLD_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often a busy timer thread looks at the queue. */
    static final long CADENCE_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A thread parked longer than this is woken by any command. */
    static final long FAR_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The announcement while the timer thread is not parked. */
    static final long NOT_PARKED = Long.MIN_VALUE;

    /** Commands applied in one batch (see {@link #applyBatch}). */
    private static final int BATCH = 256;
    /** Queue-position samples kept to find what was queued a hold ago. */
    private static final int SAMPLES = 16;
    private static final long SAMPLE_EVERY_NS = HOLD_NS / 4;

    private static final VarHandle PARKED_UNTIL_NS;
    private static final VarHandle FLUSH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PARKED_UNTIL_NS = lookup.findVarHandle(CommandQueue.class, "parkedUntilNs", long.class);
            FLUSH = lookup.findVarHandle(CommandQueue.class, "flush", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MpscArrayQueue<Command> queue;
    /**
     * Offers the bounded queue refused from owners that must not be refused (a connection's own
     * entry): unbounded, taken whole every pass. Empty but under overload, and a node is
     * allocated only then.
     */
    private final ConcurrentLinkedQueue<TimerEntry> overflow = new ConcurrentLinkedQueue<>();
    private final int capacity;
    private final LongAdder wakeups = new LongAdder();

    // Read by producers on every offer, written by the timer thread a few times per pass.
    private volatile long parkedUntilNs = NOT_PARKED;
    private volatile int flush;
    private volatile boolean closing;
    /** Written by the timer thread only; see {@link #backlog}. */
    private volatile long taking;
    private volatile Thread timerThread;

    // Timer thread only.
    /** Commands taken from the queue and not yet applied: a batch. */
    private final Command[] batch = new Command[BATCH];
    private int batchCount;
    private final MessagePassingQueue.Consumer<Command> collect = command -> batch[batchCount++] = command;
    /** Sums the state words touched ahead of a batch, so the reads cannot be dropped. */
    private int touched;
    private final long[] sampleTimesNs = new long[SAMPLES];
    private final long[] sampleIndexes = new long[SAMPLES];
    private int samples;

    CommandQueue(int capacity) {
        this.capacity = capacity;
        this.queue = new MpscArrayQueue<>(capacity);
    }

    void timerThread(Thread thread) {
        this.timerThread = thread;
    }

    int capacity() {
        return capacity;
    }

    // ------------------------------------------------------------------ producers

    /**
     * Offers a command and wakes the timer thread if the wake-up rule asks for it.
     *
     * @param command    the command
     * @param deadlineNs the earliest deadline the command brings, in the engine's nanoseconds, or
     *                   {@link Long#MAX_VALUE}
     * @param nowNs      the producer's idea of now (a cached reading will do)
     * @param flush      whether the next pass must take it even if it was queued just now: its
     *                   deadline falls within the hold, or it must be applied promptly
     * @param keep       whether a full queue must not refuse it: it then goes to the overflow
     *                   (only for a {@link TimerEntry} its owner keeps for good)
     * @return false if the queue is full (never when {@code keep})
     */
    boolean offer(Command command, long deadlineNs, long nowNs, boolean flush, boolean keep) {
        if (!queue.offer(command)) {
            TimerEvents.backpressure(capacity());
            if (!keep) {
                return false;
            }
            overflow.offer((TimerEntry) command);
            flush = true;
        }
        if (flush) {
            // After the offer: a pass that sees the flag also sees the command.
            requestFlush();
        }
        long parked = parkedUntilNs;
        if (parked != NOT_PARKED
                && (deadlineNs < parked || parked - nowNs > FAR_NS || queue.size() >= capacity >> 1)) {
            wake(parked);
        }
        return true;
    }

    /** Asks the next pass to take every queued command, not only those held long enough. */
    void requestFlush() {
        if (flush == 0) {
            flush = 1;
        }
    }

    /** Any thread: the timer thread must not park again, and is woken if it is parked (stop). */
    void close() {
        closing = true;
        PARKED_UNTIL_NS.setVolatile(this, NOT_PARKED);
        Thread thread = timerThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Any thread: unpark the timer thread whatever it sleeps towards (a request). */
    void wakeUp() {
        long parked = parkedUntilNs;
        if (parked != NOT_PARKED) {
            wake(parked);
        }
    }

    private void wake(long parked) {
        if (PARKED_UNTIL_NS.compareAndSet(this, parked, NOT_PARKED)) {
            wakeups.increment();
            Thread thread = timerThread;
            if (thread != null) {
                LockSupport.unpark(thread);
            }
        }
    }

    int size() {
        return queue.size();
    }

    /**
     * The commands the pending bound must count: those queued, plus those the timer thread has
     * taken since it last published how many timers it holds. It counts them as taken before it
     * takes them, so a producer never sees a command in neither place.
     */
    long backlog() {
        long queued = queue.size();
        return queued + taking;
    }

    /** Timer thread: its published count now includes every command it has taken. */
    void published() {
        taking = 0;
    }

    boolean isApplyingBackpressure() {
        return queue.size() >= capacity - (capacity >> 2);
    }

    long wakeups() {
        return wakeups.sum();
    }

    // ------------------------------------------------------------------ the timer thread

    /**
     * Applies the commands due this pass, in queue order: those queued at least a hold ago, or
     * every one when a flush was asked for, the queue is a quarter full, or {@code everything}.
     * Relaxed: it stops at a slot a producer has claimed but not written yet.
     *
     * @return how many commands were applied
     */
    int drain(MessagePassingQueue.Consumer<Command> consumer, long nowNs, int limit, boolean everything) {
        int overflowed = 0;
        for (TimerEntry entry = overflow.poll(); entry != null; entry = overflow.poll()) {
            consumer.accept(entry);
            overflowed++;
        }
        return overflowed + drainQueue(consumer, nowNs, limit, everything);
    }

    private int drainQueue(MessagePassingQueue.Consumer<Command> consumer, long nowNs, int limit, boolean everything) {
        // Take the flag before reading the queue's position: a flag set after its command was
        // offered then always finds that command within the position read.
        boolean flushed = flush != 0 && (int) FLUSH.getAndSet(this, 0) != 0;
        long producerIndex = queue.currentProducerIndex();
        sample(nowNs, producerIndex);
        long consumerIndex = queue.currentConsumerIndex();
        long queued = producerIndex - consumerIndex;
        if (queued <= 0) {
            return 0;
        }
        boolean all = everything || flushed || queued >= capacity >> 2;
        long due = all ? queued : heldSince(nowNs - HOLD_NS) - consumerIndex;
        if (due <= 0) {
            return 0;
        }
        int wanted = (int) Math.min(due, limit);
        int applied = 0;
        while (applied < wanted) {
            int taken = applyBatch(consumer, Math.min(BATCH, wanted - applied));
            if (taken == 0) {
                break;
            }
            applied += taken;
        }
        if (flushed && applied < wanted) {
            // Stopped at a slot claimed but not written yet, or at the limit: the next pass
            // must still take the commands the flag was raised for.
            requestFlush();
        }
        return applied;
    }

    /**
     * Takes up to {@code max} commands and applies them. Each command is a timer the producer
     * wrote a while ago, so reading it is a cache miss; the state words of the whole batch are
     * read first, independent loads the processor overlaps, rather than one miss after another.
     */
    private int applyBatch(MessagePassingQueue.Consumer<Command> consumer, int max) {
        batchCount = 0;
        taking = taking + max;
        int taken = queue.drain(collect, max);
        int sum = 0;
        for (int i = 0; i < taken; i++) {
            if (batch[i] instanceof TimerEntry entry) {
                sum += entry.state();
            }
        }
        touched += sum;
        for (int i = 0; i < taken; i++) {
            Command command = batch[i];
            batch[i] = null;
            consumer.accept(command);
        }
        return taken;
    }

    /**
     * Applies every command whose slot was claimed before this call, waiting for a producer that
     * has claimed a slot and not yet written it (a strict poll waits; a relaxed drain would stop
     * there). For when no later pass will come: stop, and walks that must see every timer
     * scheduled before them.
     */
    int drainClaimed(MessagePassingQueue.Consumer<Command> consumer) {
        int applied = 0;
        for (TimerEntry entry = overflow.poll(); entry != null; entry = overflow.poll()) {
            consumer.accept(entry);
            applied++;
        }
        while (true) {
            taking = taking + 1;
            Command command = queue.poll();
            if (command == null) {
                return applied;
            }
            consumer.accept(command);
            applied++;
        }
    }

    boolean isEmpty() {
        return queue.isEmpty() && overflow.isEmpty();
    }

    private void sample(long nowNs, long producerIndex) {
        int latest = (samples - 1) & (SAMPLES - 1);
        if (samples == 0 || nowNs - sampleTimesNs[latest] >= SAMPLE_EVERY_NS) {
            int slot = samples & (SAMPLES - 1);
            sampleTimesNs[slot] = nowNs;
            sampleIndexes[slot] = producerIndex;
            samples++;
        }
    }

    /** The queue position the newest sample taken at or before {@code timeNs} saw, or 0. */
    private long heldSince(long timeNs) {
        long best = 0;
        long bestTimeNs = Long.MIN_VALUE;
        int kept = Math.min(samples, SAMPLES);
        for (int i = 0; i < kept; i++) {
            long sampledNs = sampleTimesNs[i];
            if (sampledNs <= timeNs && sampledNs > bestTimeNs) {
                bestTimeNs = sampledNs;
                best = sampleIndexes[i];
            }
        }
        return best;
    }

    /**
     * Announces a park until {@code untilNs} and parks, unless commands arrived that the
     * announcement may have missed or a flush was asked for.
     *
     * @param untilNs when to wake, in the engine's nanoseconds
     * @param nowNs   now, in the engine's nanoseconds
     * @param sleepNs how long to park; at least 1
     * @return false if it did not park
     */
    boolean park(long untilNs, long nowNs, long sleepNs) {
        parkedUntilNs = untilNs;
        if (flush != 0 || closing || (untilNs - nowNs > CADENCE_NS && !isEmpty())) {
            // A producer that read "not parked" relied on this pass seeing its command.
            parkedUntilNs = NOT_PARKED;
            return false;
        }
        LockSupport.parkNanos(this, sleepNs);
        parkedUntilNs = NOT_PARKED;
        return true;
    }
}
