package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Real endpoints on loopback for a test: an event-loop group, a global timer of the test's own
 * (so its statistics are the test's alone), and the endpoints built on them. Closing it closes
 * the endpoints, then stops the timer, then shuts the group down.
 */
final class Loopback implements AutoCloseable {

    /** How long a liveness wait may take before the test fails: generous, never a speed claim. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final GlobalTimer timer = GlobalTimer.builder().threadName("loopback-test-timer").build();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private long nextSeed = 1;

    /** Builds an endpoint on this group and timer, with a fixed seed, configured by {@code settings}. */
    Endpoint endpoint(UnaryOperator<Endpoint.Builder> settings) {
        Endpoint endpoint = settings.apply(Endpoint.builder(group).timer(timer).seed(nextSeed++)).build();
        endpoints.add(endpoint);
        return endpoint;
    }

    /** RTOs far above any loopback round trip, so that no retransmission can be spurious. */
    static final UnaryOperator<Endpoint.Builder> SLOW_RTO =
            b -> b.rto(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));

    /** An echoing server, a client, and a connection between them, established on both sides. */
    record EchoPair(Endpoint server, Endpoint client, RecordingHandler serverSide, RecordingHandler clientSide,
                    Connection connection) {

        /** @return the server's side of the connection */
        Connection accepted() {
            return serverSide.established.get();
        }
    }

    /** Builds an echoing server and a client, both with {@code settings}, and connects them. */
    EchoPair echoPair(UnaryOperator<Endpoint.Builder> settings) throws Exception {
        RecordingHandler serverSide = RecordingHandler.echoing();
        Endpoint server = endpoint(b -> settings.apply(b.accept(() -> serverSide)));
        Endpoint client = endpoint(settings);
        RecordingHandler clientSide = RecordingHandler.recording();
        Connection connection = client.connect(server.localAddress(), clientSide).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        await("the server's side to be established", () -> serverSide.established.get() != null);
        return new EchoPair(server, client, serverSide, clientSide, connection);
    }

    /** Runs {@code task} on {@code endpoint}'s event loop and returns its result. */
    static <T> T onLoop(Endpoint endpoint, Callable<T> task) {
        try {
            return endpoint.eventLoop().submit(task).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on the event loop failed", e);
        }
    }

    /** Runs {@code task} on {@code connection}'s event loop and returns its result. */
    static <T> T onLoop(Connection connection, Callable<T> task) {
        try {
            return connection.eventLoop().submit(task).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("task on the event loop failed", e);
        }
    }

    /**
     * Waits until {@code condition} holds, polling; fails after {@link #PATIENCE}. For liveness
     * only: how soon it holds is never asserted.
     */
    static void await(String what, BooleanSupplier condition) {
        long deadlineNs = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new AssertionError("gave up waiting for " + what + " after " + PATIENCE.toSeconds() + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /**
     * Waits until the timer's wheel holds no entry. A cancel on the timer's id path only queues a
     * command and does not wake a parked timer thread, so the count of pending timers includes
     * cancelled entries until the thread's next pass: each poll first provokes a pass with a
     * zero-delay timer and waits for it to fire.
     */
    static void awaitNoPendingTimers(GlobalTimer timer) {
        try {
            await("the timer to drop every wheel entry", () -> {
                timer.scheduleNotify(0, TimeUnit.NANOSECONDS).completion().join();
                return timer.stats().pending() == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + timer.dump(), e);
        }
    }

    /** Closes every endpoint and checks that the timer is left with nothing: no entry, no connection. */
    void closeEndpointsAndExpectNoTimers() {
        endpoints.forEach(Endpoint::close);
        awaitNoPendingTimers(timer);
        assertThat(timer.stats().activeConnections()).as("connections registered with the timer").isZero();
    }

    @Override
    public void close() {
        endpoints.forEach(Endpoint::close);
        timer.stop();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
