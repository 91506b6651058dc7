package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;

/**
 * Receives the peer's CRYPTO stream of each encryption level, in order and without gaps: the seam a TLS layer plugs
 * into (RFC 9001 §4.1.3).
 */
@FunctionalInterface
public interface CryptoDataListener {
    /**
     * The next in-order bytes of the CRYPTO stream at {@code level}.
     *
     * @param offset the stream offset of the first byte of {@code data}
     * @param data a read-only view valid only during this call; copy what must be kept
     */
    void onCryptoData(EncryptionLevel level, long offset, ByteBuffer data);
}
