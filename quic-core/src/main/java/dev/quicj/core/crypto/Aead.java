package dev.quicj.core.crypto;

/**
 * An AEAD keyed once, working in place on a byte array
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.3">RFC 9001 §5.3</a>). This is the seam behind
 * {@link AeadPacketProtection}: the JCA AES-GCM and the pure-Java ChaCha20-Poly1305 implement it, and a faster
 * implementation can replace either without touching the packet layer.
 *
 * <p>The associated data is at {@code [aadOffset, aadOffset + aadLength)} and the text follows it directly. Callers
 * have already checked every index; implementations are not thread-safe.
 */
interface Aead {
    /** The length in bytes of the authentication tag appended by {@link #seal}. */
    int TAG_LENGTH = 16;

    /**
     * Encrypts {@code plaintextLength} bytes at {@code aadOffset + aadLength} in place and writes the
     * {@link #TAG_LENGTH}-byte tag right after them.
     *
     * @param nonce the 12-byte nonce; read during the call only
     * @throws CryptoException if the cipher fails
     */
    void seal(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int plaintextLength) throws CryptoException;

    /**
     * Authenticates and decrypts {@code ciphertextLength} bytes (tag included, at least {@link #TAG_LENGTH}) at
     * {@code aadOffset + aadLength} in place.
     *
     * @return the plaintext length, {@code ciphertextLength - TAG_LENGTH}
     * @throws CryptoException if the tag does not match (stackless) or the cipher fails
     */
    int open(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int ciphertextLength) throws CryptoException;
}
