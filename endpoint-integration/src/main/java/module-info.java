/**
 * A small reliable-datagram endpoint over Netty UDP whose connections keep their timeouts in one
 * wheel entry each ({@code dev.escapement.endpoint}), and the demo that runs many of them on
 * loopback ({@code dev.escapement.endpoint.demo}: a program to run, not exported).
 */
module dev.escapement.endpoint {
    exports dev.escapement.endpoint;

    // The timers, channels and event loops of the API.
    requires transitive dev.escapement.netty;
    // Connections send and receive ByteBufs; the endpoint's statistics are Histograms.
    requires transitive io.netty.buffer;
    // HdrHistogram 2.2.2 names no module: its name comes from the jar's file name.
    requires transitive HdrHistogram;
}
