package dev.escapement.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.escapement.GlobalTimer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.asynchttpclient.AsyncCompletionHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AsyncHttpClient 3 with an {@link EscapementTimer} as its Netty timer, against a local HTTP server
 * over real sockets: its request and read timeouts fire, never early; a burst of requests each ends
 * exactly once; and a client closed with its timer stopped leaves nothing on the shared global timer.
 *
 * <p>The server answers {@code /fast} at once, {@code /slow} after {@value #SERVER_DELAY_MS} ms, and
 * on {@code /stall} sends its headers and the first bytes of the body, then nothing for as long.
 */
@Timeout(60)
class AsyncHttpClientTest {

    private static final long SERVER_DELAY_MS = 3_000;
    private static final long TIMEOUT_MS = 300;

    private HttpServer server;
    private ExecutorService serverThreads;
    private GlobalTimer global;
    private EscapementTimer timer;
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/fast", exchange -> respond(exchange, 0, false));
        server.createContext("/slow", exchange -> respond(exchange, SERVER_DELAY_MS, false));
        server.createContext("/stall", exchange -> respond(exchange, SERVER_DELAY_MS, true));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        global = GlobalTimer.builder().threadName("tmr-ahc-test").build();
        timer = EscapementTimer.builder().globalTimer(global).build();
    }

    /** The server's side: the delay is what the client's timeouts are measured against. */
    private static void respond(HttpExchange exchange, long delayMs, boolean stallInBody) throws IOException {
        byte[] body = "0123456789".getBytes(StandardCharsets.US_ASCII);
        try (exchange) {
            if (!stallInBody) {
                pause(delayMs);
            }
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, 2);
            out.flush();
            if (stallInBody) {
                pause(delayMs);
            }
            out.write(body, 2, body.length - 2);
        } catch (IOException clientWentAway) {
            // The client timed out and closed the connection: expected.
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() {
        timer.stop();
        global.stop();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private AsyncHttpClient client(Duration requestTimeout, Duration readTimeout) {
        return Dsl.asyncHttpClient(Dsl.config().setNettyTimer(timer).setRequestTimeout(requestTimeout)
                .setReadTimeout(readTimeout).setConnectTimeout(Duration.ofSeconds(5)));
    }

    @Test
    void aRequestTimeoutFiresAfterItsDelayAndBeforeTheAnswer() throws Exception {
        try (AsyncHttpClient client = client(Duration.ofMillis(TIMEOUT_MS), Duration.ofSeconds(30))) {
            long startNs = System.nanoTime();
            assertThatThrownBy(() -> client.prepareGet(base + "/slow").execute().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(elapsedMs).as("never early").isGreaterThanOrEqualTo(TIMEOUT_MS);
            assertThat(elapsedMs).as("before the server answered").isLessThan(SERVER_DELAY_MS);
        }
    }

    @Test
    void aReadTimeoutFiresWhenTheBodyStalls() throws Exception {
        try (AsyncHttpClient client = client(Duration.ofSeconds(30), Duration.ofMillis(TIMEOUT_MS))) {
            long startNs = System.nanoTime();
            assertThatThrownBy(() -> client.prepareGet(base + "/stall").execute().get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertThat(elapsedMs).as("never early").isGreaterThanOrEqualTo(TIMEOUT_MS);
            assertThat(elapsedMs).as("before the body resumed").isLessThan(SERVER_DELAY_MS);
        }
    }

    @Test
    void eachRequestOfABurstEndsExactlyOnce() throws Exception {
        int requests = 200;
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        AtomicInteger endings = new AtomicInteger();
        CountDownLatch ended = new CountDownLatch(requests);
        // Half the server's delay: 200 connections opened at once on a loaded 2-core machine answer
        // their fast requests well within it, and the slow ones still time out.
        try (AsyncHttpClient client = client(Duration.ofMillis(SERVER_DELAY_MS / 2), Duration.ofSeconds(30))) {
            for (int i = 0; i < requests; i++) {
                client.prepareGet(base + (i % 2 == 0 ? "/fast" : "/slow")).execute(new AsyncCompletionHandler<Response>() {
                    @Override
                    public Response onCompleted(Response response) {
                        completed.incrementAndGet();
                        endings.incrementAndGet();
                        ended.countDown();
                        return response;
                    }

                    @Override
                    public void onThrowable(Throwable failure) {
                        (failure instanceof TimeoutException ? timedOut : otherFailures).incrementAndGet();
                        endings.incrementAndGet();
                        ended.countDown();
                    }
                });
            }
            assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(completed.get()).as("fast requests answered").isEqualTo(requests / 2);
        assertThat(timedOut.get()).as("slow requests timed out").isEqualTo(requests / 2);
        assertThat(otherFailures.get()).isZero();
        assertThat(endings.get()).as("each request ended exactly once").isEqualTo(requests);
    }

    /**
     * AHC schedules its own housekeeping on the timer it is given and does not cancel it on close,
     * so a client gets a timer of its own, stopped with it: then nothing of it stays on the global
     * timer, which other users keep using.
     */
    @Test
    void aClosedClientWithItsTimerStoppedLeavesNothingOnTheGlobalTimer() throws Exception {
        EscapementTimer other = EscapementTimer.builder().globalTimer(global).build();
        other.newTimeout(t -> { }, 1, TimeUnit.HOURS);
        List<Response> answers = new ArrayList<>();
        try (AsyncHttpClient client = client(Duration.ofMillis(TIMEOUT_MS), Duration.ofMillis(TIMEOUT_MS))) {
            for (int i = 0; i < 20; i++) {
                answers.add(client.prepareGet(base + "/fast").execute().get());
            }
        }
        assertThat(answers).allMatch(response -> response.getStatusCode() == 200);
        timer.stop();
        assertThat(timer.pendingTimeouts()).isZero();
        assertThat(other.pendingTimeouts()).isEqualTo(1);
        assertThat(global.stats().pending() + global.stats().commandQueueDepth()).as("the other timer's timeout only")
                .isLessThanOrEqualTo(1);
        assertThat(other.stop()).hasSize(1);
    }
}
