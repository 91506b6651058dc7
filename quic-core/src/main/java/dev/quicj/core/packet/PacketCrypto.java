package dev.quicj.core.packet;

import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;

/**
 * Applies and removes header protection around the AEAD
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4.1">RFC 9001 §5.4.1</a>). Both directions work in
 * place on the datagram and allocate nothing: the caller supplies the 5-byte mask scratch array.
 */
public final class PacketCrypto {
    private static final int LONG_HEADER_MASK = 0x0f;
    private static final int SHORT_HEADER_MASK = 0x1f;

    private PacketCrypto() {
    }

    /**
     * Removes header protection and decrypts the packet {@code header} describes, in place: {@link
     * #removeHeaderProtection} then {@link #open}. On return the datagram holds the unprotected header and the
     * plaintext payload, and the header's {@code firstByte}, {@code packetNumberLength}, {@code packetNumber},
     * {@code payloadOffset} and {@code payloadLength} are set.
     *
     * @param largestReceived the largest packet number received so far in this packet number space, or -1
     * @param mask scratch space of at least 5 bytes
     * @throws CryptoException if the packet does not authenticate; the packet's bytes are then unspecified
     */
    public static void unprotect(ByteBuffer buf, PacketHeader header, PacketProtection protection,
            long largestReceived, byte[] mask) throws CryptoException {
        removeHeaderProtection(buf, header, protection, largestReceived, mask);
        open(buf, header, protection);
    }

    /**
     * The first half of {@link #unprotect}: removes header protection in place with {@code protection}'s mask and
     * decodes the packet number, setting the header's {@code firstByte} (so its {@link PacketHeader#keyPhase()}),
     * {@code packetNumberLength}, {@code packetNumber} and {@code payloadOffset}. A receiver picks the AEAD keys of
     * a 1-RTT packet from its Key Phase bit and packet number before {@link #open} (RFC 9001 §6.5): header
     * protection is the same for every key generation (§6.1).
     *
     * @param largestReceived the largest packet number received so far in this packet number space, or -1
     * @param mask scratch space of at least 5 bytes
     * @throws CryptoException if the mask cannot be computed or the packet is too short for the AEAD tag, or its
     *     packet number decodes past 2^62-1; the packet's bytes are then unspecified
     */
    public static void removeHeaderProtection(ByteBuffer buf, PacketHeader header, PacketProtection protection,
            long largestReceived, byte[] mask) throws CryptoException {
        int start = header.packetStart;
        int pnOffset = header.pnOffset;
        headerMask(protection, buf, pnOffset + 4, mask);
        int first = buf.get(start) & 0xff;
        first ^= mask[0] & (header.isLongHeader() ? LONG_HEADER_MASK : SHORT_HEADER_MASK);
        buf.put(start, (byte) first);
        int pnLength = (first & 0x03) + 1;
        long truncated = 0;
        for (int i = 0; i < pnLength; i++) {
            int b = (buf.get(pnOffset + i) ^ mask[1 + i]) & 0xff;
            buf.put(pnOffset + i, (byte) b);
            truncated = truncated << 8 | b;
        }
        long pn = PacketNumber.decode(truncated, pnLength, largestReceived);
        if (pn > PacketNumber.MAX) {
            // RFC 9000 Appendix A.3 can decode past the top of the space; no such packet can exist
            throw CryptoException.stackless("packet number beyond 2^62-1");
        }
        int ciphertextLength = header.packetEnd - (pnOffset + pnLength);
        if (ciphertextLength < protection.tagLength()) {
            throw CryptoException.stackless("packet shorter than the AEAD tag");
        }
        header.firstByte = first;
        header.pnLength = pnLength;
        header.packetNumber = pn;
        header.payloadOffset = pnOffset + pnLength;
    }

    /**
     * The second half of {@link #unprotect}: decrypts and authenticates in place, with {@code protection}'s AEAD, the
     * packet whose header protection {@link #removeHeaderProtection} removed, and sets the header's
     * {@code payloadLength}.
     *
     * @throws CryptoException if the packet does not authenticate; its payload bytes are then unspecified
     */
    public static void open(ByteBuffer buf, PacketHeader header, PacketProtection protection)
            throws CryptoException {
        int start = header.packetStart;
        int payloadOffset = header.payloadOffset;
        int headerLength = payloadOffset - start;
        int ciphertextLength = header.packetEnd - payloadOffset;
        if (ciphertextLength < protection.tagLength()) {
            throw CryptoException.stackless("packet shorter than the AEAD tag");
        }
        int plaintextLength;
        try {
            plaintextLength = protection.open(buf, start, headerLength, ciphertextLength, header.packetNumber);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("open", e);
        }
        header.payloadLength = plaintextLength;
    }

    /**
     * Seals a packet written in place and applies header protection.
     *
     * @param packetStart absolute index of the first header byte
     * @param pnOffset absolute index of the packet number
     * @param pnLength packet number length, 1..4
     * @param payloadLength plaintext payload length (the payload follows the packet number)
     * @param longHeader whether the first byte belongs to a long header (4 protected bits) or a short one (5)
     * @param mask scratch space of at least 5 bytes
     * @return the packet length including the tag
     * @throws CryptoException if the cipher fails
     */
    public static int protect(ByteBuffer buf, int packetStart, int pnOffset, int pnLength, int payloadLength,
            long packetNumber, boolean longHeader, PacketProtection protection, byte[] mask) throws CryptoException {
        int headerLength = pnOffset + pnLength - packetStart;
        try {
            protection.seal(buf, packetStart, headerLength, payloadLength, packetNumber);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("seal", e);
        }
        headerMask(protection, buf, pnOffset + 4, mask);
        int firstByteMask = mask[0] & (longHeader ? LONG_HEADER_MASK : SHORT_HEADER_MASK);
        buf.put(packetStart, (byte) (buf.get(packetStart) ^ firstByteMask));
        for (int i = 0; i < pnLength; i++) {
            buf.put(pnOffset + i, (byte) (buf.get(pnOffset + i) ^ mask[1 + i]));
        }
        return headerLength + payloadLength + protection.tagLength();
    }

    // a custom cipher's unchecked failure becomes the typed one (CryptoException#contractViolation)
    private static void headerMask(PacketProtection protection, ByteBuffer buf, int sampleOffset, byte[] mask)
            throws CryptoException {
        try {
            protection.headerProtectionMask(buf, sampleOffset, mask);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("header protection", e);
        }
    }
}
