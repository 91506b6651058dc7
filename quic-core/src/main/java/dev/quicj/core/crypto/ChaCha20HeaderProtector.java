package dev.quicj.core.crypto;

/**
 * ChaCha20-based header protection (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4.4">RFC 9001
 * §5.4.4</a>): the block counter is the first 4 bytes of the sample read little-endian, the nonce is the remaining
 * 12 bytes, and the mask is the ChaCha20 encryption of five zero bytes, that is the first 5 keystream bytes.
 */
final class ChaCha20HeaderProtector implements HeaderProtector {
    // ChaCha20 keyed with the header-protection key
    private final ChaCha20 chacha;

    /** @param hpKey the 32-byte header-protection key; copied */
    ChaCha20HeaderProtector(byte[] hpKey) {
        chacha = new ChaCha20(hpKey);
    }

    @Override
    public void mask(byte[] sample, int offset, byte[] mask) {
        chacha.setNonce(sample, offset + 4);
        byte[] keystream = chacha.block(ChaCha20.le32(sample, offset));
        System.arraycopy(keystream, 0, mask, 0, PacketProtection.MASK_LENGTH);
    }
}
