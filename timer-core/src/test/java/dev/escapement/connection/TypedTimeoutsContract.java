package dev.escapement.connection;

import dev.escapement.unified.TimeoutLayer;
import dev.escapement.unified.TimeoutLayerContractTest;

/**
 * The layer contract run on the {@link TypedTimeouts.Layer layer view} of typed timeouts of one
 * enum, with three of its constants as the contract's keys.
 *
 * @param <E> the event type
 */
abstract class TypedTimeoutsContract<E extends Enum<E>> extends TimeoutLayerContractTest {

    private final E[] types;
    private final E[] keys;

    TypedTimeoutsContract(E[] types, E[] keys) {
        this.types = types;
        this.keys = keys;
    }

    @Override
    protected TimeoutLayer newLayer() {
        return new StandaloneTypedTimeouts<>(types).layer;
    }

    @SuppressWarnings("unchecked")
    private TypedTimeouts<E> owner(TimeoutLayer layer) {
        return ((TypedTimeouts<E>.Layer) layer).owner();
    }

    @Override
    protected void set(TimeoutLayer layer, int key, long deadlineNs) {
        owner(layer).setTimeout(keys[key], deadlineNs, 0);
    }

    @Override
    protected void remove(TimeoutLayer layer, int key) {
        owner(layer).removeTimeout(keys[key]);
    }
}
