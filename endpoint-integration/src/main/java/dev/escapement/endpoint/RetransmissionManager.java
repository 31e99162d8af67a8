package dev.escapement.endpoint;

import dev.escapement.netty.RtoEstimator;
import dev.escapement.unified.TimeoutCheckResult;
import dev.escapement.unified.TimeoutLayer;

/**
 * The sending half of a connection's reliability: frames in flight, their retransmission
 * deadlines, and the RTO from an RFC 6298 {@link RtoEstimator}.
 *
 * <p>Not thread-safe: confined to the connection's event loop. Time is passed in, in nanoseconds
 * of the timer's clock, so the arithmetic runs on any clock (tests use a manual one).
 *
 * <h2>How it works</h2>
 * Frames get consecutive sequence numbers (compared as serial numbers, so they may wrap). A frame
 * stays in flight until a cumulative acknowledgement covers it; at most {@link #window()} are in
 * flight. Frames in flight form a list in the order they were last sent, so the one sent longest
 * ago is at the head and the retransmission deadline is its last send plus the RTO: one deadline
 * for the whole connection, however many frames are in flight.
 *
 * <p>When the deadline passes ({@link #retransmitDue}), the RTO backs off once (doubles, up to
 * the maximum) and every frame sent at least one old RTO ago is retransmitted and moved to the
 * tail, so several losses in one window cost one timeout, not one each. An acknowledgement takes an
 * RTT sample from the newest frame it covers, unless it covers any retransmitted frame: Karn's rule
 * (the sample of a retransmitted frame is ambiguous), extended to cumulative acknowledgements,
 * because one released by a retransmission that filled a gap also covers frames held behind the
 * gap, and timing those would add the whole repair to the RTT. A valid sample ends the back-off.
 * A frame retransmitted
 * {@code maxRetransmissions} times that times out again makes the manager {@linkplain #hasFailed()
 * fail}: the connection must close.
 */
final class RetransmissionManager {

    /** {@link #acknowledge} result for an acknowledgement of a frame that was never sent. */
    static final int ACK_OF_UNSENT_FRAME = -1;

    private static final int NIL = -1;

    private final RtoEstimator estimator;
    private final int maxRetransmissions;
    private final int mask;

    // Per slot (sequence & mask), valid while the frame is in flight.
    private final int[] sequences;
    private final byte[][] payloads;
    private final long[] firstSentNs;
    private final long[] lastSentNs;
    private final int[] retransmissions;
    // The in-flight frames as a doubly linked list in order of last send, by slot.
    private final int[] next;
    private final int[] previous;
    private int head = NIL;
    private int tail = NIL;

    private int nextSequence;
    private int oldestUnacked;
    private boolean failed;

    private long framesSent;
    private long framesRetransmitted;
    private long framesAcked;
    private long timeouts;
    private long rttSamples;
    private long samplesSkippedByKarn;
    private long lastRttNs;

    /**
     * @param estimator          the connection's RTO estimator
     * @param window             the most frames in flight: a power of two, 1 to 2^20
     * @param maxRetransmissions how often one frame may be retransmitted before the connection fails
     * @param firstSequence      the first sequence number to assign
     */
    RetransmissionManager(RtoEstimator estimator, int window, int maxRetransmissions, int firstSequence) {
        if (window < 1 || window > 1 << 20 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window must be a power of two from 1 to 2^20: " + window);
        }
        if (maxRetransmissions < 0) {
            throw new IllegalArgumentException("maxRetransmissions must not be negative: " + maxRetransmissions);
        }
        this.estimator = estimator;
        this.maxRetransmissions = maxRetransmissions;
        this.mask = window - 1;
        this.sequences = new int[window];
        this.payloads = new byte[window][];
        this.firstSentNs = new long[window];
        this.lastSentNs = new long[window];
        this.retransmissions = new int[window];
        this.next = new int[window];
        this.previous = new int[window];
        this.nextSequence = firstSequence;
        this.oldestUnacked = firstSequence;
    }

    // ------------------------------------------------------------------ sending and acknowledging

    /** @return true if another frame may be sent: fewer than {@link #window()} in flight */
    boolean canSend() {
        return inFlight() <= mask;
    }

    /**
     * A frame is sent for the first time.
     *
     * @param payload what to send again if it is lost (kept by reference); may be null for a
     *                frame the connection rebuilds itself, such as a handshake frame
     * @param nowNs   the time of sending
     * @return the frame's sequence number
     * @throws IllegalStateException if the window is full
     */
    int send(byte[] payload, long nowNs) {
        if (!canSend()) {
            throw new IllegalStateException("window full: " + inFlight() + " frames in flight");
        }
        int sequence = nextSequence++;
        int slot = sequence & mask;
        sequences[slot] = sequence;
        payloads[slot] = payload;
        firstSentNs[slot] = nowNs;
        lastSentNs[slot] = nowNs;
        retransmissions[slot] = 0;
        append(slot);
        framesSent++;
        return sequence;
    }

