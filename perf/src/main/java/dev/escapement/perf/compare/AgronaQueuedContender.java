package dev.escapement.perf.compare;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * Agrona's single-threaded {@link DeadlineTimerWheel} made usable from many threads the way an
 * Agrona user would: producers offer a small handle to a {@link ManyToOneConcurrentArrayQueue}, and
 * an {@link Agent} on an {@link AgentRunner} (with Agrona's {@link BackoffIdleStrategy}) drains
 * it into the wheel, polls the wheel up to "now", and maps expired wheel ids back to their handles
 * with a {@link Long2ObjectHashMap}. A cancel is a compare-and-set on the handle, then the same
 * handle offered again so the agent removes it from the wheel. The wheel is sized for the
 * population ({@link AgronaWheels}).
 *
 * <p>Thread-safety: as {@link TimerContender}; the wheel and the map belong to the agent thread.
 */
final class AgronaQueuedContender implements TimerContender {

    private static final int QUEUE_CAPACITY = 1 << 20;
    private static final int DRAIN_LIMIT = 16_384;
    private static final int POLL_LIMIT = 16_384;

    private ManyToOneConcurrentArrayQueue<Handle> queue;
    private AgentRunner runner;
    private Handle[] handles;

    /** A timer as the producer sees it; offered once to schedule it and once more to cancel it. */
    static final class Handle {
        static final int PENDING = 0;
        static final int CANCELLED = 1;
        static final int FIRED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Handle.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long deadlineNs;
        final FireAction action;
        volatile int state;
        /** Agent thread only. */
        long wheelId = DeadlineTimerWheel.NULL_DEADLINE;

        Handle(long deadlineNs, FireAction action) {
            this.deadlineNs = deadlineNs;
            this.action = action;
        }

        boolean transition(int from, int to) {
            return STATE.compareAndSet(this, from, to);
        }
    }

    /** The agent: the only code that touches the wheel and the id map. */
    private static final class WheelAgent implements Agent, DeadlineTimerWheel.TimerHandler {
        private final ManyToOneConcurrentArrayQueue<Handle> queue;
        private final DeadlineTimerWheel wheel;
        private final Long2ObjectHashMap<Handle> byWheelId = new Long2ObjectHashMap<>();

        WheelAgent(ManyToOneConcurrentArrayQueue<Handle> queue, DeadlineTimerWheel wheel) {
            this.queue = queue;
            this.wheel = wheel;
        }

        @Override
        public int doWork() {
            int work = queue.drain(this::apply, DRAIN_LIMIT);
            long nowNs = System.nanoTime();
            int expired = 0;
            do {
                expired += wheel.poll(nowNs, this, POLL_LIMIT - expired);
            } while (expired < POLL_LIMIT && wheel.currentTickTime() <= nowNs);
            return work + expired;
        }

        private void apply(Handle handle) {
            if (handle.wheelId == DeadlineTimerWheel.NULL_DEADLINE) {
                if (handle.state == Handle.PENDING) {
                    handle.wheelId = wheel.scheduleTimer(handle.deadlineNs);
                    byWheelId.put(handle.wheelId, handle);
                }
                // A handle cancelled before it reached the wheel is dropped here.
            } else if (byWheelId.remove(handle.wheelId) != null) {
                wheel.cancelTimer(handle.wheelId);
            }
        }

        @Override
        public boolean onTimerExpiry(TimeUnit timeUnit, long now, long timerId) {
            Handle handle = byWheelId.remove(timerId);
            if (handle != null && handle.transition(Handle.PENDING, Handle.FIRED)) {
                handle.action.fire();
            }
            return true;
        }

        @Override
        public String roleName() {
            return "tmr-agrona";
        }
    }

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        queue = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
        DeadlineTimerWheel wheel = AgronaWheels.sizedFor(slots, maxDelayNs, System.nanoTime());
        runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, new WheelAgent(queue, wheel));
        AgentRunner.startOnThread(runner, NamedThreads.factory("tmr-agrona"));
        handles = new Handle[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        Handle handle = new Handle(System.nanoTime() + delayNs, action);
        handles[slot] = handle;
        offer(handle);
    }

    @Override
    public void cancel(int slot) {
        Handle handle = handles[slot];
        if (handle != null) {
            handles[slot] = null;
            if (handle.transition(Handle.PENDING, Handle.CANCELLED)) {
                offer(handle);
            }
        }
    }

    private void offer(Handle handle) {
        while (!queue.offer(handle)) {
            Thread.yield();
        }
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
        runner = null;
        queue = null;
        handles = null;
    }
}
