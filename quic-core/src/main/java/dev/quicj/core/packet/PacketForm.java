package dev.quicj.core.packet;

/** What a parsed QUIC packet is, by header form and type. */
public enum PacketForm {
    /** Long header, Initial. */
    INITIAL,
    /** Long header, 0-RTT. */
    ZERO_RTT,
    /** Long header, Handshake. */
    HANDSHAKE,
    /** Long header, Retry. */
    RETRY,
    /** Long header with version 0: Version Negotiation. */
    VERSION_NEGOTIATION,
    /** Short header (1-RTT). */
    ONE_RTT
}
