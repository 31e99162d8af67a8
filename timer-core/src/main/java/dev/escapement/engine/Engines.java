package dev.escapement.engine;

import dev.escapement.GlobalTimer;
import java.util.Objects;
import java.util.function.Function;

/**
 * How the parts of Escapement outside the root package (per-connection timers, the Netty module)
 * reach the engine behind a {@link GlobalTimer}, without the facade exposing it: the facade
 * installs the accessor when its class is initialized, which happens before any timer exists.
 *
 * <p>Thread-safety: the accessor is installed once and read through a volatile.
 */
public final class Engines {

    private static volatile Function<GlobalTimer, TimerEngine> accessor;

    private Engines() {
    }

    /**
     * Installs the accessor; only {@link GlobalTimer} calls this, once.
     *
     * @param engineOf reads a timer's engine
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Function<GlobalTimer, TimerEngine> engineOf) {
        if (accessor != null) {
            throw new IllegalStateException("the engine accessor is installed already");
        }
        accessor = Objects.requireNonNull(engineOf, "engineOf");
    }

    /**
     * @param timer a timer
     * @return its engine
     */
    public static TimerEngine of(GlobalTimer timer) {
        Objects.requireNonNull(timer, "timer");
        // A timer exists, so its class is initialized and the accessor installed.
        return accessor.apply(timer);
    }
}
