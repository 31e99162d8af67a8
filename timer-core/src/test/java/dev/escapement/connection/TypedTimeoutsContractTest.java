package dev.escapement.connection;

/** A manager's typed timeouts hold to the layer contract. */
class TypedTimeoutsContractTest extends TypedTimeoutsContract<TimeoutEvent> {

    TypedTimeoutsContractTest() {
        super(TimeoutEvent.values(),
                new TimeoutEvent[] {TimeoutEvent.IDLE, TimeoutEvent.CONNECTION, TimeoutEvent.PATH_VALIDATION});
    }
}
