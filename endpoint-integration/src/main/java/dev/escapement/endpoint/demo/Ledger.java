package dev.escapement.endpoint.demo;

import dev.escapement.endpoint.CloseReason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What happened to every connection of the run, written as each closes, and the check that
 * nothing was lost silently: joining both sides of each connection, every frame a side sent was
 * delivered to the other, once and in order, or the connection is reported failed.
 *
 * <p>Thread-safety: the records are added from any event loop (a concurrent queue); {@link #verify}
 * runs once on the main thread after every connection has closed.
 */
final class Ledger {

    /**
     * A client connection at its close.
     *
     * @param clientId    its id
     * @param serverId    the server's id for it, or 0 if the handshake never completed
     * @param sent        frames the client sent (accepted by {@code send})
     * @param echoes      echoes it received
     * @param orderErrors echoes that arrived out of order or twice (must be 0)
     * @param reason      why it closed
     * @param completed   every frame was echoed and the client closed it
     * @param migrated    it moved to a new local port midway
     */
    record ClientRecord(long clientId, long serverId, long sent, long echoes, long orderErrors, CloseReason reason,
                        boolean completed, boolean migrated) {
    }

    /**
     * A server connection at its close.
     *
     * @param serverId    its id
     * @param clientId    the client's id for it
     * @param delivered   frames it received from the client
     * @param echoed      echoes it sent (accepted by {@code send})
     * @param refused     echoes {@code send} refused (a full queue; must be 0)
     * @param orderErrors frames that arrived out of order or twice (must be 0)
     * @param reason      why it closed
     */
    record ServerRecord(long serverId, long clientId, long delivered, long echoed, long refused, long orderErrors,
                        CloseReason reason) {
    }

    /**
     * The verdict.
     *
     * @param completed          client connections that finished their exchange
     * @param failed             client connections that did not, by reason ("unfinished": still open at the end)
     * @param framesDelivered    frames delivered both ways on all connections
     * @param framesUnconfirmed  frames sent on failed connections and not delivered: reported, not lost
     * @param violations         what was lost or garbled silently; empty if nothing
     */
    record Verdict(long completed, Map<String, Long> failed, long framesDelivered, long framesUnconfirmed,
                   List<String> violations) {

        long failedTotal() {
            return failed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static final String UNFINISHED = "unfinished";

    private final ConcurrentLinkedQueue<ClientRecord> clients = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ServerRecord> servers = new ConcurrentLinkedQueue<>();

    void record(ClientRecord record) {
        clients.add(record);
    }

    void record(ServerRecord record) {
        servers.add(record);
    }

    int clientCount() {
        return clients.size();
    }

    /** @return the verdict over every connection recorded */
    Verdict verify() {
        Map<Long, ServerRecord> serverByClient = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (ServerRecord server : servers) {
            serverByClient.put(server.clientId(), server);
            if (server.orderErrors() > 0 || server.refused() > 0) {
                violations.add("server connection " + server.serverId() + ": " + server.orderErrors()
                        + " frames out of order or repeated, " + server.refused() + " echoes refused");
            }
        }
        long completed = 0;
        long delivered = 0;
        long unconfirmed = 0;
        Map<String, Long> failed = new HashMap<>();
        for (ClientRecord client : clients) {
            ServerRecord server = serverByClient.remove(client.clientId());
            long serverDelivered = server == null ? 0 : server.delivered();
            long serverEchoed = server == null ? 0 : server.echoed();
            delivered += serverDelivered + client.echoes();
            if (client.orderErrors() > 0) {
                violations.add("client connection " + client.clientId() + ": " + client.orderErrors()
                        + " echoes out of order or repeated");
            }
            if (serverDelivered > client.sent() || client.echoes() > serverEchoed) {
                violations.add("connection " + client.clientId() + ": more frames arrived than were sent");
            }
            if (client.completed()) {
                completed++;
                if (serverDelivered != client.sent() || client.echoes() != client.sent() || serverEchoed != client.sent()) {
                    violations.add("connection " + client.clientId() + " completed, but of " + client.sent()
                            + " frames the server got " + serverDelivered + " and echoed " + serverEchoed
                            + ", and the client got " + client.echoes() + " back");
                }
            } else {
                failed.merge(client.reason().isTimeout() ? client.reason().toString() : UNFINISHED, 1L, Long::sum);
                unconfirmed += Math.max(0, client.sent() - serverDelivered) + Math.max(0, serverEchoed - client.echoes());
            }
        }
        for (ServerRecord orphan : serverByClient.values()) {
            // A handshake the client gave up on before it learned of this side: it carried nothing.
            if (orphan.delivered() > 0 || orphan.echoed() > 0) {
                violations.add("server connection " + orphan.serverId() + " exchanged frames with a client that never reported");
            }
        }
        return new Verdict(completed, failed, delivered, unconfirmed, violations);
    }

    /** @return client connections that migrated to a new port */
    long migrations() {
        return clients.stream().filter(ClientRecord::migrated).count();
    }

    /** @return server connections by the reason they closed */
    Map<CloseReason, Long> serverCloses() {
        Map<CloseReason, Long> closes = new EnumMap<>(CloseReason.class);
        for (ServerRecord server : servers) {
            closes.merge(server.reason(), 1L, Long::sum);
        }
        return closes;
    }
}
