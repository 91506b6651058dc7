package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Role;
import dev.quicj.core.conn.QuicConnection;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The handler's connections: by every connection ID they are reachable by (which routes datagrams), by the peer's
 * address once they can be reset, and in the order they were added, plus the one reading its first Initial before it
 * is registered. It only keeps the connections; the handler decides when they come and go. Confined to the event loop.
 */
final class ConnectionRegistry {
    // RFC 8999 §5.1: a long header has the Header Form bit set, then Version (32), DCID Length (8), DCID
    private static final int LONG_HEADER_FORM = 0x80;
    private static final int LONG_HEADER_DCID_LENGTH_OFFSET = 5;
    private static final int LONG_HEADER_DCID_OFFSET = 6;
    // RFC 8999 §5.2: a short header's DCID follows its first byte
    private static final int SHORT_HEADER_DCID_OFFSET = 1;

    // the length of the connection IDs the handler gives the connections it accepts
    private final int localIdLength;
    // the connections by every connection ID they are reachable by
    private final ConnectionIdTable byId = new ConnectionIdTable();
    // the entries holding a connection, by the peer's address: where a stateless reset is looked for (RFC 9000 §10.3.1)
    private final PeerAddressIndex byPeer = new PeerAddressIndex();
    // the connections, in the order they were added: a list linked through the entries
    private ConnectionEntry first;
    private ConnectionEntry last;
    private int entryCount;
    // the connection reading its first Initial in ConnectionAcceptor, not registered yet: a close command its CRYPTO
    // data listener fires meanwhile finds it here
    private ConnectionEntry accepting;
    // how many connections use each source connection ID length, and the lengths in use, longest first: the
    // short-header routing order
    private final int[] localIdLengths = new int[ConnectionId.MAX_LENGTH + 1];
    private final int[] lengthsInUse = new int[ConnectionId.MAX_LENGTH + 1];
    private int lengthsInUseCount;

    ConnectionRegistry(int localIdLength) {
        this.localIdLength = localIdLength;
    }

    /** How many entries are registered (live, closing and draining, seen by the application or not). */
    int size() {
        return entryCount;
    }

    /** Whether a connection, or a refused connection's closing record, is registered under {@code id}. */
    boolean contains(ConnectionId id) {
        return byId.containsKey(id);
    }

    /** The index of connections by peer address. */
    PeerAddressIndex peerIndex() {
        return byPeer;
    }

    /** The routing table (tests). */
    ConnectionIdTable idTable() {
        return byId;
    }

    /** The connection reading its first Initial, or null. */
    ConnectionEntry accepting() {
        return accepting;
    }

    /** Sets the connection reading its first Initial ({@code null} once it has read it). */
    void accepting(ConnectionEntry entry) {
        accepting = entry;
    }

    /**
     * The key a server connection is also registered under during its handshake: the client's original DCID, or null
     * (a client, a confirmed handshake, or an original DCID that is its own source ID).
     */
    static ConnectionId originalDcidKeyOf(QuicConnection c) {
        ConnectionId odcid = c.originalDestinationConnectionId();
        if (c.role() != Role.SERVER || odcid == null || c.isHandshakeConfirmed()
                || odcid.equals(c.sourceConnectionId())) {
            return null;
        }
        return odcid;
    }

    void register(ConnectionEntry entry, ConnectionId originalDcidKey) {
        byId.put(entry.id, entry);
        if (originalDcidKey != null) {
            byId.put(originalDcidKey, entry);
            entry.originalDcidKey = originalDcidKey;
        }
        link(entry);
        indexIfResettable(entry);
        if (localIdLengths[entry.id.length()]++ == 0) {
            updateLengthsInUse();
        }
    }

    /** Rebuilds {@link #lengthsInUse} (a length came into use or went out of use: rare). */
    private void updateLengthsInUse() {
        int n = 0;
        for (int len = ConnectionId.MAX_LENGTH; len >= 0; len--) {
            if (localIdLengths[len] > 0) {
                lengthsInUse[n++] = len;
            }
        }
        lengthsInUseCount = n;
    }

    /**
     * Adds {@code entry} to the index by peer address, which only the stateless reset check walks, once its connection
     * holds a reset token: before, it can match no reset, and a peer opening connections from one address (Initial
     * keys are public) could otherwise make every datagram for no connection from that address walk all of them. A
     * server connection gets a token only from the client's NEW_CONNECTION_ID or from the application. Checked when
     * the connection is registered and after each datagram routed to it.
     */
    void indexIfResettable(ConnectionEntry entry) {
        QuicConnection c = entry.connection;
        if (c != null && !PeerAddressIndex.contains(entry) && c.hasStatelessResetTokens()) {
            byPeer.add(entry);
        }
    }

    /** Takes {@code entry} out of the index by peer address (a closed connection never looks for a reset again). */
    void unindexPeer(ConnectionEntry entry) {
        byPeer.remove(entry);
    }

    /** Unregisters the client's original DCID {@code entry} was also reachable by. */
    void forgetOriginalDcid(ConnectionEntry entry) {
        byId.remove(entry.originalDcidKey, entry);
        entry.originalDcidKey = null;
    }

