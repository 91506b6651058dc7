package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The null-crypto convention of the upstream ngtcp2 tests (close-spec §8.3): sealing leaves the payload as it is
 * and writes 16 zero bytes after it, opening checks those 16 bytes are zero and strips them, and the
 * header-protection mask is 5 zero bytes, so protected packets read as plaintext. It protects nothing; for tests and
 * diagnostics only.
 *
 * <p>The secret is not used, but its length is checked like the real provider does, so a test cannot pass with a
 * secret that {@link CryptoProvider#jca()} would refuse.
 */
final class NullCryptoProvider implements CryptoProvider {
    /** The single instance; it holds no state. */
    static final NullCryptoProvider INSTANCE = new NullCryptoProvider();

    /** The length of the all-zero tag. */
    private static final int TAG_LENGTH = 16;

    private NullCryptoProvider() {
    }

    @Override
    public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret) {
        Objects.requireNonNull(version, "version");
        PacketKeys.checkSecret(suite, secret);
        return new NullPacketProtection(suite);
    }

    /** Null protection has no keys, so the next generation's is the same as the current one's. */
    @Override
    public PacketProtection newUpdatedPacketProtection(PacketProtection current, QuicVersion version,
            CipherSuite suite, byte[] nextSecret) {
        KeyUpdatedPacketProtection.checkCurrent(current, suite);
        return newPacketProtection(version, suite, nextSecret);
    }

    @Override
    public String toString() {
        return "CryptoProvider.nullCrypto()";
    }

    /** Null protection for one suite: zero tag, zero mask. Stateless. */
    private static final class NullPacketProtection implements PacketProtection {
        // the suite this protection claims to be keyed for
        private final CipherSuite suite;

        NullPacketProtection(CipherSuite suite) {
            this.suite = suite;
        }

        @Override
        public CipherSuite suite() {
            return suite;
        }

        @Override
        public int tagLength() {
            return TAG_LENGTH;
        }

        @Override
        public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength, long packetNumber) {
            checkLengths(headerLength, payloadLength, packetNumber);
            checkRange(headerOffset, (long) headerLength + payloadLength + TAG_LENGTH, packet);
            int tagOffset = headerOffset + headerLength + payloadLength;
            if (packet.hasArray()) {
                int base = packet.arrayOffset() + tagOffset;
                Arrays.fill(packet.array(), base, base + TAG_LENGTH, (byte) 0);
                return;
            }
            int limit = packet.limit();
            packet.limit(packet.capacity());
            try {
                for (int i = 0; i < TAG_LENGTH; i++) {
                    packet.put(tagOffset + i, (byte) 0);
                }
            } finally {
                packet.limit(limit);
            }
        }

        @Override
        public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength,
                long packetNumber) throws CryptoException {
            checkLengths(headerLength, ciphertextLength, packetNumber);
            checkRange(headerOffset, (long) headerLength + ciphertextLength, packet);
            if (ciphertextLength < TAG_LENGTH) {
                throw CryptoException.stackless("packet shorter than the authentication tag");
            }
            int tagOffset = headerOffset + headerLength + ciphertextLength - TAG_LENGTH;
            int nonZero = 0;
            int limit = packet.limit();
            packet.limit(packet.capacity());
            try {
                for (int i = 0; i < TAG_LENGTH; i++) {
                    nonZero |= packet.get(tagOffset + i);
                }
            } finally {
                packet.limit(limit);
            }
            if (nonZero != 0) {
                throw CryptoException.stackless("packet does not authenticate");
            }
            return ciphertextLength - TAG_LENGTH;
        }

        @Override
        public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) {
            Objects.checkFromIndexSize(sampleOffset, SAMPLE_LENGTH, packet.capacity());
            if (mask.length < MASK_LENGTH) {
                throw new IllegalArgumentException("mask array shorter than " + MASK_LENGTH + ": " + mask.length);
            }
            for (int i = 0; i < MASK_LENGTH; i++) {
                mask[i] = 0;
            }
        }

        // the sum in long, as AeadPacketProtection does: in int, two large lengths and the tag wrap to a small
        // total that passes, and seal then writes its zero tag before the header
        private static void checkRange(int offset, long total, ByteBuffer packet) {
            if (total > Integer.MAX_VALUE) {
                throw new IndexOutOfBoundsException("a packet of " + total + " bytes at " + offset
                        + " does not fit a buffer of capacity " + packet.capacity());
            }
            Objects.checkFromIndexSize(offset, (int) total, packet.capacity());
        }

        private static void checkLengths(int headerLength, int textLength, long packetNumber) {
            if (headerLength < 0 || textLength < 0) {
                throw new IllegalArgumentException("negative length: header " + headerLength + ", text " + textLength);
            }
            if (packetNumber < 0) {
                throw new IllegalArgumentException("negative packet number: " + packetNumber);
            }
        }
    }
}
