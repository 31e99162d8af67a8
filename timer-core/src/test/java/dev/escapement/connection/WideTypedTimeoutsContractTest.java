package dev.escapement.connection;

/**
 * Typed timeouts of an enum wider than the inline fields hold to the layer contract, with keys on
 * both sides of the boundary: ordinal 1 in a field, ordinals 4 and 7 in the array.
 */
class WideTypedTimeoutsContractTest extends TypedTimeoutsContract<WideTypedTimeoutsContractTest.Eight> {

    enum Eight { E0, E1, E2, E3, E4, E5, E6, E7 }

    WideTypedTimeoutsContractTest() {
        super(Eight.values(), new Eight[] {Eight.E4, Eight.E1, Eight.E7});
    }
}
