package dev.quicj.core.crypto;

import java.nio.ByteBuffer;

/**
 * The packet protection of one encryption level in one direction: an AEAD plus header protection
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5">RFC 9001 §5</a>), keyed once.
 *
 * <p>All indexes are absolute; no method moves the buffer's position or limit, and none keeps a reference to the
 * buffer. The buffer may be heap or direct. Implementations reuse their cipher state and scratch space, so an
 * instance is <b>not thread-safe</b>; a connection owns its instances.
 *
 * <p>Indexes are checked against the buffer's <em>capacity</em>, not its limit, since a writer fills a buffer up to
 * its capacity; the buffer must be writable (read-only buffers fail with
 * {@link java.nio.ReadOnlyBufferException}).
 *
 * <p>Any failure of the cipher or of authentication is a {@link CryptoException}: on sealing it becomes the
 * CALLBACK_FAILURE outcome of the writer, on opening the packet is dropped. Caller bugs are unchecked exceptions:
 * {@link IndexOutOfBoundsException} for a range outside the capacity, {@link IllegalArgumentException} for a
 * negative length or packet number or a mask array shorter than {@link #MASK_LENGTH}. The connection does not trust
 * an implementation to keep to this: whatever unchecked exception a seal, an open or a mask throws while the
 * connection uses it becomes a {@link CryptoException} ({@link CryptoException#contractViolation}), so a broken
 * custom cipher still gives CALLBACK_FAILURE or a dropped packet and leaves the connection's state as it was.
 *
 * <p>A packet number must never be sealed twice with the same keys (the nonce would repeat). The JCA AES-GCM
 * enforces part of this: sealing the same packet number twice in a row throws a {@link CryptoException}. Opening
 * the same packet twice (a duplicated datagram) is always allowed.
 */
public interface PacketProtection {
    /** The length of a header-protection sample (RFC 9001 §5.4.2). */
    int SAMPLE_LENGTH = 16;

    /** The length of the header-protection mask this interface produces: 1 byte for the first byte, 4 for the PN. */
    int MASK_LENGTH = 5;

    /** The cipher suite this protection was keyed for. */
    CipherSuite suite();

    /** The number of bytes sealing adds after the payload (16 for every standard suite). */
    int tagLength();

    /**
     * Encrypts a packet payload in place. The header, used as associated data, is at
     * {@code [headerOffset, headerOffset + headerLength)} and includes the unprotected packet number; the plaintext
     * follows it directly. The ciphertext overwrites the plaintext and the tag is written after it, so the buffer
     * must hold {@code headerOffset + headerLength + payloadLength + tagLength()} bytes (up to its capacity).
     *
     * @param packetNumber the full packet number, XORed into the IV to form the nonce
     * @throws CryptoException if the cipher fails
     */
    void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength, long packetNumber)
            throws CryptoException;

    /**
     * Decrypts and authenticates a packet payload in place. The header (associated data) is at
     * {@code [headerOffset, headerOffset + headerLength)}, followed directly by {@code ciphertextLength} bytes of
     * ciphertext including the tag. On success the plaintext overwrites the start of the ciphertext.
     *
     * @return the plaintext length, {@code ciphertextLength - tagLength()}
     * @throws CryptoException if the packet does not authenticate or the cipher fails; the bytes at
     *     {@code [headerOffset + headerLength, +ciphertextLength)} are then unspecified
     */
    int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength, long packetNumber)
            throws CryptoException;

    /**
     * Computes the header-protection mask from the {@link #SAMPLE_LENGTH}-byte sample at {@code sampleOffset} into
     * {@code mask[0..5)}.
     *
     * @throws CryptoException if the cipher fails
     */
    void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) throws CryptoException;
}
