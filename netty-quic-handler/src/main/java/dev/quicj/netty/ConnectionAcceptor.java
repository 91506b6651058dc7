package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CryptoDataListener;
import dev.quicj.core.conn.InitialCheck;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.packet.PacketHeader;
import java.nio.ByteBuffer;

/**
 * The handler's accept path: what the {@linkplain QuicCloseHandlerConfig#acceptPolicy() accept policy} makes of a
 * datagram that belongs to no connection. Version Negotiation and stateless refusals go to the
 * {@link StatelessResponder}; otherwise a server connection is built, fed its first Initial and registered, then kept
 * (its {@link QuicConnectionAcceptedEvent}) or refused. How a connection closes, drains or fails is the handler's
 * business: this class calls its close lifecycle. Confined to the event loop.
 */
final class ConnectionAcceptor {
    // what an accept policy's Initial is refused with when the handler holds maxConnections connections
    private static final CloseError OVERLOADED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED);

    // the handler: its state, its clock, its timers and close lifecycle, and its events
    private final QuicCloseHandler handler;
    // the accept policy, the limits and the settings of accepted connections
    private final QuicCloseHandlerConfig config;
    // where accepted connections are registered
    private final ConnectionRegistry registry;
    // the header of the Initial being answered, as InitialCheck parsed it
    private final PacketHeader header = new PacketHeader();
    // the answers to Initials that make no connection: stateless refusals and Version Negotiation
    private final StatelessResponder stateless;
    // the settings and crypto provider of the connections the reject policy makes, made on first use
    private Settings rejectSettings;
    private RecyclingCryptoProvider rejectCrypto;

    ConnectionAcceptor(QuicCloseHandler handler, QuicCloseHandlerConfig config, ConnectionRegistry registry) {
        this.handler = handler;
        this.config = config;
        this.registry = registry;
        this.stateless = new StatelessResponder(handler, config, header);
    }

    /**
     * Applies the accept policy to a datagram that belongs to no connection; true if a connection now owns it.
     */
    boolean accept(ByteBuffer dg, NetworkPath from) {
        AcceptPolicy policy = config.acceptPolicy();
        if (policy.action() == AcceptPolicy.Action.IGNORE || handler.refusesConnections()) {
            // closing, removed, or inactive: a connection made now would never be freed, an answer never sent
            return false;
        }
        InitialCheck check = InitialCheck.of(dg, header);
        if (check == InitialCheck.UNSUPPORTED_VERSION && config.versionNegotiation()) {
            return stateless.negotiateVersion(dg, from);
        }
        if (check != InitialCheck.ACCEPTABLE) {
            return false;
        }
        if (policy.action() == AcceptPolicy.Action.REJECT_STATELESS) {
            return stateless.reject(dg, from, policy.rejectError(), policy.authenticatesInitials());
        }
        if (registry.size() >= config.maxConnections()) {
            // connections whose deadline passed before the timer task ran (an event loop reads before it runs due
            // tasks) are no longer held
            handler.runDueTimers();
            if (handler.refusesConnections()) {
                // a listener of what that ended closed the channel or removed the handler
                return false;
            }
        }
        if (registry.size() >= config.maxConnections() || registry.idSpaceTaken()) {
            // full (or every connection ID of the configured length is taken): refuse without keeping anything, as
            // rejectStateless does
            return stateless.reject(dg, from,
                    policy.action() == AcceptPolicy.Action.REJECT ? policy.rejectError() : OVERLOADED, true);
        }
        ConnectionId scid = registry.newConnectionId();
        long now = handler.now();
        boolean reject = policy.action() == AcceptPolicy.Action.REJECT;
        CryptoDataListener listener;
        try {
            listener = policy.listenerFor(scid);
        } catch (RuntimeException e) {
            // the application could not take this connection: it alone is refused, without state, and the failure
            // goes to the next handlers naming it; thrown on, it would reach exceptionCaught, which closes every
            // connection; an Initial that does not authenticate belongs to no connection, so nothing is reported
            boolean refused = stateless.reject(dg, from, OVERLOADED, true, scid);
            if (refused) {
                handler.fireException(new QuicConnectionException(scid,
                        "the CRYPTO data listener factory failed for " + scid, e));
            }
            return refused;
        }
        QuicConnection conn = QuicConnection.serverBuilder().version(header.version()).sourceConnectionId(scid)
                .path(from).settings(reject ? rejectSettings() : config.settings())
                .cryptoDataListener(listener).build(now);
        if (!reject) {
            return acceptInto(conn, dg, from, now, policy);
        }
        rejectCrypto.startLending();
        try {
            return acceptInto(conn, dg, from, now, policy);
        } finally {
            // a closed connection dropped its Initial keys and never uses them again: the next refusal re-keys them
            rejectCrypto.stopLending(conn.state().isClosed());
        }
    }

    /** Feeds a new server connection its first Initial and applies the policy; true if the connection was kept. */
    private boolean acceptInto(QuicConnection conn, ByteBuffer dg, NetworkPath from, long now, AcceptPolicy policy) {
        ConnectionEntry entry = new ConnectionEntry(handler, conn);
        // until its accepted event: connection() and connections() do not show it
        entry.unseen = true;
        ReceiveStatus status;
        try {
            status = receiveFirstInitial(entry, dg, from, now);
        } catch (QuicException e) {
            // the Initial authenticated (the connection has its keys) and then broke the protocol
            registerUnlessFreed(entry, conn);
            handler.closeConnection(entry, CloseError.fromException(e));
            compactIfClosing(entry);
            return true;
        } catch (RuntimeException e) {
            registerUnlessFreed(entry, conn);
            handler.receiveFailed(entry, e);
            compactIfClosing(entry);
            return true;
        }
        if (entry.phase != ConnectionEntry.Phase.LIVE || entry.endedFired) {
            // its CRYPTO data listener had it closed (a close command) while it read its first Initial: it was never
            // accepted, and now runs its closing period like any other
            registerUnlessFreed(entry, conn);
            compactIfClosing(entry);
            return true;
        }
        if (status == ReceiveStatus.DRAINING) {
            // the Initial authenticated and carried the client's CONNECTION_CLOSE (close-spec §5.1): the connection
            // drains like any other, silently, taking the client's retransmissions until its draining period ends
            registry.register(entry, ConnectionRegistry.originalDcidKeyOf(conn));
            handler.startDraining(entry);
            compactIfClosing(entry);
            return true;
        }
        if (status != ReceiveStatus.PROCESSED) {
            // it did not authenticate: it belongs to no connection
            return false;
        }
        registry.register(entry, ConnectionRegistry.originalDcidKeyOf(conn));
        if (policy.action() == AcceptPolicy.Action.REJECT) {
            handler.attemptClose(entry, policy.rejectError());
            compactIfClosing(entry);
        } else {
            handler.armIdleTimer(entry);
            entry.unseen = false;
            handler.fireUserEvent(new QuicConnectionAcceptedEvent(conn));
        }
        return true;
    }

    /**
     * Feeds a new connection its first Initial with the entry visible as {@link ConnectionRegistry#accepting()}
     * meanwhile, so that what its CRYPTO data listener fires (close commands, closeAll, channel close, removal) reaches
     * it.
     */
    private ReceiveStatus receiveFirstInitial(ConnectionEntry entry, ByteBuffer dg, NetworkPath from, long now)
            throws QuicException {
        registry.accepting(entry);
        try {
            return entry.connection.receive(dg, from, now);
        } finally {
            registry.accepting(null);
        }
    }

    /** Registers a connection that was being accepted, unless it already ended and was freed meanwhile. */
    private void registerUnlessFreed(ConnectionEntry entry, QuicConnection conn) {
        if (entry.phase != ConnectionEntry.Phase.FREED) {
            registry.register(entry, ConnectionRegistry.originalDcidKeyOf(conn));
        }
    }

    /**
     * Reduces a connection that closed before the application ever saw it (refused, broken by its first Initial, or
     * closed by the client in it) to its closing or draining record: no one else holds it, its closing period needs
     * only the close and its path (its draining period only the path), and the QuicConnection (about 450 bytes with
     * its closed-state numbers and IDs) need not outlive the young generation while tens of thousands of refusals are
     * in their closing period. A connection freed meanwhile by its end's listeners, or closing with no close of its
     * own to re-send, is left as it is.
     */
    private void compactIfClosing(ConnectionEntry entry) {
        if (entry.phase == ConnectionEntry.Phase.CLOSING && entry.closeDatagram != null
                || entry.phase == ConnectionEntry.Phase.DRAINING) {
            // a closed connection never looks for a stateless reset again
            registry.unindexPeer(entry);
            entry.compact();
        }
    }

    /** The settings of connections the reject policy makes: the configured ones with the recycling crypto provider. */
    private Settings rejectSettings() {
        if (rejectSettings == null) {
            rejectCrypto = new RecyclingCryptoProvider(config.settings().cryptoProvider());
            rejectSettings = config.settings().toBuilder().cryptoProvider(rejectCrypto).build();
        }
        return rejectSettings;
    }
}
