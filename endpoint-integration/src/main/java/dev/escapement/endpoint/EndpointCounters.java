package dev.escapement.endpoint;

import dev.escapement.connection.TimeoutEvent;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * An endpoint's counters and histograms, written by its event loop and read by anyone.
 *
 * <p>Thread-safety: one writer, the endpoint's event loop (every connection of the endpoint, its
 * channels and their handlers run there); any number of readers. A counter is bumped with an
 * ordered store of its value plus one (a single writer needs no read-modify-write atomics), as
 * Agrona's counters are; readers see each value whole. The histograms are HdrHistogram
 * single-writer recorders; readers fold their intervals into running totals under a lock only
 * readers take.
 */
final class EndpointCounters {

    /** The plain counters; closes, timeouts and bad datagrams are counted per enum constant. */
    enum Counter {
        DATAGRAMS_SENT,
        DATAGRAMS_RECEIVED,
        DATAGRAMS_DROPPED_BY_LINK,
        CONNECTIONS_OPENED,
        CONNECTIONS_ESTABLISHED,
        HANDSHAKES_REFUSED,
        FRAMES_SENT,
        FRAMES_RETRANSMITTED,
        FRAMES_ACKED,
        FRAMES_DELIVERED,
        FRAMES_HELD_OUT_OF_ORDER,
        FRAMES_BEYOND_WINDOW,
        DUPLICATE_FRAMES,
        FRAMES_UNCONFIRMED_AT_CLOSE,
        LATE_PACKETS,
        PATH_VALIDATIONS_STARTED,
        PATH_VALIDATIONS_SUCCEEDED,
        PATH_VALIDATIONS_FAILED,
        RTT_SAMPLES,
        HANDLER_FAILURES,
        APPLICATION_FAILURES,
        SOCKET_ERRORS
    }

    static final int CLOSE_BASE = Counter.values().length;
    static final int TIMEOUT_BASE = CLOSE_BASE + CloseReason.values().length;
    static final int BAD_BASE = TIMEOUT_BASE + TimeoutEvent.values().length;
    static final int SIZE = BAD_BASE + BadDatagram.values().length;

    /** Histogram precision: two significant digits, as the timer's lateness histogram. */
    private static final int SIGNIFICANT_DIGITS = 2;

    private final AtomicLongArray values = new AtomicLongArray(SIZE);
    private final SingleWriterRecorder rttRecorder = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
    private final SingleWriterRecorder rtoRecorder = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
    private final Histogram rttTotal = new Histogram(SIGNIFICANT_DIGITS);
    private final Histogram rtoTotal = new Histogram(SIGNIFICANT_DIGITS);
    private Histogram rttInterval;
    private Histogram rtoInterval;

    // ------------------------------------------------------------------ writer: the event loop

    void increment(Counter counter) {
        add(counter.ordinal(), 1);
    }

    void add(Counter counter, long amount) {
        add(counter.ordinal(), amount);
    }

    void closed(CloseReason reason) {
        add(CLOSE_BASE + reason.ordinal(), 1);
    }

    void timedOut(TimeoutEvent event) {
        add(TIMEOUT_BASE + event.ordinal(), 1);
    }

    void bad(BadDatagram kind) {
        add(BAD_BASE + kind.ordinal(), 1);
    }

    private void add(int index, long amount) {
        // Single writer: an ordered store of the new value is enough for readers to see it whole.
        values.lazySet(index, values.get(index) + amount);
    }

    /** Records an RTT sample and the RTO it gave. */
    void recordRttSample(long rttNs, long rtoNs) {
        increment(Counter.RTT_SAMPLES);
        rttRecorder.recordValue(rttNs);
        rtoRecorder.recordValue(rtoNs);
    }

    /** Records the RTO a timeout backed off to. */
    void recordBackedOffRto(long rtoNs) {
        rtoRecorder.recordValue(rtoNs);
    }

    // ------------------------------------------------------------------ readers: any thread

    /** @return the current value of one counter */
    long get(Counter counter) {
        return values.get(counter.ordinal());
    }

    /** @return a snapshot of the counters */
    EndpointStats snapshot() {
        long[] copy = new long[SIZE];
        for (int i = 0; i < SIZE; i++) {
            copy[i] = values.get(i);
        }
        return new EndpointStats(copy);
    }

    /** @return every RTT sample so far, in nanoseconds (a copy) */
    synchronized Histogram rttHistogram() {
        rttInterval = rttRecorder.getIntervalHistogram(rttInterval);
        rttTotal.add(rttInterval);
        return rttTotal.copy();
    }

    /** @return every RTO set so far, by a sample or a back-off, in nanoseconds (a copy) */
    synchronized Histogram rtoHistogram() {
        rtoInterval = rtoRecorder.getIntervalHistogram(rtoInterval);
        rtoTotal.add(rtoInterval);
        return rtoTotal.copy();
    }
}
