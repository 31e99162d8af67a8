package dev.escapement.endpoint.demo;

import dev.escapement.endpoint.CloseReason;
import dev.escapement.endpoint.Connection;
import dev.escapement.endpoint.ConnectionHandler;
import dev.escapement.endpoint.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client of the demo: its own endpoint (its own UDP port), opening one connection after
 * another until the run stops. Each connection sends numbered frames every 25 to 75 ms for a
 * lifetime of 2 to 6 s, checks that the echoes come back in order, waits for the last echo and
 * closes; one in ten moves to a new port halfway through, and the server validates the new path.
 *
 * <p>Confined to the endpoint's event loop, except {@link #start} and {@link #stopNow}.
 */
final class ClientSlot {

    private static final int FRAME_BYTES = 32;
    private static final int MIN_GAP_MS = 25;
    private static final int MAX_GAP_MS = 75;
    private static final long MIN_LIFETIME_MS = 2_000;
    private static final long MAX_LIFETIME_MS = 6_000;
    private static final int MIGRATING_ONE_IN = 10;
    private static final int MAX_PAUSE_MS = 200;

    private final Endpoint endpoint;
    private final InetSocketAddress server;
    private final DemoRun run;
    private final SplittableRandom random;
    private Session current;

    ClientSlot(Endpoint endpoint, InetSocketAddress server, DemoRun run, long seed) {
        this.endpoint = endpoint;
        this.server = server;
        this.run = run;
        this.random = new SplittableRandom(seed);
    }

    /** Opens the first connection after {@code delayMs}. Any thread. */
    void start(long delayMs) {
        endpoint.eventLoop().schedule(this::openNext, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Closes the connection still open at the end of the run; it is reported unfinished. Any thread. */
    void stopNow() {
        endpoint.eventLoop().execute(() -> {
            if (current != null && current.connection != null) {
                current.connection.close();
            }
        });
    }

    private void openNext() {
        if (run.isStopping()) {
            current = null;
            run.slotFinished();
            return;
        }
        long lifetimeMs = random.nextLong(MIN_LIFETIME_MS, MAX_LIFETIME_MS + 1);
        current = new Session(lifetimeMs, random.nextInt(MIGRATING_ONE_IN) == 0);
        endpoint.connect(server, current);
    }

    private void ended(Session session) {
        if (session != current) {
            return;
        }
        if (run.isStopping()) {
            current = null;
            run.slotFinished();
        } else {
            endpoint.eventLoop().schedule(this::openNext, random.nextInt(MAX_PAUSE_MS + 1), TimeUnit.MILLISECONDS);
        }
    }

    /** One connection's exchange. */
    private final class Session implements ConnectionHandler {

        private final long lifetimeMs;
        private final boolean migrates;
        private Connection connection;
        private long startNs;
        private long sent;
        private long echoes;
        private long orderErrors;
        private boolean draining;
        private boolean completed;
        private boolean migrated;

        Session(long lifetimeMs, boolean migrates) {
            this.lifetimeMs = lifetimeMs;
            this.migrates = migrates;
        }

        @Override
        public void onEstablished(Connection established) {
            connection = established;
            startNs = System.nanoTime();
            scheduleTick();
        }

        private void scheduleTick() {
            endpoint.eventLoop().schedule(this::tick, random.nextInt(MIN_GAP_MS, MAX_GAP_MS + 1), TimeUnit.MILLISECONDS);
        }

        private void tick() {
            if (connection.isClosed() || draining) {
                return;
            }
            long ageMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            if (ageMs >= lifetimeMs || run.isStopping()) {
                draining = true;
                closeIfDone();
                return;
            }
            if (migrates && !migrated && ageMs >= lifetimeMs / 2) {
                migrated = true;
                endpoint.rebind();
            }
            ByteBuf frame = Unpooled.buffer(FRAME_BYTES).writeInt((int) sent).writeZero(FRAME_BYTES - Integer.BYTES);
            if (connection.send(frame)) {
                sent++;
            }
            scheduleTick();
        }

        @Override
        public void onFrame(Connection from, ByteBuf payload) {
            if (payload.getInt(payload.readerIndex()) != echoes) {
                orderErrors++;
            }
            echoes++;
            closeIfDone();
        }

        private void closeIfDone() {
            if (draining && echoes >= sent) {
                completed = true;
                connection.close();
            }
        }

        @Override
        public void onClosed(Connection closed, CloseReason reason) {
            run.ledger().record(new Ledger.ClientRecord(closed.id(), closed.peerId(), sent, echoes, orderErrors, reason,
                    completed, migrated));
            ended(this);
        }
    }
}
