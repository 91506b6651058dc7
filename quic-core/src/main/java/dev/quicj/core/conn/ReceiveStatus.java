package dev.quicj.core.conn;

/** What {@link QuicConnection#receive} made of a datagram. */
public enum ReceiveStatus {
    /** At least one packet was authenticated and processed. */
    PROCESSED,
    /**
     * Nothing was processed: see {@link QuicConnection#lastDropReason()}. No state changed, except that the bytes of a
     * datagram from the connection's path count towards its amplification budget (RFC 9000 §8.1; see
     * {@link QuicConnection#receive}) and that a 1-RTT packet received before the handshake completed is kept for
     * later ({@link DropReason#HELD_UNTIL_HANDSHAKE_COMPLETE}).
     */
    DROPPED,
    /**
     * The connection is closing: the datagram was not decrypted; it counts for the amplification limit when it came
     * on the connection's path (a server's from another address only in {@link QuicConnection#bytesReceived()}). The
     * caller may re-send its close (RFC 9000 §10.2.1).
     */
    CLOSING,
    /**
     * The connection is draining: the peer's CONNECTION_CLOSE or a stateless reset arrived now or earlier. Send
     * nothing more (RFC 9000 §10.2.2).
     */
    DRAINING,
    /**
     * A client received a Version Negotiation packet that rules out its version; close with
     * {@link CloseError#versionNegotiation()}.
     */
    VERSION_NEGOTIATION,
    /** A client processed a Retry: it must write a new Initial (with the token) before anything else. */
    RETRY
}
