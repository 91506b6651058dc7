package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;

/**
 * Receives the peer's CRYPTO stream of each encryption level, in order and without gaps: the seam a TLS layer plugs
 * into (RFC 9001 §4.1.3). It is called from {@link QuicConnection#receive}, while a packet's frames are being applied:
 * it may install keys, queue CRYPTO data, report the handshake complete or close the connection, but not hand the
 * connection another datagram ({@code receive} then throws {@code IllegalStateException}). An exception it throws
 * leaves {@code receive}; the connection should then be closed (the Netty handler closes it with INTERNAL_ERROR).
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
