package dev.escapement.unified;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a timeout check found: the timeout events that fired, each with its deadline, and the
 * frames to retransmit. A layer (and a {@link UnifiedTimeoutScheduler}) owns one result and
 * refills it on every check, so a check allocates nothing once the arrays have grown to the
 * largest check seen; the typed timeouts of every {@code TimerManager} on one thread share that
 * thread's result.
 *
 * <p>Not thread-safe: used on the connection's thread. A result handed out by a check is valid
 * until its owner's next check (for a manager's typed timeouts, the next drain on the thread);
 * copy what must outlive that (for example with {@link #events()}).
 *
 * <p>Events are enum constants ({@code TimeoutEvent}, or a protocol's own enum); cast to the enum
 * the layer uses.
 */
public final class TimeoutCheckResult {

    private static final Enum<?>[] NO_EVENTS = new Enum<?>[0];
    private static final long[] NO_LONGS = new long[0];
    private static final int FIRST_CAPACITY = 4;

    private Enum<?>[] events = NO_EVENTS;
    private long[] eventDeadlinesNs = NO_LONGS;
    private int eventCount;
    private long[] frames = NO_LONGS;
    private int frameCount;

    /** Creates an empty result; arrays grow on first use. */
    public TimeoutCheckResult() {
    }

    /** @return the number of events */
    public int eventCount() {
        return eventCount;
    }

    /**
     * @param index from 0 to {@link #eventCount()} - 1
     * @return the event at {@code index}
     */
    public Enum<?> event(int index) {
        return events[Objects.checkIndex(index, eventCount)];
    }

    /**
     * @param index from 0 to {@link #eventCount()} - 1
     * @return the deadline of the event at {@code index}, in nanoseconds
     */
    public long deadlineNs(int index) {
        return eventDeadlinesNs[Objects.checkIndex(index, eventCount)];
    }

    /** @return the number of frames to retransmit */
    public int frameCount() {
        return frameCount;
    }

    /**
     * @param index from 0 to {@link #frameCount()} - 1
     * @return the frame at {@code index}: an id the layer defines, such as a sequence number
     */
    public long frame(int index) {
        return frames[Objects.checkIndex(index, frameCount)];
    }

    /** @return true if there are no events and no frames */
    public boolean isEmpty() {
        return eventCount == 0 && frameCount == 0;
    }

    /**
     * @param event an event
     * @return true if the result holds {@code event}
     */
    public boolean contains(Enum<?> event) {
        for (int i = 0; i < eventCount; i++) {
            if (events[i] == event) {
                return true;
            }
        }
        return false;
    }

    /**
     * A copy of the events, in order. Allocates: for tests, logs and results that must outlive
     * the next check.
     *
     * @return the events
     */
    public List<Enum<?>> events() {
        return new ArrayList<>(Arrays.asList(events).subList(0, eventCount));
    }

    /**
     * Adds an event.
     *
     * @param event      the event
     * @param deadlineNs its deadline
     * @return this result
     */
    public TimeoutCheckResult addEvent(Enum<?> event, long deadlineNs) {
        Objects.requireNonNull(event, "event");
        if (eventCount == events.length) {
            int capacity = Math.max(FIRST_CAPACITY, eventCount * 2);
            events = Arrays.copyOf(events, capacity);
            eventDeadlinesNs = Arrays.copyOf(eventDeadlinesNs, capacity);
        }
        events[eventCount] = event;
        eventDeadlinesNs[eventCount] = deadlineNs;
        eventCount++;
        return this;
    }

    /**
     * Adds a frame to retransmit.
     *
     * @param frame an id the layer defines
     * @return this result
     */
    public TimeoutCheckResult addFrame(long frame) {
        if (frameCount == frames.length) {
            frames = Arrays.copyOf(frames, Math.max(FIRST_CAPACITY, frameCount * 2));
        }
        frames[frameCount++] = frame;
        return this;
    }

    /**
     * Appends the events and frames of another result.
     *
     * @param other the result to copy from
     * @return this result
     */
    public TimeoutCheckResult addAll(TimeoutCheckResult other) {
        Objects.requireNonNull(other, "other");
        for (int i = 0; i < other.eventCount; i++) {
            addEvent(other.events[i], other.eventDeadlinesNs[i]);
        }
        for (int i = 0; i < other.frameCount; i++) {
            addFrame(other.frames[i]);
        }
        return this;
    }

    /**
     * Sorts the events by deadline, earliest first, by overflow-safe comparison; events with the
     * same deadline keep their order (stable). An insertion sort: results hold a handful of events.
     *
     * @return this result
     */
    public TimeoutCheckResult sortEventsByDeadline() {
        for (int i = 1; i < eventCount; i++) {
            Enum<?> event = events[i];
            long deadlineNs = eventDeadlinesNs[i];
            int j = i - 1;
            while (j >= 0 && deadlineNs - eventDeadlinesNs[j] < 0) {
                events[j + 1] = events[j];
                eventDeadlinesNs[j + 1] = eventDeadlinesNs[j];
                j--;
            }
            events[j + 1] = event;
            eventDeadlinesNs[j + 1] = deadlineNs;
        }
        return this;
    }

    /**
     * Empties the result, keeping its arrays.
     *
     * @return this result
     */
    public TimeoutCheckResult clear() {
        Arrays.fill(events, 0, eventCount, null);
        eventCount = 0;
        frameCount = 0;
        return this;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TimeoutCheckResult[events=[");
        for (int i = 0; i < eventCount; i++) {
            text.append(i == 0 ? "" : ", ").append(events[i]).append('@').append(eventDeadlinesNs[i]);
        }
        text.append("], frames=[");
        for (int i = 0; i < frameCount; i++) {
            text.append(i == 0 ? "" : ", ").append(frames[i]);
        }
        return text.append("]]").toString();
    }
}
