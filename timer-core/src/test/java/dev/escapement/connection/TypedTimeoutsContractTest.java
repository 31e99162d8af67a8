package dev.escapement.connection;

import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerContractTest;

/** A manager's typed timeouts hold to the layer contract. */
class TypedTimeoutsContractTest extends TimeoutLayerContractTest {

    private static final TimeoutEvent[] KEYS = {TimeoutEvent.IDLE, TimeoutEvent.CONNECTION, TimeoutEvent.PATH_VALIDATION};

    @Override
    protected TimeoutLayer newLayer() {
        return new TypedTimeouts<>(TimeoutEvent.values(), null, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void set(TimeoutLayer layer, int key, long deadlineNs) {
        ((TypedTimeouts<TimeoutEvent>) layer).register(KEYS[key], deadlineNs, 0);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void remove(TimeoutLayer layer, int key) {
        ((TypedTimeouts<TimeoutEvent>) layer).cancel(KEYS[key]);
    }
}
