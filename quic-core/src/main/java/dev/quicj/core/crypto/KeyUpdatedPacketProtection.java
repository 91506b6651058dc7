package dev.quicj.core.crypto;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The protection of a later 1-RTT key generation made by {@link CryptoProvider#newUpdatedPacketProtection}'s default:
 * sealing and opening with the new generation's AEAD, header protection with the original generation's
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-6.1">RFC 9001 §6.1</a>: "The header protection key is not
 * updated"). Successive updates delegate to the first generation's protection directly, never to a chain of
 * wrappers. Not thread-safe, like its parts.
 */
final class KeyUpdatedPacketProtection implements PacketProtection {
    // the new generation's AEAD (its own header protection is not used)
    private final PacketProtection aead;
    // the first generation's protection, whose header protection every generation uses
    private final PacketProtection headerProtection;

    private KeyUpdatedPacketProtection(PacketProtection aead, PacketProtection headerProtection) {
        this.aead = aead;
        this.headerProtection = headerProtection;
    }

    /** {@code aead}'s sealing and opening with {@code current}'s header protection. */
    static PacketProtection of(PacketProtection aead, PacketProtection current) {
        Objects.requireNonNull(aead, "aead");
        PacketProtection hp = current instanceof KeyUpdatedPacketProtection
                ? ((KeyUpdatedPacketProtection) current).headerProtection : current;
        return new KeyUpdatedPacketProtection(aead, hp);
    }

    /**
     * @throws NullPointerException if {@code current} or {@code suite} is null
     * @throws IllegalArgumentException if {@code current} is not of {@code suite}
     */
    static void checkCurrent(PacketProtection current, CipherSuite suite) {
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(suite, "suite");
        if (current.suite() != suite) {
            throw new IllegalArgumentException("a key update of a " + current.suite() + " protection to " + suite);
        }
    }

    @Override
    public CipherSuite suite() {
        return aead.suite();
    }

    @Override
    public int tagLength() {
        return aead.tagLength();
    }

    @Override
    public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength, long packetNumber)
            throws CryptoException {
        aead.seal(packet, headerOffset, headerLength, payloadLength, packetNumber);
    }

    @Override
    public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength, long packetNumber)
            throws CryptoException {
        return aead.open(packet, headerOffset, headerLength, ciphertextLength, packetNumber);
    }

    @Override
    public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) throws CryptoException {
        headerProtection.headerProtectionMask(packet, sampleOffset, mask);
    }
}
