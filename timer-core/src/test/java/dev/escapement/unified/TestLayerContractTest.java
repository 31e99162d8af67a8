package dev.escapement.unified;

/** The reference test layer holds to the layer contract too. */
class TestLayerContractTest extends TimeoutLayerContractTest {

    private enum Key { K0, K1, K2 }

    @Override
    protected TimeoutLayer newLayer() {
        return new TestLayer("test");
    }

    @Override
    protected void set(TimeoutLayer layer, int key, long deadlineNs) {
        ((TestLayer) layer).set(Key.values()[key], deadlineNs);
    }

    @Override
    protected void remove(TimeoutLayer layer, int key) {
        ((TestLayer) layer).remove(Key.values()[key]);
    }
}
