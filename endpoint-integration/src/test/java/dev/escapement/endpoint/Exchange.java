package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.List;

/** Numbered frames: send them, and check that they arrived once each and in order. */
final class Exchange {

    private Exchange() {
    }

    static byte[] numbered(int number) {
        return ByteBuffer.allocate(4).putInt(number).array();
    }

    /** Sends frames {@code from} to {@code to - 1} on the connection's event loop; returns how many were accepted. */
    static int send(Connection connection, int from, int to) {
        return Loopback.onLoop(connection, () -> {
            int accepted = 0;
            for (int i = from; i < to; i++) {
                if (connection.send(Unpooled.wrappedBuffer(numbered(i)))) {
                    accepted++;
                }
            }
            return accepted;
        });
    }

    /** Sends frame {@code number}; call on the connection's event loop. */
    static boolean sendOnLoop(Connection connection, int number) {
        return connection.send(Unpooled.wrappedBuffer(numbered(number)));
    }

    /** Asserts that {@code frames} are exactly the numbers 0 to {@code count - 1}, in order. */
    static void assertNumberedInOrder(List<byte[]> frames, int count) {
        assertThat(frames).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(ByteBuffer.wrap(frames.get(i)).getInt()).as("frame %d", i).isEqualTo(i);
        }
    }
}
