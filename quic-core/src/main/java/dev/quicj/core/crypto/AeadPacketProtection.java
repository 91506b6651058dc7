package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@link PacketProtection} from an {@link Aead} and a {@link HeaderProtector}
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.3">RFC 9001 §5.3</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4">§5.4</a>).
 *
 * <p>The nonce of each packet is the IV XORed with the packet number, left-padded with zeros to 12 bytes. Heap
 * buffers are processed in place through their backing array. Direct (and read-only heap) buffers are copied into a
 * per-instance staging array, processed there and copied back; the staging array grows once to the largest packet
 * seen. The caller's position, limit and mark are never changed: absolute bulk transfers need the limit raised to the
 * capacity for the duration of the copy, and it is put back before returning.
 *
 * <p>Indexes are checked against the buffer's capacity ({@link IndexOutOfBoundsException}), since a writer fills a
 * buffer up to its capacity. Not thread-safe.
 */
final class AeadPacketProtection implements PacketProtection {
    // the suite the keys were derived for
    private final CipherSuite suite;
    // the payload AEAD
    private final Aead aead;
    // the header-protection mask function
    private final HeaderProtector headerProtector;
    // the static IV from the "quic iv" label
    private final byte[] iv;
    // the per-packet nonce, rewritten by every seal and open
    private final byte[] nonce;
    // the sample copied out of a buffer without an accessible array
    private final byte[] sample = new byte[SAMPLE_LENGTH];
    // staging copy of a packet held in a buffer without an accessible array; grown on demand, null until needed
    private byte[] staging;
    // re-keying scratch: the AEAD key and the header-protection key, wiped after each re-key; null until needed
    private byte[] keyScratch;
    private byte[] hpScratch;
    // set while a re-key is under way, and left set when it failed: a half re-keyed instance refuses every use
    private boolean rekeyIncomplete;
    // whether another instance (a key update's, or the one this key update came from) shares headerProtector: then
    // re-keying in place would change that instance's header protection too, so this one is not rekeyable
    private boolean headerProtectorShared;

    /**
     * @param iv the 12-byte IV; copied
     */
    AeadPacketProtection(CipherSuite suite, Aead aead, HeaderProtector headerProtector, byte[] iv) {
        this.suite = Objects.requireNonNull(suite, "suite");
        this.aead = Objects.requireNonNull(aead, "aead");
        this.headerProtector = Objects.requireNonNull(headerProtector, "headerProtector");
        if (iv.length != suite.ivLength()) {
            throw new IllegalArgumentException("IV must be " + suite.ivLength() + " bytes, not " + iv.length);
        }
        this.iv = iv.clone();
        this.nonce = iv.clone();
    }

    /**
     * Whether {@link #rekey} can re-key this instance in place: its AEAD and header protection drive the JDK's AES
     * intrinsics directly, and re-keying them passed its known-answer test in this JVM.
     */
    boolean rekeyable() {
        return !headerProtectorShared && JdkGcmPrimitives.REKEY_AVAILABLE && aead instanceof IntrinsicAesGcmAead
                && headerProtector instanceof AesHeaderProtector && ((AesHeaderProtector) headerProtector).rekeyable();
    }

    /**
     * The protection of the next key generation (RFC 9001 §6.1): {@code aead} and {@code iv}, and this instance's
     * header protection, which the two then share (neither is {@link #rekeyable()} any more).
     *
     * @param iv the next generation's 12-byte IV; copied
     */
    AeadPacketProtection keyUpdated(Aead aead, byte[] iv) {
        AeadPacketProtection next = new AeadPacketProtection(suite, aead, headerProtector, iv);
        headerProtectorShared = true;
        next.headerProtectorShared = true;
        return next;
    }

    /**
     * Derives the key, IV and header-protection key of {@code secret} for this instance's suite and re-keys it in
     * place, allocating nothing once warm; only when {@link #rekeyable()}. On a {@link CryptoException} the instance
     * must be discarded.
     *
     * @param secret a traffic secret of {@link CipherSuite#hashLength()} bytes; not retained
     */
    void rekey(QuicVersion version, byte[] secret) throws CryptoException {
        if (!rekeyable()) {
            throw new IllegalStateException("this packet protection cannot be re-keyed in place");
        }
        // checked before anything changes: a wrong length leaves the old keys intact
        PacketKeys.checkSecret(suite, secret);
        if (keyScratch == null) {
            keyScratch = new byte[suite.keyLength()];
            hpScratch = new byte[suite.keyLength()];
        }
        rekeyIncomplete = true;
        try {
            PacketKeys.deriveInto(version, suite, secret, keyScratch, iv, hpScratch);
            // makeNonce rewrites only the last 8 bytes
            System.arraycopy(iv, 0, nonce, 0, iv.length);
            ((IntrinsicAesGcmAead) aead).rekey(keyScratch);
            ((AesHeaderProtector) headerProtector).rekey(hpScratch);
            rekeyIncomplete = false;
        } finally {
            Arrays.fill(keyScratch, (byte) 0);
            Arrays.fill(hpScratch, (byte) 0);
        }
    }

