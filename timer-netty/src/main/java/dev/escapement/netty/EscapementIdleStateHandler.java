package dev.escapement.netty;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.AbstractTimerManager;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A replacement for Netty's {@code IdleStateHandler}, with the same constructor parameters and the
 * same events ({@link IdleStateEvent}: reader, writer and all idle, first and subsequent, with
 * {@code observeOutput}), whose deadlines live in one entry of the global wheel instead of in
 * tasks on the event loop's scheduler.
 *
 * <p>Thread-safety: confined to its channel's event loop, as every channel handler is; add it
 * without an {@code EventExecutorGroup} of its own, since write promises notify it on the channel's
 * event loop. Not sharable: it keeps per-channel state, and adding it to a second pipeline throws
 * {@link ChannelPipelineException}. If the global timer is stopped, idle detection ends; the
 * handler never throws into the pipeline for it.
 *
 * <h2>The handler is its channel's idle timers</h2>
 * The handler is itself a {@link TimerManager} of {@link IdleState}s: the wheel entry, the three
 * deadlines and the handler's state are one object of about 104 bytes, about half of what Netty's
 * handler and its scheduled tasks take per channel. It joins the global timer's registry when the
 * channel becomes active and leaves it when the channel goes inactive or the handler is removed.
 * Its {@link #deadline deadline(state)} tells when the next check of that state falls due. The
 * methods that change timeouts ({@code register}, {@code reset}, {@code cancel}, {@code close})
 * are the handler's own: calling them changes what it detects.
 *
 * <h2>What a read or a write costs</h2>
 * A read burst records the time once (at {@code channelReadComplete}: a refresh of the timer's
 * cached clock and a {@link TimerManager#reset reset}, which is a field write); a write records it
 * when its promise completes (a reset reading the clock refreshed at the last flush). Neither
 * reschedules anything: the channel's one wheel entry fires at the earliest deadline, and the
 * handler decides on the event loop what is due.
 *
 * <h2>Punctuality</h2>
 * The wheel entry fires a little before an idle time ends (an eighth of it, at most 10 ms), and the
 * event loop's own scheduler waits out the rest, so that an event arrives when Netty's would: the
 * timer thread's lateness on a loaded machine (it must get the CPU, then wake the event loop) is
 * hidden unless it exceeds that margin. Only an idle time that does end costs the event loop a
 * scheduled task; activity costs nothing, and an event is never early. On a timer whose clock is a
 * {@link ManualClock} (virtual time, which the event loop's scheduler does not follow) the wheel
 * entry fires at the end of the idle time itself.
 *
 * <h2>After the close</h2>
 * Once the channel is closed, no further idle event is fired and nothing is registered, as with
 * Netty's handler, whose idle tasks return when they find the channel closed. A handler that
 * closes the channel on READER_IDLE while WRITER_IDLE is due at the same time ends it there: the
 * WRITER_IDLE is dropped, although {@code channelInactive} has not arrived yet.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * pipeline.addLast(new EscapementIdleStateHandler(60, 30, 0));   // instead of IdleStateHandler
 * pipeline.addLast(new ChannelDuplexHandler() {
 *     public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
 *         if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
 *             ctx.close();
 *         }
 *     }
 * });
 * }</pre>
 */
public class EscapementIdleStateHandler extends AbstractTimerManager<IdleState>
        implements ChannelInboundHandler, ChannelOutboundHandler, ChannelFutureListener {

    /** As Netty's handler: a positive idle time shorter than this is raised to it. */
    private static final long MIN_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The most the wheel entry fires before an idle time ends; the event loop waits out the rest. */
    private static final long MAX_LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * The wake-up of every handler: hands the handler, which is its own wake-up task, to its
     * channel's executor. One shared executor, so that handlers share their manager shape.
     */
    private static final Executor WAKE_UP_ON_CHANNEL_LOOP =
            task -> ((EscapementIdleStateHandler) task).ctx.executor().execute(task);

    private static final IdleState[] STATES = IdleState.values();
    private static final int STATE_MASK = 0b11;
    private static final int NOT_STARTED = 0;
    private static final int INITIALIZED = 1;
    private static final int DESTROYED = 2;
    /** Between a read and the end of its burst: not idle, as with Netty's handler. */
    private static final int READING = 1 << 2;
    /** The next event of a state is its first since activity: shifted by the state's ordinal. */
    private static final int FIRST = 1 << 3;
    /** A state's wait is on the event loop's scheduler: shifted by the state's ordinal. */
    private static final int FINISHING = 1 << 6;
    private static final int FIRST_OF_EVERY_STATE = FIRST | FIRST << 1 | FIRST << 2;
    /**
     * Per state, 7 bits counting its waits on the event loop's scheduler, from bit 9 + 7 x ordinal:
     * a wait's task ends only the wait it was scheduled for, never a later one.
     */
    private static final int WAIT_SHIFT = 9;
    private static final int WAIT_BITS = 7;
    private static final int WAIT_MASK = (1 << WAIT_BITS) - 1;
    /** Inside this handler's flush: a write completing here reads the clock the flush refreshed. */
    private static final int FLUSHING = 1 << 30;

    private final IdleTimes times;
    /** Set when the handler is added; read by the timer thread for the wake-up. */
    private ChannelHandlerContext ctx;
    /** Lifecycle, READING, FLUSHING, and per state FIRST, FINISHING and the wait count. */
    private int flags = FIRST_OF_EVERY_STATE;
    /** With observeOutput only: what was last seen of the outbound buffer. */
    private OutputProgress output;

    /**
     * The idle times of handlers configured alike, shared by them (at most {@value #MAX_SHARED}
     * configurations are kept).
     */
    private record IdleTimes(long readerNs, long writerNs, long allNs, boolean observeOutput, boolean leads) {

        private static final int MAX_SHARED = 1024;
        private static final ConcurrentHashMap<IdleTimes, IdleTimes> SHARED = new ConcurrentHashMap<>();

        static IdleTimes of(boolean observeOutput, long reader, long writer, long all, TimeUnit unit, boolean leads) {
            Objects.requireNonNull(unit, "unit");
            IdleTimes times = new IdleTimes(idleNanos(reader, unit), idleNanos(writer, unit), idleNanos(all, unit),
                    observeOutput, leads);
            IdleTimes shared = SHARED.get(times);
            if (shared != null) {
                return shared;
            }
            if (SHARED.size() >= MAX_SHARED) {
                return times;
            }
            shared = SHARED.putIfAbsent(times, times);
            return shared != null ? shared : times;
        }

        private static long idleNanos(long time, TimeUnit unit) {
            return time <= 0 ? 0 : Math.max(unit.toNanos(time), MIN_TIMEOUT_NANOS);
        }

        /** The idle time of {@code state}, 0 if disabled. */
        long idleNs(IdleState state) {
            return switch (state) {
                case READER_IDLE -> readerNs;
                case WRITER_IDLE -> writerNs;
                case ALL_IDLE -> allNs;
            };
        }

        /** How long before the end of an idle time the wheel entry fires. */
        long leadNs(IdleState state) {
            return leads ? Math.min(idleNs(state) >> 3, MAX_LEAD_NANOS) : 0;
        }

        /** The delay of the wheel's check after activity: the idle time less the lead; 0 if disabled. */
        long checkNs(IdleState state) {
            return idleNs(state) - leadNs(state);
        }

        boolean watchesReads() {
            return readerNs > 0 || allNs > 0;
        }

        boolean watchesWrites() {
            return writerNs > 0 || allNs > 0;
        }
    }

    /** What observeOutput compares, as Netty's handler does; only handlers that observe output have it. */
    private static final class OutputProgress {
        /** Completed writes so far: what Netty compares as the last write time. */
        long writesCompleted;
        long lastChangeCheck;
        int lastMessageHashCode;
        long lastPendingWriteBytes;
        long lastFlushProgress;
    }

    /**
     * As {@code IdleStateHandler(int, int, int)}: idle times in seconds, 0 to disable.
     *
     * @param readerIdleTimeSeconds reader idle time
     * @param writerIdleTimeSeconds writer idle time
     * @param allIdleTimeSeconds    all idle time
     */
    public EscapementIdleStateHandler(int readerIdleTimeSeconds, int writerIdleTimeSeconds, int allIdleTimeSeconds) {
        this(readerIdleTimeSeconds, writerIdleTimeSeconds, allIdleTimeSeconds, TimeUnit.SECONDS);
    }

    /**
     * As {@code IdleStateHandler(long, long, long, TimeUnit)}.
     *
     * @param readerIdleTime reader idle time, 0 or less to disable
     * @param writerIdleTime writer idle time, 0 or less to disable
     * @param allIdleTime    all idle time, 0 or less to disable
     * @param unit           the unit of the three
     */
    public EscapementIdleStateHandler(long readerIdleTime, long writerIdleTime, long allIdleTime, TimeUnit unit) {
        this(false, readerIdleTime, writerIdleTime, allIdleTime, unit);
    }

    /**
     * As {@code IdleStateHandler(boolean, long, long, long, TimeUnit)}.
     *
     * @param observeOutput  whether a slow but progressing write counts as activity
     * @param readerIdleTime reader idle time, 0 or less to disable
     * @param writerIdleTime writer idle time, 0 or less to disable
     * @param allIdleTime    all idle time, 0 or less to disable
     * @param unit           the unit of the three
     */
    public EscapementIdleStateHandler(boolean observeOutput, long readerIdleTime, long writerIdleTime,
                                      long allIdleTime, TimeUnit unit) {
        this(GlobalTimer.shared(), observeOutput, readerIdleTime, writerIdleTime, allIdleTime, unit);
    }

    /**
     * As the other constructors, on a given global timer.
     *
     * @param timer          the global timer
     * @param observeOutput  whether a slow but progressing write counts as activity
     * @param readerIdleTime reader idle time, 0 or less to disable
     * @param writerIdleTime writer idle time, 0 or less to disable
     * @param allIdleTime    all idle time, 0 or less to disable
     * @param unit           the unit of the three
     */
    public EscapementIdleStateHandler(GlobalTimer timer, boolean observeOutput, long readerIdleTime,
                                      long writerIdleTime, long allIdleTime, TimeUnit unit) {
        // Registered lazily: a handler made in a ChannelInitializer whose channel never becomes
        // active costs the timer nothing and needs no close.
        super(TimerManager.builder(timer, ChannelTimers.nextConnectionId(), IdleState.class)
                .wakeUp(WAKE_UP_ON_CHANNEL_LOOP).registerLazily());
        // A manual clock is virtual time, which the event loop's scheduler does not follow.
        boolean leads = !(timer.clock() instanceof ManualClock);
        this.times = IdleTimes.of(observeOutput, readerIdleTime, writerIdleTime, allIdleTime, unit, leads);
    }

    /** @return the reader idle time in milliseconds, 0 if disabled */
    public long getReaderIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(times.readerNs());
    }

    /** @return the writer idle time in milliseconds, 0 if disabled */
    public long getWriterIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(times.writerNs());
    }

    /** @return the all idle time in milliseconds, 0 if disabled */
    public long getAllIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(times.allNs());
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * {@inheritDoc}
     *
     * @throws ChannelPipelineException if the handler was added before: it is not sharable
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (this.ctx != null) {
            throw new ChannelPipelineException(getClass().getName()
                    + " is not a @Sharable handler, so can't be added or removed multiple times.");
        }
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            initialize();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        if (ctx == this.ctx) {
            destroy();
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            initialize();
        }
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelUnregistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        initialize();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        destroy();
        ctx.fireChannelInactive();
    }

    private void initialize() {
        if ((flags & STATE_MASK) != NOT_STARTED) {
            return;
        }
        flags = (flags & ~STATE_MASK) | INITIALIZED;
        if (times.observeOutput()) {
            output = new OutputProgress();
            initOutputChanged();
        }
        for (IdleState state : STATES) {
            if (times.checkNs(state) > 0) {
                check(state, true);
            }
        }
    }

    /**
     * Registers the state's next check one check delay from now ({@code fresh}), or moves the
     * registered one there. A stopped global timer keeps no timeout of any connection any more:
     * detection ends, and the pipeline goes on without an exception.
     */
    private void check(IdleState state, boolean fresh) {
        try {
            if (fresh) {
                register(state, times.checkNs(state), TimeUnit.NANOSECONDS);
            } else {
                reset(state, times.checkNs(state), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException timerStopped) {
            // Nothing to keep the check in.
        }
    }

    private void destroy() {
        flags = (flags & ~STATE_MASK) | DESTROYED;
        close();
    }

    /** Whether activity still moves the checks: initialized and not closed. */
    private boolean isWatching() {
        return (flags & STATE_MASK) == INITIALIZED && !isClosed();
    }

    /**
     * Whether idle events may still be delivered: initialized, and the channel and the handler's
     * timers open, the check every handler of this package makes before it delivers or registers.
     */
    private boolean isLive() {
        return (flags & STATE_MASK) == INITIALIZED && ChannelTimers.isLive(ctx.channel(), this);
    }

    // ------------------------------------------------------------------ activity

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (times.watchesReads()) {
            flags |= READING | first(IdleState.READER_IDLE) | first(IdleState.ALL_IDLE);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if ((flags & READING) != 0) {
            flags &= ~READING;
            if (isWatching()) {
                // One clock read per read burst; the resets are field writes.
                refreshClock();
                renew(IdleState.READER_IDLE);
                renew(IdleState.ALL_IDLE);
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        // As Netty's handler: a void promise is fine when only reads are watched.
        if (times.watchesWrites()) {
            ctx.write(msg, promise.unvoid()).addListener(this);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * A write completed: the handler is the listener of every write's promise, so that a write
     * costs no listener object. Called by Netty, on the event loop.
     *
     * @param future the write's future
     */
    @Override
    public void operationComplete(ChannelFuture future) {
        flags |= first(IdleState.WRITER_IDLE) | first(IdleState.ALL_IDLE);
        if (output != null) {
            output.writesCompleted++;
        }
        if (isWatching()) {
            if ((flags & FLUSHING) == 0) {
                // Completed later than the flush (the socket was full): the cached clock may be old.
                refreshClock();
            }
            renew(IdleState.WRITER_IDLE);
            renew(IdleState.ALL_IDLE);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        if (!times.watchesWrites() || !isWatching()) {
            ctx.flush();
            return;
        }
        // The writes that complete within this flush read the clock refreshed here.
        refreshClock();
        flags |= FLUSHING;
        try {
            ctx.flush();
        } finally {
            flags &= ~FLUSHING;
        }
    }

    /**
     * Activity: the state's check moves to a full idle time from now (a field write), or, if its
     * wait is already on the event loop's scheduler, is registered again and the wait ends empty.
     */
    private void renew(IdleState state) {
        if (times.checkNs(state) == 0) {
            return;
        }
        int finishing = FINISHING << state.ordinal();
        boolean waiting = (flags & finishing) != 0;
        flags &= ~finishing;
        check(state, waiting);
    }

    private static int first(IdleState state) {
        return FIRST << state.ordinal();
    }

    // ------------------------------------------------------------------ idle states

    /**
     * Checks are due, on the event loop: each either finds its idle time over (the timer thread was
     * later than the lead) or leaves the rest of the wait to the event loop's scheduler. Every due
     * state is marked as waiting before any event fires, so that activity during an event (a
     * keep-alive written on READER_IDLE) registers the others again rather than going unseen.
     */
    @Override
    protected final void onTimeouts(TimeoutCheckResult due) {
        if (!isLive()) {
            // Closed, channelInactive still to come: nothing is fired or registered.
            return;
        }
        long readerEndsNs = 0;
        long writerEndsNs = 0;
        long allEndsNs = 0;
        int waiting = 0;
        for (int i = 0; i < due.eventCount(); i++) {
            IdleState state = (IdleState) due.event(i);
            long endsNs = due.deadlineNs(i) + times.leadNs(state);
            switch (state) {
                case READER_IDLE -> readerEndsNs = endsNs;
                case WRITER_IDLE -> writerEndsNs = endsNs;
                case ALL_IDLE -> allEndsNs = endsNs;
            }
            waiting |= 1 << state.ordinal();
            startWait(state);
        }
        // In the order the idle times end; the result is not read again once an event ran.
        while (waiting != 0) {
            IdleState next = null;
            long nextEndsNs = 0;
            for (IdleState state : STATES) {
                long endsNs = state == IdleState.READER_IDLE ? readerEndsNs
                        : state == IdleState.WRITER_IDLE ? writerEndsNs : allEndsNs;
                if ((waiting & 1 << state.ordinal()) != 0 && (next == null || endsNs - nextEndsNs < 0)) {
                    next = state;
                    nextEndsNs = endsNs;
                }
            }
            waiting &= ~(1 << next.ordinal());
            long remainingNs = nextEndsNs - refreshClock();
            if (remainingNs > 0) {
                finishLater(next, remainingNs);
            } else {
                finish(next, waitCount(next));
            }
        }
    }

    /** The state's wait begins: marked, and counted so that an older wait's task cannot end it. */
    private void startWait(IdleState state) {
        int shift = WAIT_SHIFT + WAIT_BITS * state.ordinal();
        int count = ((flags >>> shift) + 1) & WAIT_MASK;
        flags = (flags & ~(WAIT_MASK << shift)) | count << shift | FINISHING << state.ordinal();
    }

    private int waitCount(IdleState state) {
        return (flags >>> (WAIT_SHIFT + WAIT_BITS * state.ordinal())) & WAIT_MASK;
    }

    private void finishLater(IdleState state, long remainingNs) {
        int wait = waitCount(state);
        try {
            ctx.executor().schedule(() -> finish(state, wait), remainingNs, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The event loop is going away with its channels: nothing left to detect.
        }
    }

    /**
     * The wait numbered {@code wait} ended: the state is idle unless activity came in the meantime
     * (which ended the wait and registered the state again) or a later wait began.
     */
    private void finish(IdleState state, int wait) {
        int finishing = FINISHING << state.ordinal();
        if ((flags & finishing) == 0 || waitCount(state) != wait || !isLive()) {
            return;
        }
        flags &= ~finishing;
        idle(state);
    }

    /**
     * The idle time of {@code state} is over: fires, and checks again one idle time from now
     * unless the event closed the channel. The event goes first, so that its latency does not
     * include the registration.
     */
    private void idle(IdleState state) {
        boolean fire = state == IdleState.WRITER_IDLE || (flags & READING) == 0;   // mid-burst is not idle
        if (fire) {
            boolean first = (flags & first(state)) != 0;
            flags &= ~first(state);
            if (state == IdleState.READER_IDLE || !hasOutputChanged(first)) {
                try {
                    channelIdle(ctx, newIdleStateEvent(state, first));
                } catch (Throwable failure) {
                    ctx.fireExceptionCaught(failure);
                }
            }
        }
        if (isLive()) {
            check(state, true);
        }
    }

    /**
     * Called when an idle state is detected; fires the event down the pipeline, as Netty's
     * handler does. Override to act here instead.
     *
     * @param ctx the context
     * @param evt the event
     * @throws Exception anything; it becomes an {@code exceptionCaught}
     */
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) throws Exception {
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The event for an idle state: Netty's shared constants.
     *
     * @param idleState the state
     * @param first     whether it is the first event since the last activity
     * @return the event
     */
    protected IdleStateEvent newIdleStateEvent(IdleState idleState, boolean first) {
        return switch (idleState) {
            case ALL_IDLE -> first ? IdleStateEvent.FIRST_ALL_IDLE_STATE_EVENT : IdleStateEvent.ALL_IDLE_STATE_EVENT;
            case READER_IDLE -> first ? IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT : IdleStateEvent.READER_IDLE_STATE_EVENT;
            case WRITER_IDLE -> first ? IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT : IdleStateEvent.WRITER_IDLE_STATE_EVENT;
        };
    }

    // ------------------------------------------------------------------ observeOutput

    private void initOutputChanged() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) {
            output.lastMessageHashCode = System.identityHashCode(buffer.current());
            output.lastPendingWriteBytes = buffer.totalPendingWriteBytes();
            output.lastFlushProgress = buffer.currentProgress();
        }
    }

    /**
     * With {@code observeOutput}, whether the output made progress since the last check (a write
     * completed, the current message or the pending bytes changed, or the flush progressed), as
     * Netty's handler decides it. A first event is never suppressed.
     */
    private boolean hasOutputChanged(boolean first) {
        OutputProgress seen = output;
        if (seen == null) {
            return false;
        }
        if (seen.lastChangeCheck != seen.writesCompleted) {
            seen.lastChangeCheck = seen.writesCompleted;
            if (!first) {
                return true;
            }
        }
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) {
            int messageHashCode = System.identityHashCode(buffer.current());
            long pendingWriteBytes = buffer.totalPendingWriteBytes();
            if (messageHashCode != seen.lastMessageHashCode || pendingWriteBytes != seen.lastPendingWriteBytes) {
                seen.lastMessageHashCode = messageHashCode;
                seen.lastPendingWriteBytes = pendingWriteBytes;
                if (!first) {
                    return true;
                }
            }
            long flushProgress = buffer.currentProgress();
            if (flushProgress != seen.lastFlushProgress) {
                seen.lastFlushProgress = flushProgress;
                return !first;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ what passes through

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) throws Exception {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remoteAddress, SocketAddress localAddress,
                        ChannelPromise promise) throws Exception {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
    }
}
