package dev.quicj.core;

/**
 * The QUIC versions this library speaks: version 1 (RFC 9000/9001) and version 2 (RFC 9369).
 *
 * <p>Each constant carries everything that differs between the versions on the wire: the version field, the
 * long-header packet type bits (<a href="https://www.rfc-editor.org/rfc/rfc9369#section-3.2">RFC 9369 §3.2</a>),
 * the Initial salt, the HKDF label prefix and the Retry integrity key and nonce.
 */
public enum QuicVersion {
    /** QUIC version 1, <a href="https://www.rfc-editor.org/rfc/rfc9000">RFC 9000</a>. */
    V1(0x00000001,
            new int[] {0, 1, 2, 3},
            "38762cf7f55934b34d179ae6a4c80cadccbb7f0a",
            "quic ",
            "be0c690b9f66575a1d766b54e368c84e",
            "461599d35d632bf2239825bb"),
    /** QUIC version 2, <a href="https://www.rfc-editor.org/rfc/rfc9369">RFC 9369</a>. */
    V2(0x6b3343cf,
            new int[] {1, 2, 3, 0},
            "0dede3def700a6db819381be6e269dcbf9bd2ed9",
            "quicv2 ",
            "8fb4b01b56ac48e260fbcbcead7ccc92",
            "d86969bc2d7c6d9990efb04a");

    private final int wireValue;
    // long-header type bits for INITIAL, ZERO_RTT, HANDSHAKE, RETRY (in LongPacketType order)
    private final int[] typeBits;
    private final byte[] initialSalt;
    private final String labelPrefix;
    private final byte[] retryKey;
    private final byte[] retryNonce;

    QuicVersion(int wireValue, int[] typeBits, String initialSalt, String labelPrefix, String retryKey,
            String retryNonce) {
        this.wireValue = wireValue;
        this.typeBits = typeBits;
        this.initialSalt = Hex.decode(initialSalt);
        this.labelPrefix = labelPrefix;
        this.retryKey = Hex.decode(retryKey);
        this.retryNonce = Hex.decode(retryNonce);
    }

    /** The 32-bit Version field as it appears on the wire. */
    public int wireValue() {
        return wireValue;
    }

    /**
     * The two long-header type bits (already shifted down, 0..3) for a packet type in this version.
     */
    public int typeBits(LongPacketType type) {
        return typeBits[type.ordinal()];
    }

    /** The long-header packet type that the two type bits (0..3) denote in this version. */
    public LongPacketType packetType(int bits) {
        for (LongPacketType t : LongPacketType.VALUES) {
            if (typeBits[t.ordinal()] == (bits & 3)) {
                return t;
            }
        }
        throw new AssertionError(bits);
    }

    /** The Initial salt (RFC 9001 §5.2, RFC 9369 §3.3.1); a fresh copy. */
    public byte[] initialSalt() {
        return initialSalt.clone();
    }

    /**
     * The prefix of the HKDF labels for packet protection keys: {@code "quic "} (v1) or {@code "quicv2 "} (v2),
     * so the labels are {@code prefix + "key"}, {@code prefix + "iv"}, {@code prefix + "hp"}, {@code prefix + "ku"}.
     */
    public String labelPrefix() {
        return labelPrefix;
    }

    /** The AES-128-GCM key of the Retry integrity tag (RFC 9001 §5.8, RFC 9369 §3.3.3); a fresh copy. */
    public byte[] retryKey() {
        return retryKey.clone();
    }

    /** The nonce of the Retry integrity tag; a fresh copy. */
    public byte[] retryNonce() {
        return retryNonce.clone();
    }

    /** The version with the given wire value, or {@code null} when this library does not support it. */
    public static QuicVersion fromWire(int wireValue) {
        for (QuicVersion v : values()) {
            if (v.wireValue == wireValue) {
                return v;
            }
        }
        return null;
    }
}
