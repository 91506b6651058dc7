package dev.quicj.core.tls;

import java.nio.ByteBuffer;

/**
 * One complete TLS handshake message, as {@link TlsHandshakeReader} cuts it out of the CRYPTO stream
 * (<a href="https://www.rfc-editor.org/rfc/rfc8446#section-4">RFC 8446 §4</a>). Immutable.
 *
 * <pre>
 * struct {
 *     HandshakeType msg_type;    1 byte
 *     uint24 length;             bytes in body
 *     select (msg_type) { ... } body;
 * } Handshake;
 * </pre>
 */
public final class HandshakeMessage {
    /** The length of the {@code msg_type} and {@code length} fields. */
    public static final int HEADER_LENGTH = 4;

    private final byte[] encoded;

    HandshakeMessage(byte[] encoded) {
        this.encoded = encoded;
    }

    /** The {@code msg_type}, 0..255, such as {@link TlsCodepoints#CLIENT_HELLO}. */
    public int type() {
        return encoded[0] & 0xff;
    }

    /** The length of the body. */
    public int bodyLength() {
        return encoded.length - HEADER_LENGTH;
    }

    /** The body; a fresh copy. */
    public byte[] body() {
        byte[] body = new byte[bodyLength()];
        System.arraycopy(encoded, HEADER_LENGTH, body, 0, body.length);
        return body;
    }

    /** The whole message, header included; a fresh copy. */
    public byte[] encode() {
        return encoded.clone();
    }

    /** A read-only view of the whole message, header included, positioned at its start. */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(encoded).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "HandshakeMessage{type=" + type() + ", bodyLength=" + bodyLength() + "}";
    }
}
