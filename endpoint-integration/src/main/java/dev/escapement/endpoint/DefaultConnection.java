package dev.escapement.endpoint;

import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.endpoint.EndpointCounters.Counter;
import dev.escapement.netty.RtoEstimator;
import dev.escapement.unified.TimeoutCheckResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Connection}: handshake, data and acknowledgements, path validation and the
 * reaction to timeouts, over the parts that hold the state ({@link RetransmissionManager},
 * {@link ReceiveWindow}, {@link PathValidator}) and the timing ({@link TimingManager}).
 *
 * <p>Confined to the endpoint's event loop, except the methods {@link Connection} allows from any
 * thread.
 *
 * <h2>The handshake is frame 0</h2>
 * Each side's first frame, sequence number 0, is its handshake frame: the client's HELLO, the
 * server's WELCOME. They are sent, retransmitted on the RTO (with back-off and Karn's rule) and
 * acknowledged like data, so the handshake needs no retry logic of its own and gives each side its
 * first RTT sample. The WELCOME acknowledges the HELLO; the client acknowledges the WELCOME with an
 * ACK of 0 (or any later packet), which establishes the server's side. The CONNECTION timeout
 * bounds the whole exchange, retries included. DATA frames start at 1.
 *
 * <h2>Acknowledgements</h2>
 * Every DATA and CLOSE frame carries the cumulative acknowledgement, so a reply sent while a frame
 * is delivered (an echo) acknowledges it; a packet that received data and sent nothing that
 * carries the acknowledgement ends with an ACK.
 */
final class DefaultConnection implements Connection {

    private enum State { HANDSHAKING, ESTABLISHED, CLOSED }

    private static final int HANDSHAKE_SEQUENCE = 0;

    private final DefaultEndpoint endpoint;
    private final EndpointCounters counters;
    private final long id;
    private final boolean client;
    private final ConnectionHandler handler;
    private final TimingManager timing;
    private final ReliabilityLayer reliability;
    private final RetransmissionManager sender;
    private final ReceiveWindow receiver;
    private final PathValidator path;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final int maxQueuedFrames;
    private final CompletableFuture<Connection> establishment = new CompletableFuture<>();

    private long peerId;
    private State state = State.HANDSHAKING;
    private volatile boolean closed;
    private CloseReason closeReason;
    private int nextPacketNumber;
    /** The newest packet number received; a server starts from the HELLO's. */
    private int highestPacketNumber = -1;
    private boolean ackPending;
    private long framesAcked;
    private long framesDelivered;
    private long duplicateFrames;
    private int unconfirmedAtClose;

    /**
     * @throws IllegalStateException if the timer already has a live connection with this id
     */
    DefaultConnection(DefaultEndpoint endpoint, long id, boolean client, long peerId, InetSocketAddress peerAddress,
                      ConnectionHandler handler) {
        EndpointConfig config = endpoint.config();
        this.endpoint = endpoint;
        this.counters = endpoint.counters();
        this.id = id;
        this.client = client;
        this.peerId = peerId;
        this.handler = handler;
        this.maxQueuedFrames = config.maxQueuedFrames();
        this.sender = new RetransmissionManager(config.newEstimator(), config.window(), config.maxRetransmissions(),
                HANDSHAKE_SEQUENCE);
        this.reliability = new ReliabilityLayer(sender);
        // A client has received nothing; a server is created by the client's frame 0, the HELLO.
        this.receiver = new ReceiveWindow(config.window(), client ? HANDSHAKE_SEQUENCE - 1 : HANDSHAKE_SEQUENCE);
        this.path = new PathValidator(peerAddress);
        this.timing = TimingManager.open(config.timer(), id, endpoint.eventLoop(), this::onTimeouts, reliability,
                config.connectionTimeoutNs(), config.idleTimeoutNs(), config.initialRto().toNanos());
    }

    // ------------------------------------------------------------------ handshake

    /** Client: sends the HELLO (frame 0) and starts the connection timeout. */
    void startHandshake() {
        timing.refreshClock();
        timing.handshakeStarted();
        reliability.send(null, timing.nowNs());
        sendHello();
    }

    /** Server: the client's HELLO arrived; sends the WELCOME (frame 0) and starts the connection timeout. */
    void acceptHandshake(int helloPacketNumber) {
        highestPacketNumber = helloPacketNumber;
        timing.handshakeStarted();
        reliability.send(null, timing.nowNs());
        sendWelcome();
    }

