package dev.escapement.wheel;

/**
 * The superclasses of {@link TimingWheel} that keep its one field producers read on every
 * allocation, the entry store, on cache lines of its own. HotSpot lays a superclass's fields out
 * before a subclass's, so the padding here sits between that field and the fields the owner
 * thread writes on every link and unlink ({@code size}, {@code occupiedLevels}). Without it the
 * two shared a line or not depending on where the wheel object happened to start, and the churn
 * throughput of otherwise identical JVMs differed by 2-3x.
 *
 * <p>Thread-safety: final fields and padding only.
 */
@SuppressWarnings("unused")
abstract class WheelPadding {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

/** The field producers read: see {@link WheelPadding}. */
abstract class WheelProducerFields extends WheelPadding {

    final EntryStore store;

    WheelProducerFields(EntryStore store) {
        this.store = store;
    }
}

/** Padding after the producers' field: see {@link WheelPadding}. */
@SuppressWarnings("unused")
abstract class WheelProducerPadding extends WheelProducerFields {
    long p10, p11, p12, p13, p14, p15, p16, p17;

    WheelProducerPadding(EntryStore store) {
        super(store);
    }
}
