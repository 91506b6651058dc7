package dev.quicj.core;

/**
 * The encryption levels that carry frames (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-4">RFC 9001
 * §4</a>), in the order packets of one datagram are coalesced. 0-RTT and 1-RTT share the application packet
 * number space.
 */
public enum EncryptionLevel {
    /** Initial packets, protected with keys derived from the client's first Destination Connection ID. */
    INITIAL,
    /** 0-RTT packets (long header). */
    ZERO_RTT,
    /** Handshake packets. */
    HANDSHAKE,
    /** 1-RTT packets (short header). */
    ONE_RTT;

    /** The long-header packet type of this level, or {@code null} for 1-RTT. */
    public LongPacketType longPacketType() {
        switch (this) {
            case INITIAL:
                return LongPacketType.INITIAL;
            case ZERO_RTT:
                return LongPacketType.ZERO_RTT;
            case HANDSHAKE:
                return LongPacketType.HANDSHAKE;
            default:
                return null;
        }
    }
}
