package dev.escapement;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscChunkedArrayQueue;

/**
 * The one way commands reach the timer thread: a bounded JCTools MPSC queue, a pool of command
 * objects for the id path, and the wake-up rule.
 *
 * <p>Thread-safety: {@link #offer} and {@link #borrow} from any thread; the drain and park
 * methods from the timer thread only.
 *
 * <h2>Wake-up rule</h2>
 * Before parking, the timer thread announces the tick it will sleep until, then checks the queue
 * once more. A producer, after its offer, reads that announcement and unparks the thread only if
 * the thread is parked and either the new deadline is earlier than the announced tick or the queue
 * has grown to {@link #wakeBatch} commands (so cancels and far-off schedules are applied in
 * batches, not left until the next deadline). The first producer to claim the wake-up, by
 * compare-and-set, is the only one that pays for the system call. Both sides write a volatile and
 * then read the other side's volatile, so either the timer thread sees the command or the producer
 * sees the announcement: no wake-up is lost.
 */
final class CommandProxy {

    /** Pooled id-path command objects kept for reuse. */
    static final int POOL_CAPACITY = 4096;

    /** {@link #parkedUntilTick} while the timer thread is not parked. */
    static final long AWAKE = Long.MIN_VALUE;

    private static final VarHandle PARKED_UNTIL_TICK;

    static {
        try {
            PARKED_UNTIL_TICK = MethodHandles.lookup().findVarHandle(CommandProxy.class, "parkedUntilTick", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MpscChunkedArrayQueue<Object> queue;
    private final MpmcArrayQueue<TimerCommand> pool;
    private final int capacity;
    private final int wakeBatch;
    private final LongAdder failedOffers = new LongAdder();
    private final LongAdder wakeups = new LongAdder();

    private volatile long parkedUntilTick = AWAKE;
    private volatile Thread timerThread;

    CommandProxy(int capacity) {
        this.capacity = capacity;
        this.queue = new MpscChunkedArrayQueue<>(Math.min(1024, capacity / 2), capacity);
        // Enough for the id-path commands normally in flight; beyond it a command is allocated and
        // dropped after use. A larger pool costs 12 bytes per slot up front, in every timer.
        this.pool = new MpmcArrayQueue<>(Math.min(capacity, POOL_CAPACITY));
        this.wakeBatch = Math.max(1, Math.min(4096, capacity / 4));
    }

    void timerThread(Thread thread) {
        this.timerThread = thread;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Offers a command and wakes the timer thread if the wake-up rule asks for it.
     *
     * @param command      a handle, a {@link TimerCommand} or a batch
     * @param deadlineTick the earliest deadline the command brings, or {@code Long.MAX_VALUE}
     * @return false if the queue is full
     */
    boolean offer(Object command, long deadlineTick) {
        if (!queue.offer(command)) {
            failedOffers.increment();
            return false;
        }
        long sleepingUntil = parkedUntilTick;
        if (sleepingUntil != AWAKE
                && (deadlineTick < sleepingUntil || queue.size() >= wakeBatch)
                && PARKED_UNTIL_TICK.compareAndSet(this, sleepingUntil, AWAKE)) {
            wakeups.increment();
            LockSupport.unpark(timerThread);
        }
        return true;
    }

    /** A command object from the pool, or a new one while the pool is still filling. */
    TimerCommand borrow() {
        TimerCommand command = pool.relaxedPoll();
        return command != null ? command : new TimerCommand();
    }

    /** Timer thread: return a drained command to the pool. */
    void recycle(TimerCommand command) {
        command.clear();
        pool.relaxedOffer(command);
    }

    /**
     * Timer thread: applies up to {@code limit} commands in queue order. Relaxed: it stops at a
     * slot a producer has claimed but not yet written, leaving that command and those behind it
     * for the next pass.
     */
    int drain(MessagePassingQueue.Consumer<Object> consumer, int limit) {
        return queue.drain(consumer, limit);
    }

    /**
     * Timer thread: applies every command whose slot was claimed before this call, waiting for a
     * producer that has claimed a slot and not yet written it (a strict poll spins on such a slot;
     * a relaxed drain would stop there). Used where no later pass will come: at shutdown, and
     * before a walk that must see every timer scheduled before it.
     *
     * @return the number of commands applied
     */
    int drainClaimed(MessagePassingQueue.Consumer<Object> consumer) {
        int applied = 0;
        for (Object command = queue.poll(); command != null; command = queue.poll()) {
            consumer.accept(command);
            applied++;
        }
        return applied;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int depth() {
        return queue.size();
    }

    /** True when the queue is at least three quarters full: producers are outrunning the timer. */
    boolean isApplyingBackpressure() {
        return queue.size() >= capacity - (capacity >> 2);
    }

    long failedOffers() {
        return failedOffers.sum();
    }

    long wakeups() {
        return wakeups.sum();
    }

    /**
     * Timer thread: announces a park until {@code tick}; returns false, and cancels the
     * announcement, if commands arrived meanwhile.
     */
    boolean announcePark(long tick) {
        parkedUntilTick = tick;
        if (!queue.isEmpty()) {
            parkedUntilTick = AWAKE;
            return false;
        }
        return true;
    }

    /** Timer thread: back from parking. */
    void awake() {
        parkedUntilTick = AWAKE;
    }

    /** Any thread: unpark the timer thread unconditionally (stop, a new earliest batch). */
    void wakeUp() {
        parkedUntilTick = AWAKE;
        Thread thread = timerThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
