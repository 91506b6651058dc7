package dev.quicj.core.crypto;

/**
 * AEAD_CHACHA20_POLY1305 (<a href="https://www.rfc-editor.org/rfc/rfc8439#section-2.8">RFC 8439 §2.8</a>) in pure
 * Java, in place, with no allocation per packet. Opening the same packet twice (a duplicated datagram) works, which
 * the JDK 17 {@code ChaCha20-Poly1305} cipher refuses.
 *
 * <p>Opening verifies the tag over the associated data and ciphertext before decrypting anything.
 */
final class ChaCha20Poly1305Aead implements Aead {
    // ChaCha20 keyed with the AEAD key; block 0 of each nonce gives the Poly1305 key, blocks 1.. the keystream
    private final ChaCha20 chacha;
    // the authenticator, re-keyed for every packet
    private final Poly1305 poly = new Poly1305();
    // the tag computed on open, compared with the received one
    private final byte[] expectedTag = new byte[TAG_LENGTH];

    /** @param key the 32-byte AEAD key; copied */
    ChaCha20Poly1305Aead(byte[] key) {
        chacha = new ChaCha20(key);
    }

    @Override
    public void seal(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int plaintextLength) {
        int textOffset = aadOffset + aadLength;
        chacha.setNonce(nonce, 0);
        poly.init(chacha.block(0), 0);
        chacha.xor(1, buf, textOffset, plaintextLength);
        authenticate(buf, aadOffset, aadLength, plaintextLength);
        poly.finish(buf, textOffset + plaintextLength);
    }

    @Override
    public int open(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int ciphertextLength)
            throws CryptoException {
        int textOffset = aadOffset + aadLength;
        int plaintextLength = ciphertextLength - TAG_LENGTH;
        chacha.setNonce(nonce, 0);
        poly.init(chacha.block(0), 0);
        authenticate(buf, aadOffset, aadLength, plaintextLength);
        poly.finish(expectedTag, 0);
        int diff = 0;
        int tagOffset = textOffset + plaintextLength;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= expectedTag[i] ^ buf[tagOffset + i];
        }
        if (diff != 0) {
            throw CryptoException.stackless("packet does not authenticate");
        }
        chacha.xor(1, buf, textOffset, plaintextLength);
        return plaintextLength;
    }

    // Poly1305 over aad || pad16 || ciphertext || pad16 || le64(aad length) || le64(ciphertext length)
    private void authenticate(byte[] buf, int aadOffset, int aadLength, int ciphertextLength) {
        poly.update(buf, aadOffset, aadLength);
        poly.padToBlock();
        poly.update(buf, aadOffset + aadLength, ciphertextLength);
        poly.updateLengths(aadLength, ciphertextLength);
    }
}
