package dev.escapement.connection;

import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerContractTest;

/** A manager's typed timeouts hold to the layer contract. */
class TypedTimeoutsContractTest extends TimeoutLayerContractTest {

    private static final TimeoutEvent[] KEYS = {TimeoutEvent.IDLE, TimeoutEvent.CONNECTION, TimeoutEvent.PATH_VALIDATION};

    @Override
    protected TimeoutLayer newLayer() {
        return new TypedTimeouts<>(TimeoutEvent.values(), null, null).layer();
    }

    @SuppressWarnings("unchecked")
    private static TypedTimeouts<TimeoutEvent> owner(TimeoutLayer layer) {
        return ((TypedTimeouts<TimeoutEvent>.Layer) layer).owner();
    }

    @Override
    protected void set(TimeoutLayer layer, int key, long deadlineNs) {
        owner(layer).setTimeout(KEYS[key], deadlineNs, 0);
    }

    @Override
    protected void remove(TimeoutLayer layer, int key) {
        owner(layer).removeTimeout(KEYS[key]);
    }
}
