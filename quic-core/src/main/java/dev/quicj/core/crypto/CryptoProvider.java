package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;

/**
 * Makes {@link PacketProtection} instances from TLS traffic secrets. This is the seam between the QUIC core and its
 * ciphers: the default ({@link #jca()}) uses the JDK's AES (CPU intrinsics) for AES-GCM and header protection, HKDF on
 * the JDK's SHA-256 compression intrinsic for SHA-256 suites ({@code Sha256Hmac}, with a {@code MessageDigest}
 * fallback) and BouncyCastle's HKDF for SHA-384 (AES-256-GCM), and a pure-Java ChaCha20-Poly1305 (the JDK 17 one
 * refuses to decrypt a duplicated packet and allocates per packet); tests substitute {@link #nullCrypto()} to read
 * plaintext, or a failing provider to exercise the CALLBACK_FAILURE outcome.
 *
 * <p>A provider that throws an unchecked exception, or returns null, where the connection asks it for keys is
 * treated as one that threw {@link CryptoException}: key installation fails with it, a server drops the Initial it
 * could not key, and a stateless close reports CALLBACK_FAILURE.
 */
public interface CryptoProvider {

    /**
     * Derives the packet protection key, IV and header-protection key from a traffic secret with the version's
     * HKDF labels ({@code "quic key"}, {@code "quic iv"}, {@code "quic hp"}, or the {@code "quicv2 "} forms) and
     * returns a ready instance.
     *
     * @param secret the traffic secret; its length must be {@link CipherSuite#hashLength()}; not retained
     * @throws CryptoException if the cipher cannot be set up
     * @throws IllegalArgumentException if the secret has the wrong length
     */
    PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret) throws CryptoException;

    /**
     * The protection of a new traffic secret, made by re-keying {@code previous} in place when this provider can (so
     * code that derives keys for many connection IDs, such as {@link InitialProtections}, allocates nothing once
     * warm), else a new instance as {@link #newPacketProtection} makes. Either way the result is what
     * {@link #newPacketProtection} would return for the same arguments, and {@code previous} must not be used again
     * unless it is the result: its old keys may be gone. If this throws, {@code previous} must be discarded.
     *
     * <p>The default makes a new instance. {@link #jca()} re-keys its own AES-GCM protections of the same suite when
     * the JVM opens the JDK's AES internals (see {@link #aesGcmImplementation()}).
     *
     * <p>Every connection's Initial keys are asked for here, with a null {@code previous} for a new connection (they
     * are derived through {@link InitialProtections}). A provider that wraps another and decorates
     * {@link #newPacketProtection} must therefore decorate this method too, or leave it to the default, which calls
     * {@link #newPacketProtection}; passing it straight to the wrapped provider would bypass the decoration for
     * Initial keys.
     *
     * @param previous a protection to re-key, or null
     * @param secret the traffic secret; its length must be {@link CipherSuite#hashLength()}; not retained
     * @throws CryptoException if the cipher cannot be set up
     * @throws IllegalArgumentException if the secret has the wrong length
     */
    default PacketProtection rekeyPacketProtection(PacketProtection previous, QuicVersion version, CipherSuite suite,
            byte[] secret) throws CryptoException {
        return newPacketProtection(version, suite, secret);
    }

    /**
     * The protection of the next 1-RTT key generation (a key update,
     * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-6.1">RFC 9001 §6.1</a>): the packet protection key and
     * IV derived from {@code nextSecret} (itself {@link HkdfLabel#nextSecret} of the current generation's secret) with
     * the version's {@code "key"} and {@code "iv"} labels, and the header protection of {@code current}, which a key
     * update leaves as it is ("The header protection key is not updated"). {@code current} stays usable (a
     * connection keeps the previous generation for reordered packets, §6.5); the result may share its
     * header-protection state, so neither of them may be passed to {@link #rekeyPacketProtection} afterwards.
     *
     * <p>The default makes a new instance with {@link #newPacketProtection} for the AEAD and delegates header
     * protection to {@code current} (or to what {@code current} itself delegates it to, so successive updates do not
     * chain); {@code current} then stays reachable for as long as the result is. {@link #jca()} builds one instance
     * sharing {@code current}'s header-protection cipher when {@code current} is one of its own. Only connections
     * whose peer updates its keys ask for this, once per update; it may allocate. A provider that wraps another and
     * decorates {@link #newPacketProtection} should decorate this method too, or leave it to the default.
     *
     * @param current the protection of the current generation, made by this provider; its suite must be
     *     {@code suite}
     * @param nextSecret the next generation's traffic secret; its length must be {@link CipherSuite#hashLength()};
     *     not retained
     * @throws CryptoException if the cipher cannot be set up
     * @throws IllegalArgumentException if the secret has the wrong length or {@code current} is of another suite
     */
    default PacketProtection newUpdatedPacketProtection(PacketProtection current, QuicVersion version,
            CipherSuite suite, byte[] nextSecret) throws CryptoException {
        KeyUpdatedPacketProtection.checkCurrent(current, suite);
        PacketProtection aead = CryptoException.requireProtection(newPacketProtection(version, suite, nextSecret),
                "newPacketProtection");
        return KeyUpdatedPacketProtection.of(aead, current);
    }

    /**
     * The default provider: the JDK's AES for AES-GCM and AES header protection, pure-Java ChaCha20-Poly1305 and
     * ChaCha20, HKDF on the JDK's SHA-256 (BouncyCastle's for SHA-384).
     * Its instances allocate nothing per packet once warm, except inside the JCA's AES-GCM {@code init}.
     */
    static CryptoProvider jca() {
        return JcaCryptoProvider.INSTANCE;
    }

    /**
     * Which AES-GCM implementation {@link #jca()} uses in this JVM: {@code "jdk-intrinsics"} when the JVM runs with
     * {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} ({@code =dev.quicj.core} with quic-core on
     * the module path; the reason names the flag that applies): the JDK's intrinsic GHASH and AES-CTR driven
     * directly, no allocation per packet. Otherwise {@code "jca (reason)"} (the public {@code AES/GCM/NoPadding}
     * cipher, which allocates fresh GCM state on every packet). In the first case, if re-keying those ciphers in place
     * failed its start-up check ({@link #rekeyPacketProtection} then makes new instances), it is
     * {@code "jdk-intrinsics (no re-keying in place: reason)"}.
     */
    static String aesGcmImplementation() {
        return JcaCryptoProvider.aesGcmImplementation();
    }

    /**
     * Which SHA-256 engine the key derivation (HKDF of Initial secrets and packet keys) uses in this JVM:
     * {@code "jdk-intrinsics"} when the JVM runs with {@code --add-opens java.base/sun.security.provider=ALL-UNNAMED}
     * ({@code =dev.quicj.core} on the module path): the JDK's intrinsic compression function driven directly, an
     * HMAC with an already-hashed key costing two compressions. Otherwise {@code "message-digest (reason)"}: the
     * public {@code MessageDigest}, about twice the work per key set. Both give the same bytes.
     */
    static String sha256Implementation() {
        return Sha256Hmac.implementation();
    }

    /**
     * The null-crypto provider of the upstream ngtcp2 tests: sealing appends 16 zero bytes to the plaintext, opening
     * checks and strips them, and the header-protection mask is all zeros, so packets read as plaintext.
     * For tests and diagnostics only; it protects nothing.
     */
    static CryptoProvider nullCrypto() {
        return NullCryptoProvider.INSTANCE;
    }
}