    @Override
    public CipherSuite suite() {
        return suite;
    }

    @Override
    public int tagLength() {
        return Aead.TAG_LENGTH;
    }

    @Override
    public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength, long packetNumber)
            throws CryptoException {
        checkUsable();
        checkLengths(headerLength, payloadLength);
        int total = checkRange(headerOffset, (long) headerLength + payloadLength + Aead.TAG_LENGTH, packet);
        makeNonce(packetNumber);
        if (packet.hasArray()) {
            aead.seal(nonce, packet.array(), packet.arrayOffset() + headerOffset, headerLength, payloadLength);
            return;
        }
        byte[] buf = staging(total);
        int limit = packet.limit();
        packet.limit(packet.capacity());
        try {
            packet.get(headerOffset, buf, 0, headerLength + payloadLength);
            aead.seal(nonce, buf, 0, headerLength, payloadLength);
            packet.put(headerOffset + headerLength, buf, headerLength, payloadLength + Aead.TAG_LENGTH);
        } finally {
            packet.limit(limit);
        }
    }

    @Override
    public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength, long packetNumber)
            throws CryptoException {
        checkUsable();
        checkLengths(headerLength, ciphertextLength);
        int total = checkRange(headerOffset, (long) headerLength + ciphertextLength, packet);
        if (ciphertextLength < Aead.TAG_LENGTH) {
            throw CryptoException.stackless("packet shorter than the authentication tag");
        }
        makeNonce(packetNumber);
        if (packet.hasArray()) {
            return aead.open(nonce, packet.array(), packet.arrayOffset() + headerOffset, headerLength,
                    ciphertextLength);
        }
        byte[] buf = staging(total);
        int limit = packet.limit();
        packet.limit(packet.capacity());
        try {
            packet.get(headerOffset, buf, 0, total);
            int plaintextLength = aead.open(nonce, buf, 0, headerLength, ciphertextLength);
            packet.put(headerOffset + headerLength, buf, headerLength, plaintextLength);
            return plaintextLength;
        } finally {
            packet.limit(limit);
        }
    }

    @Override
    public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) throws CryptoException {
        checkUsable();
        Objects.checkFromIndexSize(sampleOffset, SAMPLE_LENGTH, packet.capacity());
        if (mask.length < MASK_LENGTH) {
            throw new IllegalArgumentException("mask array shorter than " + MASK_LENGTH + ": " + mask.length);
        }
        if (packet.hasArray()) {
            headerProtector.mask(packet.array(), packet.arrayOffset() + sampleOffset, mask);
            return;
        }
        int limit = packet.limit();
        packet.limit(packet.capacity());
        try {
            packet.get(sampleOffset, sample, 0, SAMPLE_LENGTH);
        } finally {
            packet.limit(limit);
        }
        headerProtector.mask(sample, 0, mask);
    }

    // nonce = iv XOR (packet number left-padded to 12 bytes); the first 4 bytes of the nonce never change
    private void makeNonce(long packetNumber) {
        if (packetNumber < 0) {
            throw new IllegalArgumentException("negative packet number: " + packetNumber);
        }
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] = (byte) (iv[11 - i] ^ (packetNumber >>> (8 * i)));
        }
    }

    private byte[] staging(int length) {
        byte[] buf = staging;
        if (buf == null || buf.length < length) {
            buf = new byte[Math.max(length, 2048)];
            staging = buf;
        }
        return buf;
    }

    private void checkUsable() throws CryptoException {
        if (rekeyIncomplete) {
            throw new CryptoException("a re-key of this packet protection failed; it must be discarded", null);
        }
    }

    /**
     * Checks that {@code [offset, offset + total)} lies within the packet buffer's capacity, with the sum of the
     * lengths in {@code long}: an {@code int} sum of two large lengths wraps to a small one that passes, and the
     * AEAD would then run far past the array (a native write on the intrinsic path).
     *
     * @return {@code total}
     */
    private static int checkRange(int offset, long total, ByteBuffer packet) {
        if (total > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("a packet of " + total + " bytes at " + offset
                    + " does not fit a buffer of capacity " + packet.capacity());
        }
        Objects.checkFromIndexSize(offset, (int) total, packet.capacity());
        return (int) total;
    }

    private static void checkLengths(int headerLength, int textLength) {
        if (headerLength < 0 || textLength < 0) {
            throw new IllegalArgumentException("negative length: header " + headerLength + ", text " + textLength);
        }
    }
}
