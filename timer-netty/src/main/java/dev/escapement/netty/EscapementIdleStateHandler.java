package dev.escapement.netty;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimerManager;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A replacement for Netty's {@code IdleStateHandler}, with the same constructor parameters and the
 * same events ({@link IdleStateEvent}: reader, writer and all idle, first and subsequent, with
 * {@code observeOutput}), whose deadlines live in the channel's {@link ChannelTimers timer manager}
 * on the global wheel instead of in tasks on the event loop's scheduler.
 *
 * <p>Thread-safety: confined to its channel's event loop, as every channel handler is. Not
 * sharable: it keeps per-channel state.
 *
 * <h2>What a read or a write costs</h2>
 * A read burst records the time once (at {@code channelReadComplete}: a refresh of the timer's
 * cached clock and a {@link TimerManager#reset reset}, which is a field write); a write records it
 * when its promise completes (a reset reading the clock refreshed at the last flush). Neither
 * reschedules anything: the channel's one wheel entry fires at the earliest deadline, and the
 * manager decides on the event loop what is due. The events fire when Netty's would, give or take
 * the staleness of the cached clock (at most a read or flush burst) and the wheel's tick.
 *
 * <h2>After the close</h2>
 * Once the channel is closed, no further idle event is fired and nothing is registered, as with
 * Netty's handler, whose idle tasks return when they find the channel closed. A handler that
 * closes the channel on READER_IDLE while WRITER_IDLE is due in the same drain ends the drain
 * there: the WRITER_IDLE is dropped, although {@code channelInactive} has not arrived yet.
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
public class EscapementIdleStateHandler extends ChannelDuplexHandler {

    /** As Netty's handler: a positive idle time shorter than this is raised to it. */
    private static final long MIN_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final int NOT_STARTED = 0;
    private static final int INITIALIZED = 1;
    private static final int DESTROYED = 2;

    private final GlobalTimer timer;
    private final boolean observeOutput;
    private final long readerIdleTimeNanos;
    private final long writerIdleTimeNanos;
    private final long allIdleTimeNanos;

    private TimerManager<ChannelTimeout> timeouts;
    private int state;
    private boolean reading;
    private boolean firstReaderIdleEvent = true;
    private boolean firstWriterIdleEvent = true;
    private boolean firstAllIdleEvent = true;

    /** Completed writes so far: what observeOutput compares, as Netty compares the write time. */
    private long writesCompleted;
    private long lastChangeCheck;
    private int lastMessageHashCode;
    private long lastPendingWriteBytes;
    private long lastFlushProgress;

    /** One listener for every write, as Netty's handler has: no allocation per write. */
    private final ChannelFutureListener writeListener = this::writeCompleted;

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
     * As the other constructors, on a given global timer (for the channel's manager, if this
     * handler is the first to create it).
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
        this.timer = Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(unit, "unit");
        this.observeOutput = observeOutput;
        this.readerIdleTimeNanos = idleNanos(readerIdleTime, unit);
        this.writerIdleTimeNanos = idleNanos(writerIdleTime, unit);
        this.allIdleTimeNanos = idleNanos(allIdleTime, unit);
    }

    private static long idleNanos(long time, TimeUnit unit) {
        return time <= 0 ? 0 : Math.max(unit.toNanos(time), MIN_TIMEOUT_NANOS);
    }

    /** @return the reader idle time in milliseconds, 0 if disabled */
    public long getReaderIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(readerIdleTimeNanos);
    }

    /** @return the writer idle time in milliseconds, 0 if disabled */
    public long getWriterIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(writerIdleTimeNanos);
    }

    /** @return the all idle time in milliseconds, 0 if disabled */
    public long getAllIdleTimeInMillis() {
        return TimeUnit.NANOSECONDS.toMillis(allIdleTimeNanos);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            initialize(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        destroy();
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            initialize(ctx);
        }
        super.channelRegistered(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        initialize(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        destroy();
        super.channelInactive(ctx);
    }

    private void initialize(ChannelHandlerContext ctx) {
        if (state != NOT_STARTED) {
            return;
        }
        state = INITIALIZED;
        initOutputChanged(ctx);
        timeouts = ChannelTimers.of(ctx.channel(), timer);
        if (timeouts.isClosed()) {
            return;
        }
        if (readerIdleTimeNanos > 0) {
            timeouts.register(ChannelTimeout.READER_IDLE, readerIdleTimeNanos, TimeUnit.NANOSECONDS);
        }
        if (writerIdleTimeNanos > 0) {
            timeouts.register(ChannelTimeout.WRITER_IDLE, writerIdleTimeNanos, TimeUnit.NANOSECONDS);
        }
        if (allIdleTimeNanos > 0) {
            timeouts.register(ChannelTimeout.ALL_IDLE, allIdleTimeNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void destroy() {
        state = DESTROYED;
        TimerManager<ChannelTimeout> current = timeouts;
        if (current != null && !current.isClosed()) {
            current.cancel(ChannelTimeout.READER_IDLE);
            current.cancel(ChannelTimeout.WRITER_IDLE);
            current.cancel(ChannelTimeout.ALL_IDLE);
        }
    }

    // ------------------------------------------------------------------ activity

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (readerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            reading = true;
            firstReaderIdleEvent = firstAllIdleEvent = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if ((readerIdleTimeNanos > 0 || allIdleTimeNanos > 0) && reading) {
            reading = false;
            if (state == INITIALIZED && !timeouts.isClosed()) {
                // One clock read per read burst; the resets are field writes.
                timeouts.refreshClock();
                timeouts.reset(ChannelTimeout.READER_IDLE, readerIdleTimeNanos, TimeUnit.NANOSECONDS);
                timeouts.reset(ChannelTimeout.ALL_IDLE, allIdleTimeNanos, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        // As Netty's handler: a void promise is fine when only reads are watched.
        if (writerIdleTimeNanos > 0 || allIdleTimeNanos > 0) {
            ctx.write(msg, promise.unvoid()).addListener(writeListener);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void writeCompleted(io.netty.channel.ChannelFuture future) {
        writesCompleted++;
        firstWriterIdleEvent = firstAllIdleEvent = true;
        TimerManager<ChannelTimeout> current = timeouts;
        if (current != null && !current.isClosed()) {
            current.reset(ChannelTimeout.WRITER_IDLE, writerIdleTimeNanos, TimeUnit.NANOSECONDS);
            current.reset(ChannelTimeout.ALL_IDLE, allIdleTimeNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        if ((writerIdleTimeNanos > 0 || allIdleTimeNanos > 0) && state == INITIALIZED && !timeouts.isClosed()) {
            // The write completions of this flush read the clock refreshed here.
            timeouts.refreshClock();
        }
        ctx.flush();
    }

    // ------------------------------------------------------------------ timeouts

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof ChannelTimeout type) || state != INITIALIZED || idleTimeNanos(type) == 0) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!ChannelTimers.isLive(ctx.channel(), timeouts)) {
            // Closed, channelInactive still to come: ours, and stale. Nothing is fired or registered.
            return;
        }
        switch (type) {
            case READER_IDLE -> readerIdle(ctx);
            case WRITER_IDLE -> writerIdle(ctx);
            default -> allIdle(ctx);
        }
    }

    /** The idle time of one of this handler's types, 0 if disabled or not an idle type. */
    private long idleTimeNanos(ChannelTimeout type) {
        return switch (type) {
            case READER_IDLE -> readerIdleTimeNanos;
            case WRITER_IDLE -> writerIdleTimeNanos;
            case ALL_IDLE -> allIdleTimeNanos;
            default -> 0;
        };
    }

    private void readerIdle(ChannelHandlerContext ctx) {
        timeouts.register(ChannelTimeout.READER_IDLE, readerIdleTimeNanos, TimeUnit.NANOSECONDS);
        if (reading) {
            // Mid-burst is not idle, as with Netty's handler.
            return;
        }
        boolean first = firstReaderIdleEvent;
        firstReaderIdleEvent = false;
        fire(ctx, IdleState.READER_IDLE, first);
    }

    private void writerIdle(ChannelHandlerContext ctx) {
        timeouts.register(ChannelTimeout.WRITER_IDLE, writerIdleTimeNanos, TimeUnit.NANOSECONDS);
        boolean first = firstWriterIdleEvent;
        firstWriterIdleEvent = false;
        if (hasOutputChanged(ctx, first)) {
            return;
        }
        fire(ctx, IdleState.WRITER_IDLE, first);
    }

    private void allIdle(ChannelHandlerContext ctx) {
        timeouts.register(ChannelTimeout.ALL_IDLE, allIdleTimeNanos, TimeUnit.NANOSECONDS);
        if (reading) {
            return;
        }
        boolean first = firstAllIdleEvent;
        firstAllIdleEvent = false;
        if (hasOutputChanged(ctx, first)) {
            return;
        }
        fire(ctx, IdleState.ALL_IDLE, first);
    }

    private void fire(ChannelHandlerContext ctx, IdleState idleState, boolean first) {
        try {
            channelIdle(ctx, newIdleStateEvent(idleState, first));
        } catch (Throwable failure) {
            ctx.fireExceptionCaught(failure);
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

    private void initOutputChanged(ChannelHandlerContext ctx) {
        if (observeOutput) {
            ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
            if (buffer != null) {
                lastMessageHashCode = System.identityHashCode(buffer.current());
                lastPendingWriteBytes = buffer.totalPendingWriteBytes();
                lastFlushProgress = buffer.currentProgress();
            }
        }
    }

    /**
     * With {@code observeOutput}, whether the output made progress since the last check (a write
     * completed, the current message or the pending bytes changed, or the flush progressed), as
     * Netty's handler decides it. A first event is never suppressed.
     */
    private boolean hasOutputChanged(ChannelHandlerContext ctx, boolean first) {
        if (!observeOutput) {
            return false;
        }
        if (lastChangeCheck != writesCompleted) {
            lastChangeCheck = writesCompleted;
            if (!first) {
                return true;
            }
        }
        Channel channel = ctx.channel();
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (buffer != null) {
            int messageHashCode = System.identityHashCode(buffer.current());
            long pendingWriteBytes = buffer.totalPendingWriteBytes();
            if (messageHashCode != lastMessageHashCode || pendingWriteBytes != lastPendingWriteBytes) {
                lastMessageHashCode = messageHashCode;
                lastPendingWriteBytes = pendingWriteBytes;
                if (!first) {
                    return true;
                }
            }
            long flushProgress = buffer.currentProgress();
            if (flushProgress != lastFlushProgress) {
                lastFlushProgress = flushProgress;
                return !first;
            }
        }
        return false;
    }
}
