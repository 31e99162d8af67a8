package dev.escapement.endpoint;

import static dev.escapement.endpoint.ReceiveWindow.Arrival.BEYOND_WINDOW;
import static dev.escapement.endpoint.ReceiveWindow.Arrival.DUPLICATE;
import static dev.escapement.endpoint.ReceiveWindow.Arrival.HELD;
import static dev.escapement.endpoint.ReceiveWindow.Arrival.IN_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReceiveWindowTest {

    private static ByteBuf frame(int value) {
        return Unpooled.wrappedBuffer(new byte[] {(byte) value});
    }

    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE - 1, -2})
    void framesAreReleasedOnceEachInOrderWhateverOrderTheyArriveIn(int start) {
        ReceiveWindow window = new ReceiveWindow(4, start);
        assertThat(window.accept(start + 3, frame(3))).isEqualTo(HELD);
        assertThat(window.accept(start + 2, frame(2))).isEqualTo(HELD);
        assertThat(window.accept(start + 3, frame(3))).as("held twice").isEqualTo(DUPLICATE);
        assertThat(window.pollNext()).as("the gap at +1 is still open").isNull();
        assertThat(window.highestInOrder()).isEqualTo(start);

        assertThat(window.accept(start + 1, frame(1))).isEqualTo(IN_ORDER);
        assertThat(window.highestInOrder()).as("advanced before delivery").isEqualTo(start + 1);
        assertThat(window.pollNext()).containsExactly(2);
        assertThat(window.pollNext()).containsExactly(3);
        assertThat(window.pollNext()).isNull();
        assertThat(window.highestInOrder()).isEqualTo(start + 3);
        assertThat(window.heldCount()).isZero();

        assertThat(window.accept(start + 2, frame(2))).isEqualTo(DUPLICATE);
        assertThat(window.accept(start - 100, frame(0))).isEqualTo(DUPLICATE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, Integer.MAX_VALUE})
    void framesTooFarAheadAreDroppedNotHeld(int start) {
        ReceiveWindow window = new ReceiveWindow(4, start);
        assertThat(window.accept(start + 4, frame(4))).isEqualTo(HELD);
        assertThat(window.accept(start + 5, frame(5))).isEqualTo(BEYOND_WINDOW);
        assertThat(window.accept(start + Integer.MAX_VALUE, frame(6))).isEqualTo(BEYOND_WINDOW);
        assertThat(window.heldCount()).isEqualTo(1);
        window.clear();
        assertThat(window.heldCount()).isZero();
    }
}
