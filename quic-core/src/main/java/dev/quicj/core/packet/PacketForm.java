package dev.quicj.core.packet;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.LongPacketType;

/** What a parsed QUIC packet is, by header form and type. */
public enum PacketForm {
    /** Long header, Initial. */
    INITIAL(EncryptionLevel.INITIAL),
    /** Long header, 0-RTT. */
    ZERO_RTT(EncryptionLevel.ZERO_RTT),
    /** Long header, Handshake. */
    HANDSHAKE(EncryptionLevel.HANDSHAKE),
    /** Long header, Retry. */
    RETRY(null),
    /** Long header with version 0: Version Negotiation. */
    VERSION_NEGOTIATION(null),
    /** Short header (1-RTT). */
    ONE_RTT(EncryptionLevel.ONE_RTT);

    private final EncryptionLevel level;

    PacketForm(EncryptionLevel level) {
        this.level = level;
    }

    /** The encryption level of packets of this form, or {@code null} for Retry and Version Negotiation. */
    public EncryptionLevel level() {
        return level;
    }

    /** The form of a long-header packet type. */
    public static PacketForm of(LongPacketType type) {
        switch (type) {
            case INITIAL:
                return INITIAL;
            case ZERO_RTT:
                return ZERO_RTT;
            case HANDSHAKE:
                return HANDSHAKE;
            default:
                return RETRY;
        }
    }
}
