package dev.escapement.connection;

import dev.escapement.GlobalTimer;
import dev.escapement.engine.Engines;
import dev.escapement.engine.TimerEngine;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection ids with a live {@link TimerManager} on one {@link GlobalTimer}: a second live
 * manager for an id is refused, and {@link dev.escapement.TimerStats#activeConnections()} counts
 * them. One registry per timer, kept in the timer's engine.
 *
 * <p>Thread-safety: any thread; managers of many event loops register at once.
 */
final class ConnectionRegistry {

    private final TimerEngine engine;
    private final Set<Long> ids = ConcurrentHashMap.newKeySet();

    private ConnectionRegistry(TimerEngine engine) {
        this.engine = engine;
    }

    static ConnectionRegistry of(GlobalTimer timer) {
        TimerEngine engine = Engines.of(timer);
        return engine.connectionRegistry(() -> new ConnectionRegistry(engine));
    }

    /** @return true if {@code connectionId} had no live manager */
    boolean register(long connectionId) {
        if (!ids.add(connectionId)) {
            return false;
        }
        engine.connectionOpened();
        return true;
    }

    void unregister(long connectionId) {
        if (ids.remove(connectionId)) {
            engine.connectionClosed();
        }
    }
}
