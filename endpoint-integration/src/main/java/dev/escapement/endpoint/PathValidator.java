package dev.escapement.endpoint;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a connection sends, and the validation of a new peer address (RFC 9000, section 9,
 * simplified): when the newest packet of a connection comes from an address other than the
 * current one, the connection moves there at once and sends a challenge; the path is validated
 * when the challenge's token comes back, and abandoned for the last validated address when the
 * path-validation timeout passes first.
 *
 * <p>Not thread-safe: confined to the connection's event loop. The timeout itself is the
 * connection's ({@link TimingManager#pathValidationStarted()}); this class holds the state.
 *
 * <p>Moving at once, rather than after validation, keeps acknowledgements flowing to a peer that
 * really moved (a NAT rebinding), so a migration costs no retransmission; a spoofed address gets
 * at most the traffic of one validation timeout before the connection falls back.
 */
final class PathValidator {

    /** What a packet from an address means for the path. */
    enum Move {
        /** From the current address: nothing changes. */
        NONE,
        /** Back to the last validated address: any validation in progress is abandoned. */
        RETURNED,
        /** To a new address: validation starts, with the token given. */
        VALIDATING
    }

    private InetSocketAddress current;
    private InetSocketAddress validated;
    private InetSocketAddress probing;
    private long token;

    /** @param handshakeAddress the address the handshake ran over, validated by it */
    PathValidator(InetSocketAddress handshakeAddress) {
        this.current = Objects.requireNonNull(handshakeAddress, "handshakeAddress");
        this.validated = handshakeAddress;
    }

    /**
     * The newest packet of the connection so far (not a probe) came from {@code sender}.
     *
     * @param sender   where it came from
     * @param newToken the token to challenge a new address with (used only for {@link Move#VALIDATING})
     * @return what it means for the path
     */
    Move onNewestPacketFrom(InetSocketAddress sender, long newToken) {
        if (sender.equals(current)) {
            return Move.NONE;
        }
        current = sender;
        if (sender.equals(validated)) {
            probing = null;
            return Move.RETURNED;
        }
        probing = sender;
        token = newToken;
        return Move.VALIDATING;
    }

    /**
     * A path response arrived.
     *
     * @param responseToken its token
     * @return true if it answers the challenge in progress: the path is validated
     */
    boolean onResponse(long responseToken) {
        if (probing == null || responseToken != token) {
            return false;
        }
        validated = probing;
        probing = null;
        return true;
    }

    /**
     * The path-validation timeout passed.
     *
     * @return true if a validation was in progress: the connection is back on the validated address
     */
    boolean onTimeout() {
        if (probing == null) {
            return false;
        }
        probing = null;
        current = validated;
        return true;
    }

    /** @return where the connection sends */
    InetSocketAddress current() {
        return current;
    }

    /** @return the last validated address */
    InetSocketAddress validated() {
        return validated;
    }

    /** @return true while a challenge awaits its response */
    boolean isValidating() {
        return probing != null;
    }

    /** @return the token of the challenge in progress */
    long token() {
        return token;
    }

    @Override
    public String toString() {
        return "PathValidator[current=" + current + ", validated=" + validated
                + (probing == null ? "" : ", probing=" + probing) + "]";
    }
}
