package dev.escapement.endpoint;

import io.netty.buffer.ByteBuf;

/**
 * The receiving half of a connection's reliability: the cumulative acknowledgement (the highest
 * sequence number received in order) and the frames that arrived early, held until the gap
 * before them fills so that the application gets every frame once, in order.
 *
 * <p>Not thread-safe: confined to the connection's event loop.
 *
 * <p>Sequence numbers are compared as serial numbers. A frame at or below the cumulative point is
 * a duplicate; one more than {@code window} ahead of it is dropped unacknowledged (the sender
 * will send it again), which bounds what a peer can make this side hold.
 */
final class ReceiveWindow {

    /** What became of an arriving frame. */
    enum Arrival {
        /** The next frame in order: deliver it, then {@link #pollNext()} what it unblocked. */
        IN_ORDER,
        /** Ahead of a gap: copied and held. */
        HELD,
        /** Received before: drop it (and acknowledge again, the peer missed the acknowledgement). */
        DUPLICATE,
        /** Too far ahead: dropped, to be sent again. */
        BEYOND_WINDOW
    }

    private final int mask;
    private final byte[][] held;
    private int highestInOrder;
    private int heldCount;

    /**
     * @param window         how far ahead of the cumulative point frames are held: a power of two
     * @param highestInOrder the sequence number everything up to which counts as received
     */
    ReceiveWindow(int window, int highestInOrder) {
        if (window < 1 || window > 1 << 20 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two from 1 to 2^20: " + window);
        }
        this.mask = window - 1;
        this.held = new byte[window][];
        this.highestInOrder = highestInOrder;
    }

    /**
     * A DATA frame arrived. An in-order frame advances the cumulative point at once, so that what
     * is sent while it is delivered already acknowledges it.
     *
     * @param sequence its sequence number
     * @param payload  its payload; copied only if the frame is held
     * @return what to do with it
     */
    Arrival accept(int sequence, ByteBuf payload) {
        int distance = sequence - highestInOrder;
        if (distance <= 0) {
            return Arrival.DUPLICATE;
        }
        if (distance > held.length) {
            return Arrival.BEYOND_WINDOW;
        }
        if (distance == 1) {
            highestInOrder = sequence;
            return Arrival.IN_ORDER;
        }
        int slot = sequence & mask;
        if (held[slot] != null) {
            return Arrival.DUPLICATE;
        }
        byte[] copy = new byte[payload.readableBytes()];
        payload.getBytes(payload.readerIndex(), copy);
        held[slot] = copy;
        heldCount++;
        return Arrival.HELD;
    }

    /**
     * Takes the held frame that is next in order, if it has arrived, and advances the cumulative
     * point past it.
     *
     * @return its payload, or null if the next frame has not arrived
     */
    byte[] pollNext() {
        int slot = (highestInOrder + 1) & mask;
        byte[] payload = held[slot];
        if (payload != null) {
            held[slot] = null;
            heldCount--;
            highestInOrder++;
        }
        return payload;
    }

    /** @return the highest sequence number received in order: the cumulative acknowledgement */
    int highestInOrder() {
        return highestInOrder;
    }

    /** @return frames held ahead of a gap */
    int heldCount() {
        return heldCount;
    }

    /** Drops every held frame (the connection closed). */
    void clear() {
        java.util.Arrays.fill(held, null);
        heldCount = 0;
    }

    @Override
    public String toString() {
        return "ReceiveWindow[highestInOrder=" + highestInOrder + ", held=" + heldCount + "]";
    }
}
