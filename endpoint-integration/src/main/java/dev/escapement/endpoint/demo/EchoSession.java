package dev.escapement.endpoint.demo;

import dev.escapement.endpoint.CloseReason;
import dev.escapement.endpoint.Connection;
import dev.escapement.endpoint.ConnectionHandler;
import io.netty.buffer.ByteBuf;

/**
 * The server's side of a demo connection: checks that frames arrive numbered 0, 1, 2... and
 * echoes each back.
 *
 * <p>Confined to the server endpoint's event loop.
 */
final class EchoSession implements ConnectionHandler {

    private final Ledger ledger;
    private long delivered;
    private long echoed;
    private long refused;
    private long orderErrors;

    EchoSession(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    public void onFrame(Connection connection, ByteBuf payload) {
        if (payload.getInt(payload.readerIndex()) != delivered) {
            orderErrors++;
        }
        delivered++;
        if (connection.send(payload)) {
            echoed++;
        } else {
            refused++;
        }
    }

    @Override
    public void onClosed(Connection connection, CloseReason reason) {
        ledger.record(new Ledger.ServerRecord(connection.id(), connection.peerId(), delivered, echoed, refused,
                orderErrors, reason));
    }
}
