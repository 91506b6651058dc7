package dev.quicj.core.crypto;

import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;

/**
 * A tiny test-only implementation of header protection around {@link PacketProtection}, following
 * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4.1">RFC 9001 §5.4.1</a>: the sample starts 4 bytes
 * after the start of the packet number; {@code mask[0]} masks the low 4 bits of a long header's first byte (5 for a
 * short header) and {@code mask[1..]} the packet number bytes.
 */
final class HeaderProtectionHelper {
    private HeaderProtectionHelper() {
    }

    /** The result of removing protection from a packet. */
    static final class Opened {
        /** The packet with its header unmasked and its payload decrypted in place (the tag bytes are left over). */
        final byte[] packet;
        /** The length of the header, packet number included. */
        final int headerLength;
        /** The packet number length, 1 to 4. */
        final int packetNumberLength;
        /** The truncated packet number as read from the unmasked header. */
        final long truncatedPacketNumber;
        /** The plaintext length returned by {@link PacketProtection#open}. */
        final int plaintextLength;

        Opened(byte[] packet, int headerLength, int packetNumberLength, long truncatedPacketNumber,
                int plaintextLength) {
            this.packet = packet;
            this.headerLength = headerLength;
            this.packetNumberLength = packetNumberLength;
            this.truncatedPacketNumber = truncatedPacketNumber;
            this.plaintextLength = plaintextLength;
        }
    }

    /**
     * Seals {@code unprotected} (header with packet number, then payload; room for the tag is added) and applies
     * header protection.
     *
     * @return the protected packet, {@code unprotected.length + 16} bytes
     */
    static byte[] protect(PacketProtection protection, byte[] unprotected, int headerLength, int packetNumberLength,
            long packetNumber) throws CryptoException {
        byte[] packet = new byte[unprotected.length + protection.tagLength()];
        System.arraycopy(unprotected, 0, packet, 0, unprotected.length);
        ByteBuffer buf = ByteBuffer.wrap(packet);
        protection.seal(buf, 0, headerLength, unprotected.length - headerLength, packetNumber);
        int pnOffset = headerLength - packetNumberLength;
        byte[] mask = new byte[PacketProtection.MASK_LENGTH];
        protection.headerProtectionMask(buf, pnOffset + 4, mask);
        boolean longHeader = (packet[0] & 0x80) != 0;
        packet[0] ^= mask[0] & (longHeader ? 0x0f : 0x1f);
        for (int i = 0; i < packetNumberLength; i++) {
            packet[pnOffset + i] ^= mask[1 + i];
        }
        return packet;
    }

    /**
     * Removes header protection from a copy of {@code protectedPacket}, whose packet number starts at
     * {@code pnOffset}, and opens it with the full packet number {@code packetNumber}. The packet runs to the end
     * of the array.
     */
    static Opened unprotect(PacketProtection protection, byte[] protectedPacket, int pnOffset, long packetNumber)
            throws CryptoException {
        byte[] packet = protectedPacket.clone();
        ByteBuffer buf = ByteBuffer.wrap(packet);
        byte[] mask = new byte[PacketProtection.MASK_LENGTH];
        protection.headerProtectionMask(buf, pnOffset + 4, mask);
        boolean longHeader = (packet[0] & 0x80) != 0;
        packet[0] ^= mask[0] & (longHeader ? 0x0f : 0x1f);
        int pnLength = (packet[0] & 0x03) + 1;
        long truncated = 0;
        for (int i = 0; i < pnLength; i++) {
            packet[pnOffset + i] ^= mask[1 + i];
            truncated = truncated << 8 | (packet[pnOffset + i] & 0xff);
        }
        int headerLength = pnOffset + pnLength;
        int plaintextLength = protection.open(buf, 0, headerLength, packet.length - headerLength, packetNumber);
        return new Opened(packet, headerLength, pnLength, truncated, plaintextLength);
    }

    /**
     * The offset of the packet number in a long-header packet (RFC 9000 §17.2): flags, version, DCID, SCID, for an
     * Initial the token, then the Length field.
     */
    static int longHeaderPacketNumberOffset(byte[] packet) {
        ByteBuffer buf = ByteBuffer.wrap(packet);
        int first = buf.get() & 0xff;
        QuicVersion version = QuicVersion.fromWire(buf.getInt());
        int dcidLength = buf.get() & 0xff;
        buf.position(buf.position() + dcidLength);
        int scidLength = buf.get() & 0xff;
        buf.position(buf.position() + scidLength);
        if (version.packetType((first >>> 4) & 3) == LongPacketType.INITIAL) {
            long tokenLength = VarInt.decode(buf);
            buf.position(buf.position() + (int) tokenLength);
        }
        VarInt.decode(buf);
        return buf.position();
    }
}
