/**
 * A small reliable-datagram endpoint over Netty UDP whose connections keep all their timeouts in
 * one entry each of the global timer's wheel (SPEC E1, E2, U4).
 *
 * <p>Public: {@link dev.escapement.endpoint.Endpoint} (and its builder),
 * {@link dev.escapement.endpoint.Connection}, {@link dev.escapement.endpoint.ConnectionHandler},
 * {@link dev.escapement.endpoint.CloseReason}, {@link dev.escapement.endpoint.BadDatagram},
 * {@link dev.escapement.endpoint.SimulatedLink} and the statistics. Everything else is
 * package-private: the wire format ({@code FrameCodec}), the connection state machine, its
 * reliability ({@code RetransmissionManager}, {@code ReliabilityLayer}, {@code ReceiveWindow}),
 * its path validation ({@code PathValidator}) and its timing ({@code TimingManager}).
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Threads: an endpoint, its channels and all its connections are confined to one event
 *       loop. The timer thread only raises a connection's inbox flag and hands the event loop one
 *       wake-up; every timeout is decided and handled on the event loop.</li>
 *   <li>Time: nanoseconds of the global timer's clock, read from its cached clock, which the
 *       event loop refreshes once at the start of each piece of work (a read burst, an
 *       application call, a timer wake-up). Deadlines are compared by subtraction, so they may wrap.</li>
 *   <li>Sequence and packet numbers are 32-bit serial numbers, compared by subtraction.</li>
 *   <li>Nothing a peer sends may throw out of the pipeline: bad input is counted by kind and
 *       dropped, and a last-resort catch counts what would be a bug.</li>
 * </ul>
 */
package dev.escapement.endpoint;