    /** Server: the client sent its HELLO again (it has not seen the WELCOME, which retransmits on its RTO). */
    void onDuplicateHello() {
        countDuplicate();
    }

    private void countDuplicate() {
        duplicateFrames++;
        counters.increment(Counter.DUPLICATE_FRAMES);
    }

    private void establish() {
        state = State.ESTABLISHED;
        timing.established();
        counters.increment(Counter.CONNECTIONS_ESTABLISHED);
        establishment.complete(this);
        try {
            handler.onEstablished(this);
        } catch (RuntimeException failure) {
            endpoint.applicationFailed(this, failure);
        }
    }

    // ------------------------------------------------------------------ receiving

    /** A well-formed packet addressed to this connection arrived from {@code from}. */
    void onPacket(Packet packet, ByteBuf datagram, InetSocketAddress from) {
        if (state == State.CLOSED) {
            return;
        }
        boolean newest = packet.packetNumber - highestPacketNumber > 0;
        if (newest) {
            highestPacketNumber = packet.packetNumber;
            if (state == State.ESTABLISHED && !packet.type.isProbing()) {
                // Before anything is sent in reply, so that replies go where the peer is now.
                followPeer(from);
            }
        }
        switch (packet.type) {
            case WELCOME -> onWelcome(packet);
            case DATA -> onData(packet, datagram);
            case ACK -> onAck(packet.ack);
            case CLOSE -> {
                onAck(packet.ack);
                closeWith(CloseReason.CLOSED_BY_PEER, false);
            }
            case PATH_CHALLENGE -> onPathChallenge(packet.token, from);
            case PATH_RESPONSE -> onPathResponse(packet.token);
            case HELLO -> violation();
        }
        if (state == State.ESTABLISHED) {
            timing.peerActivity();
            // Room the acknowledgements made in the window; DATA carries the acknowledgement too.
            sendQueued();
            if (ackPending) {
                transmit(FrameCodec.ack(endpoint.alloc(), peerId, nextPacketNumber++, receiver.highestInOrder()));
                ackPending = false;
            }
        }
    }

    private void onWelcome(Packet packet) {
        if (!client) {
            violation();
            return;
        }
        if (state == State.HANDSHAKING) {
            peerId = packet.sourceId;
            // The WELCOME acknowledges the HELLO, and is the server's frame 0.
            onAck(HANDSHAKE_SEQUENCE);
            receiver.accept(HANDSHAKE_SEQUENCE, Unpooled.EMPTY_BUFFER);
            establish();
        } else {
            countDuplicate();
        }
        ackPending = true;
    }

    private void onAck(int ack) {
        boolean handshakeInFlight = sender.oldestUnacked() == HANDSHAKE_SEQUENCE && sender.inFlight() > 0;
        long samplesBefore = sender.rttSamples();
        int acked = reliability.acknowledge(ack, timing.nowNs());
        if (acked == RetransmissionManager.ACK_OF_UNSENT_FRAME) {
            violation();
            return;
        }
        if (acked == 0) {
            return;
        }
        if (sender.rttSamples() != samplesBefore) {
            counters.recordRttSample(sender.lastRttNs(), sender.estimator().rtoNs());
        }
        int dataFramesAcked = handshakeInFlight ? acked - 1 : acked;
        framesAcked += dataFramesAcked;
        counters.add(Counter.FRAMES_ACKED, dataFramesAcked);
        if (state == State.HANDSHAKING && !client) {
            establish();
        }
    }

    private void onData(Packet packet, ByteBuf datagram) {
        onAck(packet.ack);
        if (state != State.ESTABLISHED) {
            // Data before the handshake completed, or the application closed while acknowledging.
            if (state == State.HANDSHAKING) {
                violation();
            }
            return;
        }
        ByteBuf payload = packet.payload(datagram);
        switch (receiver.accept(packet.sequence, payload)) {
            case IN_ORDER -> {
                deliver(payload);
                byte[] held;
                while (state == State.ESTABLISHED && (held = receiver.pollNext()) != null) {
                    deliver(Unpooled.wrappedBuffer(held));
                }
            }
            case HELD -> counters.increment(Counter.FRAMES_HELD_OUT_OF_ORDER);
            case DUPLICATE -> countDuplicate();
            case BEYOND_WINDOW -> counters.increment(Counter.FRAMES_BEYOND_WINDOW);
        }
        ackPending = true;
    }

