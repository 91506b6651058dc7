package dev.quicj.core.crypto;

/**
 * A header-protection mask function keyed once with the "hp" key
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4">RFC 9001 §5.4</a>). Callers have already checked
 * every index; implementations are not thread-safe.
 */
interface HeaderProtector {
    /**
     * Writes the first {@link PacketProtection#MASK_LENGTH} bytes of the mask for the
     * {@link PacketProtection#SAMPLE_LENGTH}-byte sample at {@code sample[offset]} into {@code mask[0..5)}.
     *
     * @throws CryptoException if the cipher fails
     */
    void mask(byte[] sample, int offset, byte[] mask) throws CryptoException;
}
