package dev.quicj.core.conn;

/**
 * Connection states, as ngtcp2 names them (close-spec §5).
 *
 * <pre>
 * CLIENT_INITIAL --first Initial written--> CLIENT_WAIT_HANDSHAKE --handshake completed--> POST_HANDSHAKE
 * SERVER_INITIAL --client Initial read----> SERVER_WAIT_HANDSHAKE --handshake completed--> POST_HANDSHAKE
 * any live state --writeConnectionClose succeeded--> CLOSING
 * any live state --peer CONNECTION_CLOSE or stateless reset received--> DRAINING
 * </pre>
 *
 * <p>CLOSING and DRAINING are final: a closing connection decrypts nothing (RFC 9000 §10.2.1), so a peer's
 * CONNECTION_CLOSE arriving then does not make it draining, and it looks for no stateless reset.
 *
 * <p>A client that processes a Retry goes back to {@code CLIENT_INITIAL} until it writes its next Initial.
 */
public enum ConnectionState {
    /** A client that has not written its first Initial (or not since a Retry). Closing is an invalid state here. */
    CLIENT_INITIAL,
    /** A client that sent its Initial and waits for the handshake to complete. */
    CLIENT_WAIT_HANDSHAKE,
    /** A server that has not processed a client Initial yet. */
    SERVER_INITIAL,
    /** A server that processed the client's Initial and waits for the handshake to complete. */
    SERVER_WAIT_HANDSHAKE,
    /** The TLS handshake completed. */
    POST_HANDSHAKE,
    /** This endpoint sent CONNECTION_CLOSE (RFC 9000 §10.2.1). */
    CLOSING,
    /** The peer closed, or reset the connection statelessly (RFC 9000 §10.2.2): nothing may be sent. */
    DRAINING;

    /** Whether the connection is in the closing or draining period. */
    public boolean isClosed() {
        return this == CLOSING || this == DRAINING;
    }
}
