package dev.escapement.perf.compare;

import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * One way of keeping a per-connection idle timeout, reset on every packet: the subject of the
 * connections scenario. Connections live on Netty event loops; every method but {@link #close()} and
 * {@link #awaitCaughtUp} runs on the connection's event loop.
 *
 * <p>Thread-safety: as stated per method.
 */
interface IdleTimeouts extends AutoCloseable {

    /** The per-connection half: what a packet costs. */
    interface Connection {
        /** A packet arrived. Called on the connection's event loop. */
        void onRead();
    }

    /**
     * Opens a connection and arms its idle timeout. Called on {@code loop}.
     *
     * @param loop          the connection's event loop
     * @param idleTimeoutNs the idle timeout
     * @return the connection
     */
    Connection open(EventLoop loop, long idleTimeoutNs);

    /**
     * Opens a connection with the three timeouts a QUIC-like connection keeps (idle,
     * retransmission, path validation), each armed as this strategy arms a timeout; the subject of
     * the footprint scenario. Called on {@code loop}.
     *
     * @param loop             the connection's event loop
     * @param idleNs           the idle timeout
     * @param retransmissionNs the retransmission timeout
     * @param pathValidationNs the path validation timeout
     * @return the connection
     */
    Connection openWithThreeTimeouts(EventLoop loop, long idleNs, long retransmissionNs, long pathValidationNs);

    /** A read burst starts on the calling event loop (as one pass of a Netty read loop). */
    void beginBurst();

    /**
     * Waits until whatever the timer side owes (queued schedules and cancels) has been applied.
     * Called from the scenario's thread after the event loops have stopped reading.
     *
     * @param timeoutMs how long to wait at most
     */
    void awaitCaughtUp(long timeoutMs);

    /** @return idle events fired so far (a connection read nothing for a whole timeout) */
    long idleEvents();

    /** Releases the timer. Called from the scenario's thread. */
    @Override
    void close();

    /** @return how many of {@code count} connections the loop at {@code index} of {@code loops} takes */
    static int share(int count, int loops, int index) {
        return count / loops + (index < count % loops ? 1 : 0);
    }

    /**
     * Fills each {@code into[l]} with connections that {@code open} opens on {@code loops[l]}, on
     * that loop, as a server opens them; waits until every loop is done. Called from the scenario's
     * thread.
     */
    static void openOnLoops(EventLoop[] loops, Connection[][] into, Function<EventLoop, Connection> open, long timeoutMs) {
        CountDownLatch opened = new CountDownLatch(loops.length);
        for (int l = 0; l < loops.length; l++) {
            EventLoop loop = loops[l];
            Connection[] own = into[l];
            loop.execute(() -> {
                for (int c = 0; c < own.length; c++) {
                    own[c] = open.apply(loop);
                }
                opened.countDown();
            });
        }
        Probes.await(opened, timeoutMs, "opening the connections");
    }
}
