package dev.quicj.core.conn;

/**
 * What {@link QuicConnection#writeConnectionClose} did. The constants mirror the return values of ngtcp2's
 * {@code ngtcp2_conn_write_connection_close} (close-spec §1.3), with NOBUF split by cause, without NOMEM, and with
 * {@link #AEAD_LIMIT_REACHED} added (RFC 9001 §6.6).
 */
public enum CloseOutcome {
    /**
     * A datagram of one to three coalesced packets was written; the destination's position advanced by its length
     * and the connection is now {@link ConnectionState#CLOSING}.
     */
    WRITTEN,
    /**
     * Nothing to write: the close error is of a type that sends nothing (idle close, version negotiation, drop,
     * retry), or the connection is already closing or draining. No state changed.
     */
    NOTHING_TO_WRITE,
    /**
     * No packet fits the destination buffer (or its reason phrase does not), whatever a server's amplification
     * budget. Retry with a larger buffer.
     */
    NOBUF_BUFFER_TOO_SMALL,
    /**
     * A server's amplification budget (3x the bytes received on an unvalidated path) is too small for any packet,
     * though the destination buffer would have held one. Retry once more bytes have arrived from the peer.
     */
    NOBUF_AMPLIFICATION_LIMIT,
    /**
     * The connection cannot close yet: a client that has not written its first Initial, or a server that has not
     * read a client Initial (no transmit key at all, or no Destination Connection ID to send to).
     */
    INVALID_STATE,
    /** A packet number space that still exists has used packet number 2^62-1. */
    PKT_NUM_EXHAUSTED,
    /**
     * The transmit keys of a packet number space that can still send have sealed as many packets as their AEAD's
     * confidentiality limit allows (RFC 9001 §6.6: 2^23 for AES-GCM), so the close cannot be sealed with them; nothing
     * was written and the state did not change. {@link QuicConnection#writePacket} stops short of the limit, keeping
     * room for the close, so this arises only when closes were attempted (and failed) many times after that. The
     * connection cannot tell the peer: discard it (RFC 9001 §6.6: "stop using the connection and only send stateless
     * resets in response to receiving packets").
     */
    AEAD_LIMIT_REACHED,
    /** Packet protection failed while sealing (ngtcp2's CALLBACK_FAILURE). The state did not change. */
    CALLBACK_FAILURE;

    /** Whether the same call may succeed later without anything else changing than buffer size or received bytes. */
    public boolean isRetryable() {
        return this == NOBUF_BUFFER_TOO_SMALL || this == NOBUF_AMPLIFICATION_LIMIT;
    }

    /** Whether this is one of the two NOBUF outcomes. */
    public boolean isNoBuf() {
        return isRetryable();
    }
}
