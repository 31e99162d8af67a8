package dev.escapement.netty;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an {@link EscapementIdleStateHandler} costs a channel (issue 16: at most half of Netty's
 * handler, whose object and two scheduled tasks take about 380 bytes): one object that is the
 * handler, the wheel entry and the deadlines, and nothing in the timer's registry until the
 * channel is active.
 */
class IdleHandlerFootprintTest {

    private final GlobalTimer timer = GlobalTimer.builder().clock(new ManualClock()).drivenByCaller().build();

    @AfterEach
    void stopTimer() {
        timer.stop();
    }

    /**
     * The handler's instance fields, summed as HotSpot lays them out with compressed references
     * (12-byte header, 4-byte references, objects in 8-byte steps): at most 104 bytes, all of its
     * per-channel state with observeOutput off.
     */
    @Test
    void theHandlerIsOneObjectOfAtMost104Bytes() {
        int bytes = 12;
        List<String> fields = new ArrayList<>();
        for (Class<?> type = EscapementIdleStateHandler.class; type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    bytes += sizeOf(field.getType());
                    fields.add(type.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat((bytes + 7) & ~7).as("bytes of %s", fields).isLessThanOrEqualTo(104);
    }

    @Test
    void handlersConfiguredAlikeShareTheirIdleTimes() throws ReflectiveOperationException {
        Field times = EscapementIdleStateHandler.class.getDeclaredField("times");
        times.setAccessible(true);
        Object first = times.get(new EscapementIdleStateHandler(timer, false, 60, 30, 0, SECONDS));
        Object second = times.get(new EscapementIdleStateHandler(timer, false, 60_000, 30_000, 0, MILLISECONDS));
        Object other = times.get(new EscapementIdleStateHandler(timer, false, 60, 31, 0, SECONDS));
        assertThat(second).isSameAs(first);
        assertThat(other).isNotSameAs(first);
    }

    @Test
    void aHandlerJoinsTheTimerWhenItsChannelIsActiveAndLeavesItWhenInactive() {
        EscapementIdleStateHandler unused = new EscapementIdleStateHandler(timer, false, 60, 30, 0, SECONDS);
        assertThat(timer.stats().activeConnections()).as("a handler never added").isZero();
        assertThat(unused.isActive(IdleState.READER_IDLE)).isFalse();

        EscapementIdleStateHandler handler = new EscapementIdleStateHandler(timer, false, 60, 30, 0, SECONDS);
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        assertThat(timer.stats().activeConnections()).isEqualTo(1);
        assertThat(handler.isActive(IdleState.READER_IDLE)).isTrue();
        assertThat(handler.isActive(IdleState.WRITER_IDLE)).isTrue();
        assertThat(handler.isActive(IdleState.ALL_IDLE)).isFalse();
        // The check falls due before the idle time ends (on a manual clock: at its end).
        assertThat(handler.deadline(IdleState.READER_IDLE) - timer.nanoTime()).isEqualTo(SECONDS.toNanos(60));
        timer.doWork();
        assertThat(timer.stats().pending()).as("one wheel entry for both states").isEqualTo(1);

        channel.close();
        timer.doWork();
        assertThat(handler.isClosed()).isTrue();
        assertThat(timer.stats().activeConnections()).isZero();
        assertThat(timer.stats().pending()).isZero();
    }

    @Test
    void aHandlerAddedTwiceIsRefusedAndTheFirstChannelKeepsIt() {
        EscapementIdleStateHandler handler = new EscapementIdleStateHandler(timer, false, 60, 0, 0, SECONDS);
        EmbeddedChannel first = new EmbeddedChannel(handler);
        EmbeddedChannel second = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        // The pipeline removes a handler whose handlerAdded throws and passes the exception on.
        second.pipeline().addLast(handler);
        assertThatThrownBy(second::checkException).isInstanceOf(ChannelPipelineException.class)
                .cause().hasMessageContaining("is not a @Sharable handler");
        assertThat(second.pipeline().get(EscapementIdleStateHandler.class)).isNull();
        assertThat(handler.isClosed()).isFalse();
        assertThat(handler.isActive(IdleState.READER_IDLE)).isTrue();
        first.close();
        second.close();
        assertThat(timer.stats().activeConnections()).isZero();
    }

    @Test
    void aStoppedGlobalTimerEndsDetectionWithoutAnExceptionInThePipeline() {
        GlobalTimer stoppedBeforeActive = GlobalTimer.builder().clock(new ManualClock()).drivenByCaller().build();
        stoppedBeforeActive.stop();
        EmbeddedChannel first = new EmbeddedChannel(new EscapementIdleStateHandler(stoppedBeforeActive, false, 60, 30, 0, SECONDS));
        first.checkException();

        EscapementIdleStateHandler handler = new EscapementIdleStateHandler(timer, false, 60, 30, 0, SECONDS);
        EmbeddedChannel second = new EmbeddedChannel(handler);
        timer.stop();
        second.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1}));
        second.writeOutbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {2}));
        second.checkException();
        assertThat(second.isOpen()).isTrue();
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    private static int sizeOf(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == boolean.class || type == byte.class) {
            return 1;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        return 4;
    }
}
