package dev.escapement.connection;

/**
 * Typed timeouts on their own, for the layer's tests: the enum's constants and the wider deadlines
 * kept here, no spread, every change reported through the {@link #layer} view.
 *
 * @param <E> the event type
 */
final class StandaloneTypedTimeouts<E extends Enum<E>> extends TypedTimeouts<E> {

    final TypedTimeouts<E>.Layer layer = new Layer();
    private final E[] types;
    private final long[] moreDeadlinesNs;
    long resets;

    StandaloneTypedTimeouts(E[] types) {
        this.types = types;
        this.moreDeadlinesNs = newMoreDeadlines(types);
    }

    @Override
    E[] timeoutTypes() {
        return types;
    }

    @Override
    long[] moreDeadlinesNs() {
        return moreDeadlinesNs;
    }

    @Override
    long spreadOffsetNs(int ordinal) {
        return 0;
    }

    @Override
    void timeoutsChanged(long deadlineNs) {
        layer.changed(deadlineNs);
    }

    @Override
    void timeoutReset() {
        resets++;
    }
}
