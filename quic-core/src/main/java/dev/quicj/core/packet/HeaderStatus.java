package dev.quicj.core.packet;

/** Why a packet header could not be parsed; {@link #OK} when it could. Such packets are dropped, not answered. */
public enum HeaderStatus {
    /** The header was parsed. */
    OK,
    /** The datagram ends inside the header, or the Length field points past its end. */
    TRUNCATED,
    /** The fixed bit (0x40) is 0, which QUIC v1 and v2 forbid for the packets this library reads. */
    FIXED_BIT_CLEAR,
    /** A connection ID is longer than 20 bytes. */
    CONNECTION_ID_TOO_LONG,
    /** A long header with a version this library does not implement (the invariants were still parsed). */
    UNSUPPORTED_VERSION,
    /** The packet is too short to hold a header-protection sample. */
    TOO_SHORT_FOR_SAMPLE
}
