package dev.escapement.netty;

import dev.escapement.GlobalTimer;
import dev.escapement.connection.AbstractTimerManager;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.AttributeKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Channel-scoped timers: one {@link TimerManager} per channel, created on demand and kept as a
 * channel attribute, closed when the channel closes, so every timeout of the channel is gone with
 * it. The manager costs the global wheel one entry however many timeouts the channel has.
 *
 * <p>Thread-safety: call {@link #of} on the channel's event loop; the manager it returns is
 * confined to that event loop, as is everything it delivers.
 *
 * <h2>Delivery</h2>
 * The manager's wake-up executor is the channel's event loop. When timeouts are due, each due
 * event (a {@link ChannelTimeout} constant, or the constant of a layer the application added)
 * travels the pipeline from its head as a user event ({@code fireUserEventTriggered}), on the
 * event loop, never on the timer thread: handlers need no locks. The handler that registered a
 * type consumes its event; handlers that do not know it pass it on.
 *
 * <p>Delivery stops when the channel closes. A handler that closes the channel on an event ends
 * the drain: the close future closes the manager at once, but {@code channelInactive} reaches the
 * handlers only later, so the events still due in that drain are dropped rather than handed to
 * handlers that would register again on a closed manager. Netty's own idle tasks likewise do
 * nothing once the channel is closed. The handlers of this package check the same before they
 * register again.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * // in a handler, on the event loop:
 * ChannelTimers.of(ctx.channel()).register(ChannelTimeout.CONNECT, 5, TimeUnit.SECONDS);
 * // later, in the same or another handler:
 * public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
 *     if (evt == ChannelTimeout.CONNECT) { ctx.close(); } else { ctx.fireUserEventTriggered(evt); }
 * }
 * }</pre>
 */
public final class ChannelTimers {

    private static final AttributeKey<TimerManager<ChannelTimeout>> MANAGER =
            AttributeKey.valueOf(ChannelTimers.class, "manager");
    /** Connection ids for channel managers and idle handlers; unique within the process. */
    private static final AtomicLong NEXT_ID = new AtomicLong(Long.MIN_VALUE);

    private ChannelTimers() {
    }

    /** A connection id no other manager of this package has had: counted up from Long.MIN_VALUE. */
    static long nextConnectionId() {
        return NEXT_ID.getAndIncrement();
    }

    /**
     * The channel's timer manager on the {@link GlobalTimer#shared() shared} global timer,
     * created on first use.
     *
     * @param channel the channel
     * @return its manager
     * @throws IllegalStateException if not called on the channel's event loop
     */
    public static TimerManager<ChannelTimeout> of(Channel channel) {
        return of(channel, GlobalTimer.shared());
    }

    /**
     * The channel's timer manager, created on first use on {@code timer} (later calls return the
     * existing one, whatever timer they name). If the channel is already closed, the manager is
     * closed too.
     *
     * @param channel the channel
     * @param timer   the global timer for a new manager
     * @return its manager
     * @throws IllegalStateException if not called on the channel's event loop
     */
    public static TimerManager<ChannelTimeout> of(Channel channel, GlobalTimer timer) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(timer, "timer");
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("ChannelTimers must be used on the channel's event loop: " + channel);
        }
        TimerManager<ChannelTimeout> manager = channel.attr(MANAGER).get();
        if (manager != null) {
            return manager;
        }
        ChannelManager created = new ChannelManager(timer, channel);
        channel.attr(MANAGER).set(created);
        channel.closeFuture().addListener(created);
        return created;
    }

    /**
     * The channel's manager if it has one.
     *
     * @param channel the channel
     * @return its manager, or null
     */
    public static TimerManager<ChannelTimeout> ifPresent(Channel channel) {
        return Objects.requireNonNull(channel, "channel").attr(MANAGER).get();
    }

    /**
     * Whether the channel and its manager are both open: checked before each due event is
     * delivered, and by a handler before it registers again. Once either is closed, nothing more
     * is delivered or registered.
     *
     * @param channel the channel
     * @param manager its manager, or null if it has none yet
     * @return true if both are open
     */
    static boolean isLive(Channel channel, TimerManager<?> manager) {
        return manager != null && !manager.isClosed() && channel.isOpen();
    }

    /**
     * A channel's manager: the due events travel the channel's pipeline, until a handler closes
     * the channel. One object with the channel in it, which is also the listener that closes it
     * with the channel, so that a channel's timers cost no listener objects. Confined to the channel's event loop, as every manager to its connection's thread.
     */
    private static final class ChannelManager extends AbstractTimerManager<ChannelTimeout>
            implements ChannelFutureListener {

        private final Channel channel;

        ChannelManager(GlobalTimer timer, Channel channel) {
            super(TimerManager.builder(timer, nextConnectionId(), ChannelTimeout.class).wakeUp(channel.eventLoop()));
            this.channel = channel;
        }

        /** The channel closed: the manager closes, and the channel forgets it. */
        @Override
        public void operationComplete(io.netty.channel.ChannelFuture future) {
            close();
            future.channel().attr(MANAGER).set(null);
        }

        @Override
        protected void onTimeouts(TimeoutCheckResult due) {
            for (int i = 0; i < due.eventCount() && isLive(channel, this); i++) {
                channel.pipeline().fireUserEventTriggered(due.event(i));
            }
        }
    }
}
