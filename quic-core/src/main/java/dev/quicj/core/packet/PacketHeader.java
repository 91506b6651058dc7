package dev.quicj.core.packet;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;

/**
 * A parsed packet header: a reusable flyweight of absolute indexes into the datagram it was parsed from
 * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-17">RFC 9000 §17</a>). It holds no copy of the bytes, so
 * it is valid only while the datagram buffer is unchanged; {@link #reset()} makes it reusable.
 *
 * <pre>
 * Long Header Packet {                      1-RTT Packet {
 *   Header Form (1) = 1, Fixed Bit (1) = 1,   Header Form (1) = 0, Fixed Bit (1) = 1,
 *   Long Packet Type (2), Type-Specific (4),  Spin (1), Reserved (2), Key Phase (1), PN Length (2),
 *   Version (32),                             Destination Connection ID (0..160),
 *   DCID Length (8), DCID (0..160),           Packet Number (8..32),
 *   SCID Length (8), SCID (0..160),           Packet Payload (8..),
 *   [Initial: Token Length (i), Token (..)]  }
 *   [Initial/0-RTT/Handshake: Length (i), Packet Number (8..32), Payload]
 * }
 * </pre>
 */
public final class PacketHeader {
    // packet form and type
    PacketForm form;
    // the version of a long header (null for 1-RTT and Version Negotiation, or when unsupported)
    QuicVersion version;
    // the raw 32-bit version field of a long header
    int versionField;
    // absolute index of the first byte of this packet in the datagram
    int packetStart;
    // absolute index one past the last byte of this packet (the next coalesced packet starts here)
    int packetEnd;
    // absolute index and length of the Destination Connection ID
    int dcidOffset;
    int dcidLength;
    // absolute index and length of the Source Connection ID (long headers only)
    int scidOffset;
    int scidLength;
    // absolute index and length of the Initial token or of the Retry token
    int tokenOffset;
    int tokenLength;
    // absolute index of the (protected) packet number; for Retry/VN the start of the rest
    int pnOffset;
    // set by PacketCrypto.unprotect: the first byte without header protection
    int firstByte;
    // set by PacketCrypto.unprotect: the length of the packet number field, 1..4
    int pnLength;
    // set by PacketCrypto.unprotect: the full, decoded packet number
    long packetNumber;
    // set by PacketCrypto.unprotect: absolute index and length of the decrypted payload
    int payloadOffset;
    int payloadLength;

    /** An empty header, to be filled by {@link PacketParser#parse}. */
    public PacketHeader() {
        reset();
    }

    /** Clears every field. */
    public void reset() {
        form = null;
        version = null;
        versionField = 0;
        packetStart = packetEnd = 0;
        dcidOffset = dcidLength = scidOffset = scidLength = tokenOffset = tokenLength = pnOffset = 0;
        firstByte = pnLength = payloadOffset = payloadLength = 0;
        packetNumber = -1;
    }

    /** The packet's form and type. */
    public PacketForm form() {
        return form;
    }

    /** Whether this is a long-header packet. */
    public boolean isLongHeader() {
        return form != PacketForm.ONE_RTT;
    }

    /** The version of a long-header packet, or {@code null} (1-RTT, Version Negotiation, unsupported). */
    public QuicVersion version() {
        return version;
    }

    /** The raw Version field of a long-header packet. */
    public int versionField() {
        return versionField;
    }

    /** Absolute index of the packet's first byte. */
    public int packetStart() {
        return packetStart;
    }

    /** Absolute index one past the packet's last byte. */
    public int packetEnd() {
        return packetEnd;
    }

    /** The packet's length in bytes, including the header and the AEAD tag. */
    public int packetLength() {
        return packetEnd - packetStart;
    }

    /** Absolute index of the DCID. */
    public int dcidOffset() {
        return dcidOffset;
    }

    /** Length of the DCID. */
    public int dcidLength() {
        return dcidLength;
    }

    /** Absolute index of the SCID (long headers). */
    public int scidOffset() {
        return scidOffset;
    }

    /** Length of the SCID (long headers). */
    public int scidLength() {
        return scidLength;
    }

    /** Absolute index of the token (Initial and Retry). */
    public int tokenOffset() {
        return tokenOffset;
    }

    /** Length of the token (Initial and Retry), 0 otherwise. */
    public int tokenLength() {
        return tokenLength;
    }

    /** Absolute index of the packet number (packets that have one). */
    public int pnOffset() {
        return pnOffset;
    }

    /** The first byte with header protection removed (after {@link PacketCrypto#unprotect}). */
    public int firstByte() {
        return firstByte;
    }

    /** The packet number length in bytes, 1..4 (after {@link PacketCrypto#unprotect}). */
    public int packetNumberLength() {
        return pnLength;
    }

    /** The full packet number (after {@link PacketCrypto#unprotect}), or -1. */
    public long packetNumber() {
        return packetNumber;
    }

    /** Absolute index of the decrypted payload (after {@link PacketCrypto#unprotect}). */
    public int payloadOffset() {
        return payloadOffset;
    }

    /** Length of the decrypted payload, without the AEAD tag (after {@link PacketCrypto#unprotect}). */
    public int payloadLength() {
        return payloadLength;
    }

    /**
     * The reserved bits of the unprotected first byte (0x0c in long headers, 0x18 in short headers), which must be
     * zero (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-17.2">RFC 9000 §17.2</a>).
     */
    public int reservedBits() {
        return firstByte & (isLongHeader() ? 0x0c : 0x18);
    }

    /** The Key Phase bit of an unprotected short header. */
    public int keyPhase() {
        return (firstByte >>> 2) & 1;
    }

    /** A copy of the DCID. */
    public ConnectionId dcid(ByteBuffer datagram) {
        return copy(datagram, dcidOffset, dcidLength);
    }

    /** A copy of the SCID. */
    public ConnectionId scid(ByteBuffer datagram) {
        return copy(datagram, scidOffset, scidLength);
    }

    /** A copy of the token. */
    public byte[] token(ByteBuffer datagram) {
        byte[] t = new byte[tokenLength];
        for (int i = 0; i < tokenLength; i++) {
            t[i] = datagram.get(tokenOffset + i);
        }
        return t;
    }

    private static ConnectionId copy(ByteBuffer buf, int offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = buf.get(offset + i);
        }
        return ConnectionId.of(b);
    }

    @Override
    public String toString() {
        return "PacketHeader[" + form + (version != null ? " " + version : "") + ", start=" + packetStart + ", end="
                + packetEnd + ", dcidLen=" + dcidLength + ", scidLen=" + scidLength + ", tokenLen=" + tokenLength
                + ", pnOffset=" + pnOffset + "]";
    }
}
