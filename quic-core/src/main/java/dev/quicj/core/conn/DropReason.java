package dev.quicj.core.conn;

/** Why a received datagram or packet was dropped without changing the connection. */
public enum DropReason {
    /** The datagram was empty. */
    EMPTY_DATAGRAM,
    /**
     * The header could not be parsed or is inconsistent (truncated, fixed bit clear, CID too long, a server Initial
     * with a token...).
     */
    MALFORMED_HEADER,
    /** A long header with a version this connection does not use. */
    UNSUPPORTED_VERSION,
    /** The Destination Connection ID is not one of this connection's. */
    UNKNOWN_CONNECTION_ID,
    /** The datagram arrived on another path than the connection's. */
    UNKNOWN_PATH,
    /** A client Initial in a datagram shorter than 1200 bytes (RFC 9000 §14.1). */
    INITIAL_DATAGRAM_TOO_SMALL,
    /** A server's first Initial has a Destination Connection ID shorter than 8 bytes (RFC 9000 §7.2). */
    INITIAL_DCID_TOO_SHORT,
    /**
     * A packet type this endpoint never accepts here: a long-header packet other than an Initial opening a server
     * connection, or a Retry or Version Negotiation packet coalesced behind another packet. (0-RTT, for which this
     * core never has keys, is {@link #NO_KEYS}.)
     */
    UNEXPECTED_PACKET_TYPE,
    /**
     * No keys for the packet's encryption level, or they were discarded, or (a 1-RTT packet with the other Key Phase)
     * the crypto provider could not make the next key generation (RFC 9001 §6).
     */
    NO_KEYS,
    /**
     * The packet did not authenticate; for a 1-RTT packet, with the keys its Key Phase and packet number select
     * (RFC 9001 §6.5), or none could be selected (a packet of the other Key Phase between the first and the largest
     * packet number of the current key generation).
     */
    DECRYPTION_FAILED,
    /** The packet number was already received. */
    DUPLICATE_PACKET,
    /**
     * A Retry packet that is invalid or not expected (bad tag, empty token, second Retry, after a server Initial, a
     * Source Connection ID equal to the client's first Destination Connection ID).
     */
    INVALID_RETRY,
    /** A Version Negotiation packet that must be ignored (lists our version, or arrives after a valid packet). */
    IGNORED_VERSION_NEGOTIATION,
    /** A packet with a different Destination Connection ID than the first packet of its datagram. */
    COALESCED_DCID_MISMATCH,
    /** A long-header packet from a peer whose Source Connection ID changed. */
    PEER_SCID_MISMATCH,
    /**
     * A 1-RTT packet before the TLS handshake completed (RFC 9001 §5.7: not processed before then). It is not lost:
     * the connection keeps it, still protected, and processes it once {@link QuicConnection#handshakeCompleted()} is
     * called, as ngtcp2 processes its buffered packets.
     */
    HELD_UNTIL_HANDSHAKE_COMPLETE,
    /**
     * A 1-RTT packet before the TLS handshake completed, when the connection already holds
     * {@link QuicConnection#MAX_HELD_PACKETS} such packets, or when holding it would take the held packets beyond
     * {@link QuicConnection#MAX_HELD_BYTES}.
     */
    TOO_MANY_HELD_PACKETS
}
