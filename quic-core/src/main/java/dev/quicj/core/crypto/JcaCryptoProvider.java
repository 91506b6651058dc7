package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The default {@link CryptoProvider}: keys from HKDF ({@code Sha256Hmac} on the JDK's SHA-256 compression for SHA-256
 * suites, BouncyCastle for SHA-384), AES-GCM from the JDK's intrinsic GHASH and AES-CTR when the JVM opens them (see
 * {@link JdkGcmPrimitives}) or else the JCA cipher, AES header protection from the JDK's AES block cipher when
 * reachable or else JCA AES-ECB (CPU intrinsics either way), and ChaCha20-Poly1305 and ChaCha20 header protection in
 * pure Java, which allocate nothing per packet and accept the same packet twice (JDK 17's {@code ChaCha20} refuses a
 * repeated key and nonce even when decrypting).
 */
final class JcaCryptoProvider implements CryptoProvider {
    /** The single instance; it holds no state. */
    static final JcaCryptoProvider INSTANCE = new JcaCryptoProvider();

    private JcaCryptoProvider() {
    }

    @Override
    public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
            throws CryptoException {
        Objects.requireNonNull(version, "version");
        PacketKeys keys = PacketKeys.derive(version, suite, secret);
        try {
            switch (suite) {
                case TLS_AES_128_GCM_SHA256:
                case TLS_AES_256_GCM_SHA384:
                    return new AeadPacketProtection(suite, aesGcm(keys.key), new AesHeaderProtector(keys.hp),
                            keys.iv);
                case TLS_CHACHA20_POLY1305_SHA256:
                    return new AeadPacketProtection(suite, new ChaCha20Poly1305Aead(keys.key),
                            new ChaCha20HeaderProtector(keys.hp), keys.iv);
                default:
                    throw new IllegalArgumentException("unsupported cipher suite " + suite);
            }
        } catch (GeneralSecurityException e) {
            throw new CryptoException("cannot set up " + suite + " packet protection: " + e, e);
        } finally {
            keys.wipe();
        }
    }

    /**
     * One instance with the AEAD of {@code nextSecret} sharing {@code current}'s header-protection cipher when
     * {@code current} is one of this provider's protections, else the default (a new protection whose header
     * protection is delegated to {@code current}).
     */
    @Override
    public PacketProtection newUpdatedPacketProtection(PacketProtection current, QuicVersion version,
            CipherSuite suite, byte[] nextSecret) throws CryptoException {
        Objects.requireNonNull(version, "version");
        KeyUpdatedPacketProtection.checkCurrent(current, suite);
        if (!(current instanceof AeadPacketProtection)) {
            return CryptoProvider.super.newUpdatedPacketProtection(current, version, suite, nextSecret);
        }
        // the "hp" key of the next secret is derived with the others and wiped unused
        PacketKeys keys = PacketKeys.derive(version, suite, nextSecret);
        try {
            Aead aead = suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256 ? new ChaCha20Poly1305Aead(keys.key)
                    : aesGcm(keys.key);
            return ((AeadPacketProtection) current).keyUpdated(aead, keys.iv);
        } catch (GeneralSecurityException e) {
            throw new CryptoException("cannot set up " + suite + " packet protection: " + e, e);
        } finally {
            keys.wipe();
        }
    }

    /** Re-keys {@code previous} in place when it is one of this provider's AES-GCM protections of {@code suite}. */
    @Override
    public PacketProtection rekeyPacketProtection(PacketProtection previous, QuicVersion version, CipherSuite suite,
            byte[] secret) throws CryptoException {
        Objects.requireNonNull(version, "version");
        if (previous instanceof AeadPacketProtection && previous.suite() == suite) {
            AeadPacketProtection p = (AeadPacketProtection) previous;
            if (p.rekeyable()) {
                p.rekey(version, secret);
                return p;
            }
        }
        return newPacketProtection(version, suite, secret);
    }

    /**
     * AES-GCM from the JDK's intrinsic primitives when they are reachable (no per-packet allocation), else the JCA
     * cipher.
     */
    static Aead aesGcm(byte[] key) throws GeneralSecurityException {
        return JdkGcmPrimitives.AVAILABLE ? new IntrinsicAesGcmAead(key) : new AesGcmAead(key);
    }

    /**
     * Which AES-GCM implementation this JVM uses: {@code "jdk-intrinsics"} (no allocation per packet) or
     * {@code "jca"}, with the reason in the latter case.
     */
    static String aesGcmImplementation() {
        if (!JdkGcmPrimitives.AVAILABLE) {
            return "jca (" + JdkGcmPrimitives.UNAVAILABLE_REASON + ")";
        }
        return JdkGcmPrimitives.REKEY_AVAILABLE ? "jdk-intrinsics"
                : "jdk-intrinsics (no re-keying in place: " + JdkGcmPrimitives.NO_REKEY_REASON + ")";
    }

    @Override
    public String toString() {
        return "CryptoProvider.jca()";
    }
}
