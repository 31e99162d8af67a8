package dev.escapement.connection;

import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerContractTest;

/**
 * Typed timeouts of an enum wider than the inline fields hold to the layer contract, with keys on
 * both sides of the boundary: ordinal 1 in a field, ordinals 4 and 7 in the array.
 */
class WideTypedTimeoutsContractTest extends TimeoutLayerContractTest {

    enum Eight { E0, E1, E2, E3, E4, E5, E6, E7 }

    private static final Eight[] KEYS = {Eight.E4, Eight.E1, Eight.E7};

    @Override
    protected TimeoutLayer newLayer() {
        return new TypedTimeouts<>(Eight.values(), null, null).layer();
    }

    @SuppressWarnings("unchecked")
    private static TypedTimeouts<Eight> owner(TimeoutLayer layer) {
        return ((TypedTimeouts<Eight>.Layer) layer).owner();
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
