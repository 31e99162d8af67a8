package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ConnectionHandler} that records what happens (on the event loop) for the test thread
 * to assert on; optionally echoes every frame back.
 */
final class RecordingHandler implements ConnectionHandler {

    final List<byte[]> frames = new CopyOnWriteArrayList<>();
    final AtomicReference<Connection> established = new AtomicReference<>();
    final AtomicReference<CloseReason> closed = new AtomicReference<>();
    final List<Integer> unacknowledgedAtClose = new CopyOnWriteArrayList<>();
    final AtomicReference<ConnectionStats> statsAtClose = new AtomicReference<>();
    private final boolean echo;

    RecordingHandler(boolean echo) {
        this.echo = echo;
    }

    static RecordingHandler recording() {
        return new RecordingHandler(false);
    }

    static RecordingHandler echoing() {
        return new RecordingHandler(true);
    }

    @Override
    public void onEstablished(Connection connection) {
        established.set(connection);
    }

    @Override
    public void onFrame(Connection connection, ByteBuf payload) {
        frames.add(ByteBufUtil.getBytes(payload));
        if (echo) {
            connection.send(payload);
        }
    }

    @Override
    public void onClosed(Connection connection, CloseReason reason) {
        unacknowledgedAtClose.add(connection.unacknowledgedFrames());
        statsAtClose.set(connection.stats());
        closed.set(reason);
    }
}
