package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A user event {@link QuicCloseHandler} fires once per connection when the connection stops being usable: its
 * CONNECTION_CLOSE was written (the closing period starts), the peer's CONNECTION_CLOSE or a stateless reset arrived
 * (the draining period starts), it was closed silently, or its close could not be sent. A
 * {@link QuicConnectionFreedEvent} follows when the handler drops the connection's state.
 *
 * <p>The close error carries the close type (transport or application), the 62-bit error code, the frame type that
 * triggered a transport error, and the reason phrase (RFC 9000 §19.19). Immutable.
 */
public final class QuicConnectionEndedEvent {
    // the connection's source connection ID
    private final ConnectionId connectionId;
    // the peer's address on the connection's path
    private final InetSocketAddress remoteAddress;
    // who ended it
    private final QuicCloseInitiator initiator;
    // the local or peer close error, or null
    private final CloseError error;
    // what the handler sent
    private final QuicCloseResult result;
    // the connection's QUIC version
    private final QuicVersion version;
    // the DCID of the client's first Initial, or null when not known
    private final ConnectionId originalDestinationConnectionId;
    // the peer's connection ID (the DCID of what this endpoint sends), or null when not known
    private final ConnectionId peerConnectionId;

    QuicConnectionEndedEvent(ConnectionId connectionId, InetSocketAddress remoteAddress, QuicCloseInitiator initiator,
            CloseError error, QuicCloseResult result, QuicVersion version, ConnectionId originalDestinationConnectionId,
            ConnectionId peerConnectionId) {
        this.connectionId = Objects.requireNonNull(connectionId, "connectionId");
        this.remoteAddress = Objects.requireNonNull(remoteAddress, "remoteAddress");
        this.initiator = Objects.requireNonNull(initiator, "initiator");
        this.error = error;
        this.result = Objects.requireNonNull(result, "result");
        this.version = Objects.requireNonNull(version, "version");
        this.originalDestinationConnectionId = originalDestinationConnectionId;
        this.peerConnectionId = peerConnectionId;
    }

    /** The connection's source connection ID (the key it is registered under). */
    public ConnectionId connectionId() {
        return connectionId;
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Which side ended the connection. */
    public QuicCloseInitiator initiator() {
        return initiator;
    }

    /**
     * The close error: the one this endpoint closed with, or tried to, for {@link QuicCloseInitiator#LOCAL},
     * {@link QuicCloseInitiator#IDLE} and {@link QuicCloseInitiator#VERSION_NEGOTIATION} (with a result that sent
     * nothing, such as {@link QuicCloseResult#AMPLIFICATION_LIMITED} or {@link QuicCloseResult#FAILED}, it is the
     * error of the close that was not sent), the peer's for {@link QuicCloseInitiator#PEER}. {@code null} for a
     * {@link QuicCloseInitiator#STATELESS_RESET}, and for a connection that was still live, no close attempted, when
     * the channel became inactive ({@link QuicCloseResult#CHANNEL_INACTIVE}); a {@code CHANNEL_INACTIVE} connection
     * whose close quic-core had already written, but that was never handed to the channel, carries that close's
     * error.
     *
     * <p>A local close's error is the one asked for, less its reason phrase when that did not fit the datagram or the
     * amplification budget and was dropped. An application error is reported as asked for even when the close went out
     * before 1-RTT keys, in Initial or Handshake packets, as transport {@code APPLICATION_ERROR} (RFC 9000 §10.2.3).
     */
    public CloseError error() {
        return error;
    }

    /** What the handler sent. */
    public QuicCloseResult result() {
        return result;
    }

    /** The connection's QUIC version. */
    public QuicVersion version() {
        return version;
    }

    /**
     * The Destination Connection ID of the client's first Initial (from which the Initial keys derive), or
     * {@code null} when the connection never learned it (a server that read no Initial).
     */
    public ConnectionId originalDestinationConnectionId() {
        return originalDestinationConnectionId;
    }

    /** The peer's connection ID, the DCID of the packets this endpoint sends; {@code null} if not known yet. */
    public ConnectionId peerConnectionId() {
        return peerConnectionId;
    }

    @Override
    public String toString() {
        return "QuicConnectionEndedEvent[" + connectionId + " " + remoteAddress + ", " + initiator + ", " + error + ", "
                + result + "]";
    }
}
