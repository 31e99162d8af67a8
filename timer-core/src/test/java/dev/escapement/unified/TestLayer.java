package dev.escapement.unified;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A plain {@link TimeoutLayer} for tests: a map from event to deadline, each with optional frames
 * to retransmit. It follows the layer contract (reports every change to its observer) and is the
 * reference other layers are held to.
 */
public final class TestLayer implements TimeoutLayer {

    private final String name;
    private final Map<Enum<?>, Long> deadlines = new LinkedHashMap<>();
    private final Map<Enum<?>, long[]> frames = new LinkedHashMap<>();
    private final TimeoutCheckResult result = new TimeoutCheckResult();
    private DeadlineObserver observer = DeadlineObserver.NONE;
    private boolean attached;
    private long checks;
    private long eventsFired;
    private long framesToRetransmit;
    /** Runs inside each check, e.g. to advance a stopwatch. */
    private Runnable duringCheck = () -> { };

    public TestLayer(String name) {
        this.name = name;
    }

    /** Sets a deadline for {@code event}, with frames to report when it is due. */
    public TestLayer set(Enum<?> event, long deadlineNs, long... framesToSend) {
        deadlines.put(Objects.requireNonNull(event), deadlineNs);
        frames.put(event, framesToSend.clone());
        observer.deadlineChanged(this, deadlineNs);
        return this;
    }

    /** Removes the deadline of {@code event}, if any. */
    public boolean remove(Enum<?> event) {
        frames.remove(event);
        if (deadlines.remove(event) == null) {
            return false;
        }
        observer.deadlineChanged(this, NO_DEADLINE);
        return true;
    }

    public TestLayer duringCheck(Runnable action) {
        this.duringCheck = action;
        return this;
    }

    public int size() {
        return deadlines.size();
    }

    @Override
    public String layerName() {
        return name;
    }

    @Override
    public long nextDeadline() {
        long earliestNs = NO_DEADLINE;
        for (long deadlineNs : deadlines.values()) {
            earliestNs = TimeoutLayer.earlier(earliestNs, deadlineNs);
        }
        return earliestNs;
    }

    @Override
    public TimeoutCheckResult checkTimeouts(long nowNs) {
        checks++;
        duringCheck.run();
        result.clear();
        var iterator = deadlines.entrySet().iterator();
        boolean removed = false;
        while (iterator.hasNext()) {
            var entry = iterator.next();
            if (TimeoutLayer.isDue(entry.getValue(), nowNs)) {
                result.addEvent(entry.getKey(), entry.getValue());
                for (long frame : frames.remove(entry.getKey())) {
                    result.addFrame(frame);
                    framesToRetransmit++;
                }
                eventsFired++;
                iterator.remove();
                removed = true;
            }
        }
        if (removed) {
            result.sortEventsByDeadline();
            observer.deadlineChanged(this, NO_DEADLINE);
        }
        return result;
    }

    @Override
    public TimeoutLayerStats stats() {
        return new TimeoutLayerStats(name, deadlines.size(), checks, eventsFired, framesToRetransmit);
    }

    @Override
    public void attach(DeadlineObserver observer) {
        if (attached) {
            throw new IllegalStateException("layer " + name + " is attached already");
        }
        this.observer = observer;
        attached = true;
    }

    @Override
    public String toString() {
        return "TestLayer[" + name + " " + deadlines + "]";
    }
}