    private void deliver(ByteBuf payload) {
        framesDelivered++;
        counters.increment(Counter.FRAMES_DELIVERED);
        try {
            handler.onFrame(this, payload);
        } catch (RuntimeException failure) {
            endpoint.applicationFailed(this, failure);
        }
    }

    private void violation() {
        counters.bad(BadDatagram.PROTOCOL_VIOLATION);
    }

    // ------------------------------------------------------------------ path validation

    private void followPeer(InetSocketAddress from) {
        if (from.equals(path.current())) {
            return;
        }
        switch (path.onNewestPacketFrom(from, endpoint.nextToken())) {
            case RETURNED -> timing.pathValidationEnded();
            case VALIDATING -> {
                counters.increment(Counter.PATH_VALIDATIONS_STARTED);
                timing.pathValidationStarted();
                transmit(FrameCodec.pathChallenge(endpoint.alloc(), peerId, nextPacketNumber++, path.token()));
            }
            case NONE -> { }
        }
    }

    private void onPathChallenge(long token, InetSocketAddress from) {
        if (state != State.ESTABLISHED) {
            violation();
            return;
        }
        // Answered on the path the challenge came by, which is the one being validated.
        endpoint.write(FrameCodec.pathResponse(endpoint.alloc(), peerId, nextPacketNumber++, token), from);
    }

    private void onPathResponse(long token) {
        if (path.onResponse(token)) {
            timing.pathValidationEnded();
            counters.increment(Counter.PATH_VALIDATIONS_SUCCEEDED);
        }
    }

    // ------------------------------------------------------------------ sending

    @Override
    public boolean send(ByteBuf payload) {
        Objects.requireNonNull(payload, "payload");
        int length = payload.readableBytes();
        if (length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload must be at most " + MAX_PAYLOAD_BYTES + " bytes: " + length);
        }
        checkEventLoop("send");
        if (state != State.ESTABLISHED) {
            return false;
        }
        boolean mustWait = !queue.isEmpty() || !sender.canSend();
        if (mustWait && queue.size() >= maxQueuedFrames) {
            return false;
        }
        byte[] copy = new byte[length];
        payload.getBytes(payload.readerIndex(), copy);
        if (mustWait) {
            queue.add(copy);
        } else {
            timing.refreshClock();
            sendNew(copy);
        }
        return true;
    }

    private void sendQueued() {
        while (!queue.isEmpty() && sender.canSend()) {
            sendNew(queue.poll());
        }
    }

    private void sendNew(byte[] payload) {
        int sequence = reliability.send(payload, timing.nowNs());
        counters.increment(Counter.FRAMES_SENT);
        sendData(sequence, payload);
    }

    private void sendData(int sequence, byte[] payload) {
        transmit(FrameCodec.data(endpoint.alloc(), peerId, nextPacketNumber++, sequence, receiver.highestInOrder(),
                payload));
        ackPending = false;
    }

    private void sendHello() {
        transmit(FrameCodec.hello(endpoint.alloc(), nextPacketNumber++, id));
    }

    private void sendWelcome() {
        transmit(FrameCodec.welcome(endpoint.alloc(), peerId, nextPacketNumber++, id));
    }

    private void transmit(ByteBuf datagram) {
        endpoint.write(datagram, path.current());
    }

    // ------------------------------------------------------------------ timeouts

    /** The connection's timeouts that are due: on the event loop, from the timer manager's wake-up. */
    private void onTimeouts(TimerManager<TimeoutEvent> manager, TimeoutCheckResult due) {
        try {
            handleTimeouts(due);
        } catch (RuntimeException failure) {
            endpoint.handlerFailed(failure);
        }
    }

