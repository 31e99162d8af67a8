package dev.escapement.netty;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.TimerManager;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Retransmission timeouts for a pipeline that sends messages and waits for acknowledgements. The
 * application tells the handler when it {@link #sent sends} a message (by id) and when it is
 * {@link #acknowledged acknowledged}; the handler keeps the RTO with an RFC 6298
 * {@link RtoEstimator} (SRTT, RTTVAR, min/max, exponential back-off, Karn's rule) and, when a
 * message's RTO passes, fires a {@link RetransmissionTimeoutEvent} with its attempt count, or, after
 * the maximum number of attempts, a {@link RetransmissionGiveUpEvent}.
 *
 * <p>Thread-safety: confined to its channel's event loop: call {@link #sent} and
 * {@link #acknowledged} there (from a handler, or through {@code channel.eventLoop().execute}).
 * Not sharable.
 *
 * <h2>Timer</h2>
 * One {@link ChannelTimeout#RETRANSMISSION} timeout in the channel's {@link ChannelTimers timer
 * manager}, at the earliest outstanding deadline; it moves the wheel entry only when a deadline
 * becomes earlier. When a timeout fires, the RTO backs off once, every due message counts an
 * attempt and gets a new deadline one RTO later, and an event per message goes down the pipeline.
 * A message already sent again by the application on its own ({@link #sent} with a known id)
 * keeps its attempt count and gets a fresh deadline. Once the channel is closed (by a handler on
 * one of these events, say), no further event is fired and nothing is registered: the rest of
 * that timeout's events are dropped.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * RetransmissionTimeoutHandler rto = new RetransmissionTimeoutHandler(5);
 * pipeline.addLast(rto, new MyProtocolHandler(rto));
 * // in MyProtocolHandler, on the event loop:
 * ctx.writeAndFlush(request); rto.sent(request.id());
 * // on a response:            rto.acknowledged(response.id());
 * // in userEventTriggered:    RetransmissionTimeoutEvent -> resend; RetransmissionGiveUpEvent -> close
 * }</pre>
 */
public class RetransmissionTimeoutHandler extends ChannelInboundHandlerAdapter {

    /** One message waiting for its acknowledgement. */
    private static final class Outstanding {
        final long firstSentNs;
        long deadlineNs;
        int attempts = 1;

        Outstanding(long firstSentNs, long deadlineNs) {
            this.firstSentNs = firstSentNs;
            this.deadlineNs = deadlineNs;
        }
    }

    private final GlobalTimer timer;
    private final RtoEstimator estimator;
    private final int maxAttempts;
    private final LongObjectMap<Outstanding> outstanding = new LongObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private TimerManager<ChannelTimeout> timeouts;
    private long retransmissions;
    private long giveUps;

    /**
     * A handler with the default estimator (initial RTO 1 s, min 200 ms, max 60 s) on the shared
     * global timer.
     *
     * @param maxAttempts the most times a message is sent, {@code >= 1}
     */
    public RetransmissionTimeoutHandler(int maxAttempts) {
        this(GlobalTimer.shared(), RtoEstimator.create(), maxAttempts);
    }

    /**
     * A handler with the given estimator and timer.
     *
     * @param timer       the global timer for the channel's manager, if this handler creates it
     * @param estimator   the estimator, used by this handler alone
     * @param maxAttempts the most times a message is sent, {@code >= 1}
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public RetransmissionTimeoutHandler(GlobalTimer timer, RtoEstimator estimator, int maxAttempts) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.estimator = Objects.requireNonNull(estimator, "estimator");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        outstanding.clear();
        if (timeouts != null && !timeouts.isClosed()) {
            timeouts.cancel(ChannelTimeout.RETRANSMISSION);
        }
    }

    private TimerManager<ChannelTimeout> timeouts() {
        if (timeouts == null) {
            if (ctx == null) {
                throw new IllegalStateException("RetransmissionTimeoutHandler is not in a pipeline");
            }
            timeouts = ChannelTimers.of(ctx.channel(), timer);
        }
        return timeouts;
    }

    /**
     * A message was sent (first time) or sent again by the application. Event loop only.
     *
     * @param messageId the message's id
     * @throws IllegalStateException if not in a pipeline, or not on the event loop
     */
    public void sent(long messageId) {
        TimerManager<ChannelTimeout> manager = timeouts();
        if (!ChannelTimers.isLive(ctx.channel(), manager)) {
            return;
        }
        long nowNs = timer.nanoTime();
        long deadlineNs = nowNs + estimator.rtoNs();
        Outstanding message = outstanding.get(messageId);
        if (message == null) {
            outstanding.put(messageId, new Outstanding(nowNs, deadlineNs));
        } else {
            message.deadlineNs = deadlineNs;
        }
        long armedNs = manager.deadline(ChannelTimeout.RETRANSMISSION);
        if (armedNs == TimerManager.NO_DEADLINE || deadlineNs - armedNs < 0) {
            manager.register(ChannelTimeout.RETRANSMISSION, deadlineNs - nowNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A message was acknowledged. Takes a round-trip sample if it was sent once (Karn's rule).
     * Event loop only.
     *
     * @param messageId the message's id
     * @return true if the message was outstanding
     */
    public boolean acknowledged(long messageId) {
        Outstanding message = outstanding.remove(messageId);
        if (message == null) {
            return false;
        }
        estimator.onRttSample(timer.nanoTime() - message.firstSentNs, message.attempts > 1);
        if (outstanding.isEmpty() && timeouts != null && !timeouts.isClosed()) {
            timeouts.cancel(ChannelTimeout.RETRANSMISSION);
        }
        return true;
    }

    /** @return messages waiting for their acknowledgement */
    public int outstanding() {
        return outstanding.size();
    }

    /** @return timeouts that led to a retransmission so far */
    public long retransmissions() {
        return retransmissions;
    }

    /** @return messages given up so far */
    public long giveUps() {
        return giveUps;
    }

    /** @return the estimator; read it on the event loop */
    public RtoEstimator estimator() {
        return estimator;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt != ChannelTimeout.RETRANSMISSION) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!ChannelTimers.isLive(ctx.channel(), timeouts)) {
            // Closed, channelInactive still to come: nothing more to fire or register.
            return;
        }
        long nowNs = timer.nanoTime();
        boolean backedOff = false;
        long earliestNs = 0;
        boolean any = false;
        // Collect first: events run application code that may call sent() or acknowledged().
        long[] dueIds = new long[outstanding.size()];
        int due = 0;
        for (LongObjectMap.PrimitiveEntry<Outstanding> entry : outstanding.entries()) {
            if (entry.value().deadlineNs - nowNs <= 0) {
                dueIds[due++] = entry.key();
            }
        }
        // An event handler that closes the channel ends this timeout's events.
        for (int i = 0; i < due && ChannelTimers.isLive(ctx.channel(), timeouts); i++) {
            long id = dueIds[i];
            Outstanding message = outstanding.get(id);
            if (message == null || message.deadlineNs - nowNs > 0) {
                continue;
            }
            if (message.attempts >= maxAttempts) {
                outstanding.remove(id);
                giveUps++;
                ctx.fireUserEventTriggered(new RetransmissionGiveUpEvent(id, message.attempts));
                continue;
            }
            if (!backedOff) {
                estimator.onTimeout();
                backedOff = true;
            }
            message.attempts++;
            message.deadlineNs = nowNs + estimator.rtoNs();
            retransmissions++;
            ctx.fireUserEventTriggered(new RetransmissionTimeoutEvent(id, message.attempts, estimator.rtoNs()));
        }
        for (Outstanding message : outstanding.values()) {
            if (!any || message.deadlineNs - earliestNs < 0) {
                earliestNs = message.deadlineNs;
                any = true;
            }
        }
        if (any && ChannelTimers.isLive(ctx.channel(), timeouts)) {
            timeouts.register(ChannelTimeout.RETRANSMISSION, Math.max(0, earliestNs - nowNs), TimeUnit.NANOSECONDS);
        }
    }
}