    void unregister(ConnectionEntry entry) {
        byId.remove(entry.id, entry);
        byPeer.remove(entry);
        if (entry.originalDcidKey != null) {
            byId.remove(entry.originalDcidKey, entry);
            entry.originalDcidKey = null;
        }
        if (entry.listed) {
            unlink(entry);
            if (--localIdLengths[entry.id.length()] == 0) {
                updateLengthsInUse();
            }
        }
    }

    private void link(ConnectionEntry entry) {
        entry.prev = last;
        entry.next = null;
        if (last == null) {
            first = entry;
        } else {
            last.next = entry;
        }
        last = entry;
        entry.listed = true;
        entryCount++;
    }

    private void unlink(ConnectionEntry entry) {
        ConnectionEntry p = entry.prev;
        ConnectionEntry n = entry.next;
        if (p == null) {
            first = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            last = p;
        } else {
            n.prev = p;
        }
        entry.prev = null;
        entry.next = null;
        entry.listed = false;
        entryCount--;
    }

    /** The entries as they are now, for loops whose steps may add or free connections. */
    ConnectionEntry[] snapshot() {
        ConnectionEntry[] all = new ConnectionEntry[entryCount];
        int i = 0;
        for (ConnectionEntry e = first; e != null; e = e.next) {
            all[i++] = e;
        }
        return all;
    }

    /**
     * Whether every connection ID of the configured length is registered (only possible for lengths under 4: 256 IDs
     * of one byte), so that {@link #newConnectionId} would never find a free one. IDs of that length are only ever
     * registered as connections' source IDs (a server's original DCID key is at least 8 bytes), which
     * {@link #localIdLengths} counts.
     */
    boolean idSpaceTaken() {
        return localIdLength < 4 && localIdLengths[localIdLength] >= 1 << (8 * localIdLength);
    }

    /** A random connection ID of the configured length that no connection is registered under. */
    ConnectionId newConnectionId() {
        ConnectionId id;
        do {
            id = ConnectionId.random(localIdLength);
        } while (byId.containsKey(id));
        return id;
    }

    /** The connection the datagram's Destination Connection ID names, or null. */
    ConnectionEntry route(ByteBuffer dg, int length) {
        byte[] b = dg.array();
        if ((b[0] & LONG_HEADER_FORM) != 0) {
            if (length <= LONG_HEADER_DCID_LENGTH_OFFSET) {
                return null;
            }
            int dcidLength = b[LONG_HEADER_DCID_LENGTH_OFFSET] & 0xff;
            if (dcidLength > ConnectionId.MAX_LENGTH || LONG_HEADER_DCID_OFFSET + dcidLength > length) {
                return null;
            }
            return byId.get(dg, LONG_HEADER_DCID_OFFSET, dcidLength);
        }
        // every length in use, longest first, the configured one included: a short header carries no DCID length,
        // so a shorter ID that is a prefix of the datagram's DCID (a zero-length one always is) must not take the
        // datagram of a longer ID that matches it whole. With one length in use (the usual case) it is one lookup.
        for (int i = 0; i < lengthsInUseCount; i++) {
            int dcidLength = lengthsInUse[i];
            if (SHORT_HEADER_DCID_OFFSET + dcidLength <= length) {
                ConnectionEntry e = byId.get(dg, SHORT_HEADER_DCID_OFFSET, dcidLength);
                if (e != null) {
                    return e;
                }
            }
        }
        return null;
    }

    /** The connection {@code id} names: a registered one, or the one being accepted. */
    ConnectionEntry entryOf(ConnectionId id) {
        ConnectionEntry entry = byId.get(id);
        if (entry == null && accepting != null && (accepting.id.equals(id)
                || id.equals(accepting.connection.originalDestinationConnectionId()))) {
            // by its source connection ID or, as a registered server during its handshake, the client's original DCID
            entry = accepting;
        }
        return entry;
    }

    /** {@link QuicCloseHandler#connection}: the connection registered under {@code id} that the application saw. */
    QuicConnection seenConnection(ConnectionId id) {
        ConnectionEntry e = byId.get(id);
        if (e == null && accepting != null && accepting.isOpen()) {
            // not registered before its first Initial is read (an Initial that does not authenticate leaves nothing)
            QuicConnection c = accepting.connection;
            if (id.equals(c.sourceConnectionId()) || id.equals(c.originalDestinationConnectionId())) {
                return c;
            }
        }
        return e == null || e.unseen ? null : e.connection;
    }

    /** {@link QuicCloseHandler#connections}: the connections the application saw, in the order they were added. */
    List<QuicConnection> seenConnections() {
        List<QuicConnection> list = new ArrayList<>(entryCount);
        for (ConnectionEntry e = first; e != null; e = e.next) {
            if (!e.unseen) {
                list.add(e.connection);
            }
        }
        return list;
    }

    /** The cached close datagrams the entries own right now. */
    List<ByteBuf> cachedCloseDatagrams() {
        List<ByteBuf> list = new ArrayList<>();
        for (ConnectionEntry e = first; e != null; e = e.next) {
            if (e.closeDatagram != null) {
                list.add(e.closeDatagram);
            }
        }
        return list;
    }
}