    private void handleTimeouts(TimeoutCheckResult due) {
        if (state == State.CLOSED) {
            return;
        }
        boolean retransmissionTimeout = false;
        for (int i = 0; i < due.eventCount(); i++) {
            TimeoutEvent event = (TimeoutEvent) due.event(i);
            counters.timedOut(event);
            switch (event) {
                case IDLE -> {
                    closeWith(CloseReason.IDLE_TIMEOUT, false);
                    return;
                }
                case CONNECTION -> {
                    closeWith(CloseReason.CONNECTION_TIMEOUT, false);
                    return;
                }
                case PATH_VALIDATION -> {
                    if (path.onTimeout()) {
                        counters.increment(Counter.PATH_VALIDATIONS_FAILED);
                    }
                }
                case RETRANSMISSION -> retransmissionTimeout = true;
            }
        }
        if (retransmissionTimeout) {
            counters.recordBackedOffRto(sender.estimator().rtoNs());
        }
        for (int i = 0; i < due.frameCount(); i++) {
            retransmit((int) due.frame(i));
        }
        if (sender.hasFailed()) {
            closeWith(CloseReason.RETRANSMISSION_LIMIT, false);
        }
    }

    private void retransmit(int sequence) {
        counters.increment(Counter.FRAMES_RETRANSMITTED);
        if (sequence == HANDSHAKE_SEQUENCE) {
            if (client) {
                sendHello();
            } else {
                sendWelcome();
            }
        } else {
            sendData(sequence, sender.payload(sequence));
        }
    }

    // ------------------------------------------------------------------ closing

    @Override
    public void close() {
        EventLoop loop = endpoint.eventLoop();
        if (loop.inEventLoop()) {
            closeWith(CloseReason.CLOSED_LOCALLY, true);
        } else {
            loop.execute(() -> closeWith(CloseReason.CLOSED_LOCALLY, true));
        }
    }

    /** Closes the connection once: tells the peer if asked (and it is known), frees every timer. */
    void closeWith(CloseReason reason, boolean notifyPeer) {
        if (state == State.CLOSED) {
            return;
        }
        if (notifyPeer && peerId != 0) {
            transmit(FrameCodec.close(endpoint.alloc(), peerId, nextPacketNumber++, receiver.highestInOrder()));
        }
        unconfirmedAtClose = unacknowledgedFrames();
        state = State.CLOSED;
        closeReason = reason;
        closed = true;
        timing.close();
        reliability.clear();
        receiver.clear();
        queue.clear();
        endpoint.connectionClosed(this, reason, unconfirmedAtClose, receiver.highestInOrder(), nextPacketNumber);
        try {
            handler.onClosed(this, reason);
        } catch (RuntimeException failure) {
            endpoint.applicationFailed(this, failure);
        }
        // After the handler: whoever the failed future wakes finds the handler told.
        establishment.completeExceptionally(new ConnectException("connection " + id + " closed: " + reason));
    }

    // ------------------------------------------------------------------ queries

    CompletableFuture<Connection> establishment() {
        return establishment;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long peerId() {
        return peerId;
    }

    @Override
    public boolean isClient() {
        return client;
    }

    @Override
    public InetSocketAddress peerAddress() {
        return path.current();
    }

    @Override
    public EventLoop eventLoop() {
        return endpoint.eventLoop();
    }

    @Override
    public boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CloseReason closeReason() {
        return closeReason;
    }

    @Override
    public int unacknowledgedFrames() {
        return state == State.CLOSED ? unconfirmedAtClose : dataFramesInFlight() + queue.size();
    }

    private int dataFramesInFlight() {
        boolean handshakeInFlight = sender.oldestUnacked() == HANDSHAKE_SEQUENCE && sender.inFlight() > 0;
        return sender.inFlight() - (handshakeInFlight ? 1 : 0);
    }

    @Override
    public ConnectionStats stats() {
        RtoEstimator estimator = sender.estimator();
        // The manager counts the handshake frame too; these count DATA frames.
        return new ConnectionStats(id, sender.framesSent() - 1, framesAcked, framesDelivered,
                sender.framesRetransmitted(), sender.timeouts(), duplicateFrames, dataFramesInFlight(), queue.size(),
                sender.rttSamples(), sender.samplesSkippedByKarn(), estimator.srttNs(), estimator.rtoNs(),
                estimator.backoffs());
    }

    /** @return the timing: a test seam */
    TimingManager timing() {
        return timing;
    }

    private void checkEventLoop(String operation) {
        if (!endpoint.eventLoop().inEventLoop()) {
            throw new IllegalStateException(operation + " must be called on the connection's event loop");
        }
    }

    @Override
    public String toString() {
        return "Connection[" + id + (client ? " client" : " server") + " to " + peerId + " at " + path.current()
                + ", " + state + "]";
    }
}
