package dev.quicj.core;

/**
 * The four long-header packet types. Their type bits differ between QUIC versions: see
 * {@link QuicVersion#typeBits(LongPacketType)}.
 */
public enum LongPacketType {
    INITIAL,
    ZERO_RTT,
    HANDSHAKE,
    RETRY;

    static final LongPacketType[] VALUES = values();
}
