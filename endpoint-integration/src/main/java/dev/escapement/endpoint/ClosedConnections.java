package dev.escapement.endpoint;

import io.netty.util.collection.LongObjectHashMap;

/**
 * The last connections an endpoint closed, so that a packet that arrives for one of them is
 * answered with a CLOSE instead of being ignored: a peer whose CLOSE was lost then closes at its
 * next packet (typically the retransmission of a frame the CLOSE would have acknowledged) rather
 * than after its idle timeout. This is QUIC's closing state, bounded by a count instead of a
 * timer: remembering a closed connection costs no timer, and the oldest is forgotten first.
 *
 * <p>Not thread-safe: confined to the endpoint's event loop.
 */
final class ClosedConnections {

    /** What is needed to answer for a closed connection. */
    static final class Closed {
        final long peerId;
        final int finalAck;
        int nextPacketNumber;

        Closed(long peerId, int finalAck, int nextPacketNumber) {
            this.peerId = peerId;
            this.finalAck = finalAck;
            this.nextPacketNumber = nextPacketNumber;
        }
    }

    private final long[] order;
    private final LongObjectHashMap<Closed> byId;
    private int next;

    /** @param capacity how many closed connections to remember, at least 1 */
    ClosedConnections(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.order = new long[capacity];
        this.byId = new LongObjectHashMap<>(capacity);
    }

    /**
     * Remembers a closed connection, forgetting the oldest one if full.
     *
     * @param id               the connection's (this side's) id, never 0
     * @param peerId           the peer's id for it
     * @param finalAck         its final cumulative acknowledgement
     * @param nextPacketNumber the next packet number it would have used
     */
    void remember(long id, long peerId, int finalAck, int nextPacketNumber) {
        long oldest = order[next];
        if (oldest != 0) {
            byId.remove(oldest);
        }
        order[next] = id;
        next = next + 1 == order.length ? 0 : next + 1;
        byId.put(id, new Closed(peerId, finalAck, nextPacketNumber));
    }

    /**
     * @param id a connection id
     * @return the closed connection, or null if it is not remembered
     */
    Closed get(long id) {
        return byId.get(id);
    }

    /** @return how many are remembered */
    int size() {
        return byId.size();
    }

    @Override
    public String toString() {
        return "ClosedConnections[" + byId.size() + " of " + order.length + "]";
    }
}
