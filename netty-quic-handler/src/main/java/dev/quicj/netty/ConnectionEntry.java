package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Role;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import java.net.InetSocketAddress;

/**
 * The handler's state for one connection: its phase, the cached close datagram and the counters of the closing
 * period (close-spec §5.3, case E25), its slot in ConnectionTimers' queue and its links in ConnectionRegistry's list
 * and peer index. It is also the listener of its own datagram writes, so a connection costs the handler no closures.
 * Confined to the channel's event loop.
 */
final class ConnectionEntry implements ChannelFutureListener {
    /** Where the connection is in its life, as the handler sees it. */
    enum Phase {
        /** Open; the application may use it. */
        LIVE,
        /** A close was asked for but the amplification budget is too small: retried on each datagram received. */
        CLOSE_PENDING,
        /** The close was sent; re-sent on received datagrams until the closing period ends. */
        CLOSING,
        /** The peer closed or reset the connection; nothing is sent until the draining period ends. */
        DRAINING,
        /** The state was dropped. */
        FREED
    }

    // the connection; null once a connection the application never saw is reduced to its closing record (compact())
    QuicConnection connection;
    // its source connection ID, the primary key
    final ConnectionId id;
    // the original destination connection ID a server connection is also reachable by, or null
    ConnectionId originalDcidKey;
    // the phase
    Phase phase = Phase.LIVE;
    // the error of a close held back by the amplification limit
    CloseError pendingError;
    // when the closing period (or the wait of a held-back close) ends, in ticker nanoseconds, while queued
    long deadline;
    // the slot in ConnectionTimers' DeadlineQueue, or -1 when not queued
    int heapIndex = -1;
    // the neighbours in ConnectionRegistry's list of connections, in the order they were added
    ConnectionEntry prev;
    ConnectionEntry next;
    // whether the entry is in that list
    boolean listed;
    // its place in ConnectionRegistry's PeerAddressIndex while its connection can be reset: the hash of the peer's
    // address (never 0 there; 0 when not indexed), the next entry of its bucket
    int peerHash;
    ConnectionEntry peerNext;
    // whether the QuicConnectionEndedEvent was fired
    boolean endedFired;
    // whether the application was never handed this connection: set for a server connection the accept policy makes,
    // cleared just before its QuicConnectionAcceptedEvent fires; connection() and connections() leave such an entry
    // out (connectionCount() counts it), whether or not it was reduced to its closing record yet
    boolean unseen;
    // whether the first send of the close was handed to the channel
    boolean closeWritten;

    // a copy of the close datagram, owned by this entry from the first send until free(); null otherwise
    ByteBuf closeDatagram;
    // its path (the peer's address is the recipient, ours the sender) and ECN codepoint; for a draining record
    // (compact()), the path the connection had
    NetworkPath closePath;
    Ecn closeEcn;
    // datagrams and bytes received during the closing period, and bytes re-sent (the first send is not counted)
    long closingDatagramsReceived;
    long closingBytesReceived;
    long closingBytesResent;

    // the handler, told when this connection's datagram writes complete
    private final QuicCloseHandler handler;

    ConnectionEntry(QuicCloseHandler handler, QuicConnection connection) {
        this.handler = handler;
        this.connection = connection;
        this.id = connection.sourceConnectionId();
    }

    /** A datagram write of this connection completed. */
    @Override
    public void operationComplete(ChannelFuture done) {
        handler.writeDone(id, done);
    }

    /** The connection's path: its own while it is held, the close's once it is reduced to its closing record. */
    NetworkPath path() {
        return connection != null ? connection.path() : closePath;
    }

    /** The peer's address. */
    InetSocketAddress remoteAddress() {
        return path().remote();
    }

    /**
     * Drops the connection, keeping only what its closing or draining period needs: in CLOSING the cached close, its
     * path, the counters and the deadline; in DRAINING the path and the deadline (nothing is ever sent). For a server
     * connection that no one else holds (one the application never saw): a closed server only ever answers
     * {@code CLOSING} or {@code DRAINING}, whatever the datagram and its path (close-spec §5.2), so the handler needs
     * nothing of it but the close, if any.
     */
    void compact() {
        boolean closing = phase == Phase.CLOSING && closeDatagram != null;
        if (connection == null || connection.role() != Role.SERVER || !unseen
                || !(closing || phase == Phase.DRAINING)) {
            throw new IllegalStateException("only a closing server with its close cached, or a draining server, that"
                    + " the application never saw is compacted: " + this);
        }
        if (!closing) {
            closePath = connection.path();
        }
        connection = null;
    }

    /**
     * Whether a close may still be asked for: live, and its end not reported yet (a connection that ends silently, an
     * idle one say, is still LIVE while listeners handle its {@link QuicConnectionEndedEvent}, and must not send a
     * close from there).
     */
    boolean isOpen() {
        return phase == Phase.LIVE && !endedFired;
    }

    /**
     * Counts a datagram received on the close's path during the closing period and tells whether the cached close
     * is re-sent for it: on the 1st, 2nd, 4th, 8th... datagram, and only while {@code 3 * received >= resent +
     * length}, validated path or not (close-spec §5.3 and E25; RFC 9000 §10.2.1: "an endpoint SHOULD limit the rate
     * at which it generates packets in the closing state"; §8.1 makes three times the bytes received from an
     * unvalidated address the limit towards it, which this check keeps since only that address's datagrams are
     * counted). ngtcp2's {@code examples/server.cc} re-sends on the first datagram at or past the next power of two
     * for which the budget allows it; here it is the power-of-two datagram itself, so a budget that holds a re-send
     * back keeps the backoff.
     */
    boolean countClosingDatagram(int length) {
        closingDatagramsReceived++;
        closingBytesReceived += length;
        long n = closingDatagramsReceived;
        if ((n & (n - 1)) != 0) {
            return false;
        }
        int closeLength = closeDatagram.readableBytes();
        if (QuicConnection.AMPLIFICATION_FACTOR * closingBytesReceived < closingBytesResent + closeLength) {
            return false;
        }
        closingBytesResent += closeLength;
        return true;
    }

    /** Releases the cached close datagram, if any: the only place it is released. */
    void releaseCloseDatagram() {
        ByteBuf b = closeDatagram;
        if (b != null) {
            closeDatagram = null;
            b.release();
        }
    }

    @Override
    public String toString() {
        String what = connection == null ? phase == Phase.DRAINING ? "draining record" : "closing record"
                : connection.state().toString();
        return "ConnectionEntry[" + id + " " + phase + " " + what + "]";
    }
}
