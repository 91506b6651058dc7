package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A user event {@link QuicCloseHandler} fires when it drops a connection's state: at the end of the closing or
 * draining period (three times the PTO, RFC 9000 §10.2), at once when nothing was sent, or when the channel becomes
 * inactive or the handler is removed. The connection's ID may be reused from then on. Immutable.
 */
public final class QuicConnectionFreedEvent {
    // the connection's source connection ID
    private final ConnectionId connectionId;
    // the peer's address on the connection's path
    private final InetSocketAddress remoteAddress;

    QuicConnectionFreedEvent(ConnectionId connectionId, InetSocketAddress remoteAddress) {
        this.connectionId = Objects.requireNonNull(connectionId, "connectionId");
        this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    /** The connection's source connection ID. */
    public ConnectionId connectionId() {
        return connectionId;
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "QuicConnectionFreedEvent[" + connectionId + " " + remoteAddress + "]";
    }
}
