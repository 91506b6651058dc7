package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * The default {@link CryptoProvider}: keys from BouncyCastle HKDF, AES-GCM and AES-ECB header protection from the
 * JCA (CPU intrinsics), and ChaCha20-Poly1305 and ChaCha20 header protection in pure Java, which allocate nothing per
 * packet and accept the same packet twice (JDK 17's {@code ChaCha20} refuses a repeated key and nonce even when
 * decrypting).
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
                    return new AeadPacketProtection(suite, new AesGcmAead(keys.key), new AesHeaderProtector(keys.hp),
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

    @Override
    public String toString() {
        return "CryptoProvider.jca()";
    }
}