    /**
     * A cumulative acknowledgement arrived: the peer has every frame up to {@code ack}.
     *
     * @param ack   the highest sequence number the peer has received in order
     * @param nowNs the time it arrived
     * @return how many frames it newly acknowledged (0 for an old or repeated one), or
     *         {@link #ACK_OF_UNSENT_FRAME} if it covers a frame never sent (the peer misbehaves;
     *         nothing changes)
     */
    int acknowledge(int ack, long nowNs) {
        if (ack - oldestUnacked < 0) {
            return 0;
        }
        if (ack - nextSequence >= 0) {
            return ACK_OF_UNSENT_FRAME;
        }
        boolean coversARetransmission = false;
        for (int sequence = oldestUnacked; sequence != ack + 1; sequence++) {
            int slot = sequence & mask;
            coversARetransmission |= retransmissions[slot] != 0;
            unlink(slot);
            payloads[slot] = null;
        }
        if (coversARetransmission) {
            samplesSkippedByKarn++;
        } else {
            lastRttNs = Math.max(0, nowNs - firstSentNs[ack & mask]);
            estimator.onRttSample(lastRttNs);
            rttSamples++;
        }
        int acked = ack - oldestUnacked + 1;
        oldestUnacked = ack + 1;
        framesAcked += acked;
        return acked;
    }

    // ------------------------------------------------------------------ timeouts

    /**
     * @return when the frame sent longest ago times out: its last send plus the RTO; or
     *         {@link TimeoutLayer#NO_DEADLINE} with nothing in flight, or once the manager has
     *         failed (a failed manager has nothing left to time)
     */
    long deadlineNs() {
        if (head == NIL || failed) {
            return TimeoutLayer.NO_DEADLINE;
        }
        return TimeoutLayer.deadlineAfter(lastSentNs[head], estimator.rtoNs());
    }

    /**
     * Retransmits what is due: if the deadline has passed, backs the RTO off once and adds every
     * frame sent at least one (old) RTO ago to {@code into}'s frames, oldest first, marking them
     * retransmitted now. Stops and {@linkplain #hasFailed() fails} at a frame already
     * retransmitted {@code maxRetransmissions} times.
     *
     * @param nowNs the current time
     * @param into  receives the sequence numbers to send again
     * @return how many frames to send again; 0 if the deadline has not passed
     */
    int retransmitDue(long nowNs, TimeoutCheckResult into) {
        if (failed || !TimeoutLayer.isDue(deadlineNs(), nowNs)) {
            return 0;
        }
        long rtoNs = estimator.rtoNs();
        estimator.onTimeout();
        timeouts++;
        int count = 0;
        // Frames moved to the tail were sent now, so they are not due again and the loop ends.
        while (head != NIL && lastSentNs[head] + rtoNs - nowNs <= 0) {
            int slot = head;
            if (retransmissions[slot] >= maxRetransmissions) {
                failed = true;
                break;
            }
            retransmissions[slot]++;
            lastSentNs[slot] = nowNs;
            unlink(slot);
            append(slot);
            into.addFrame(sequences[slot]);
            count++;
        }
        framesRetransmitted += count;
        return count;
    }

    /** @return true once a frame has timed out after its last allowed retransmission */
    boolean hasFailed() {
        return failed;
    }

    // ------------------------------------------------------------------ queries

    /**
     * @param sequence a sequence number in flight
     * @return the payload given to {@link #send} for it
     */
    byte[] payload(int sequence) {
        return payloads[sequence & mask];
    }

    /** @return frames sent and not yet acknowledged */
    int inFlight() {
        return nextSequence - oldestUnacked;
    }

    /** @return the lowest sequence number not yet acknowledged (the next to be, if any are in flight) */
    int oldestUnacked() {
        return oldestUnacked;
    }

    /** @return the sequence number the next frame will get */
    int nextSequence() {
        return nextSequence;
    }

    /** @return the most frames in flight */
    int window() {
        return mask + 1;
    }

    RtoEstimator estimator() {
        return estimator;
    }

    long framesSent() {
        return framesSent;
    }

    long framesRetransmitted() {
        return framesRetransmitted;
    }

    long framesAcked() {
        return framesAcked;
    }

    /** @return deadlines that passed (each backed the RTO off once) */
    long timeouts() {
        return timeouts;
    }

    long rttSamples() {
        return rttSamples;
    }

    long samplesSkippedByKarn() {
        return samplesSkippedByKarn;
    }

    /** @return the last RTT sample taken, in nanoseconds, or 0 */
    long lastRttNs() {
        return lastRttNs;
    }

    /** Forgets every frame in flight (the connection closed); the counters stay. */
    void clear() {
        for (int slot = head; slot != NIL; slot = next[slot]) {
            payloads[slot] = null;
        }
        head = NIL;
        tail = NIL;
        oldestUnacked = nextSequence;
    }

    // ------------------------------------------------------------------ the send-order list

    private void append(int slot) {
        next[slot] = NIL;
        previous[slot] = tail;
        if (tail == NIL) {
            head = slot;
        } else {
            next[tail] = slot;
        }
        tail = slot;
    }

    private void unlink(int slot) {
        int before = previous[slot];
        int after = next[slot];
        if (before == NIL) {
            head = after;
        } else {
            next[before] = after;
        }
        if (after == NIL) {
            tail = before;
        } else {
            previous[after] = before;
        }
    }

    @Override
    public String toString() {
        return "RetransmissionManager[inFlight=" + inFlight() + ", oldestUnacked=" + oldestUnacked
                + ", rto=" + estimator.rtoNs() + " ns" + (failed ? ", failed" : "") + "]";
    }
}
