package dev.quicj.core.tls;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;

/**
 * Bounds-checked readers for the TLS presentation language (big-endian integers and length-prefixed vectors,
 * <a href="https://www.rfc-editor.org/rfc/rfc8446#section-3">RFC 8446 §3</a>) and the error factories of this
 * package. Every read checks the remaining bytes first, so a short buffer becomes a stackless {@link QuicException}
 * carrying CRYPTO_ERROR(decode_error), never a {@link java.nio.BufferUnderflowException}. Vectors are returned as
 * slices of the source (no copy); the source position moves past them.
 */
final class TlsWire {
    /** SSL 3.0's version number: a Hello whose legacy_version is this or less is refused (RFC 8446 Appendix D.5). */
    private static final int SSL_3_0 = 0x0300;

    private TlsWire() {
    }

    /**
     * A TLS alert as a QUIC error: CRYPTO_ERROR {@code 0x0100 + alert}
     * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-4.8">RFC 9001 §4.8</a>), blamed on the CRYPTO frames
     * that carried the handshake.
     */
    static QuicException alert(int alert, String message) {
        return QuicException.stackless(TransportErrorCode.cryptoError(alert), FrameType.CRYPTO, message);
    }

    /**
     * RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version or
     * ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a "protocol_version" alert" (and so
     * below it).
     *
     * @param hello "ClientHello" or "ServerHello", for the message
     */
    static void checkLegacyVersion(int legacyVersion, String hello) throws QuicException {
        if (legacyVersion <= SSL_3_0) {
            throw alert(TlsCodepoints.ALERT_PROTOCOL_VERSION, String.format(
                    "%s legacy_version 0x%04x: 0x0300 or less is refused", hello, legacyVersion));
        }
    }

    /** CRYPTO_ERROR(decode_error): a field out of range or a length that does not match. */
    static QuicException decodeError(String message) {
        return alert(TlsCodepoints.ALERT_DECODE_ERROR, message);
    }

    /** CRYPTO_ERROR(illegal_parameter): well formed but not allowed. */
    static QuicException illegalParameter(String message) {
        return alert(TlsCodepoints.ALERT_ILLEGAL_PARAMETER, message);
    }

    /** TRANSPORT_PARAMETER_ERROR (RFC 9000 §7.4). */
    static QuicException transportParameter(String message) {
        return QuicException.stackless(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, FrameType.CRYPTO, message);
    }

    static void need(ByteBuffer src, int length, String what) throws QuicException {
        if (src.remaining() < length) {
            throw decodeError(what + " truncated: needs " + length + " bytes, " + src.remaining() + " left");
        }
    }

    static int u8(ByteBuffer src, String what) throws QuicException {
        need(src, 1, what);
        return src.get() & 0xff;
    }

    static int u16(ByteBuffer src, String what) throws QuicException {
        need(src, 2, what);
        // byte by byte: TLS is big-endian (RFC 8446 §3) whatever the caller's buffer order
        return (src.get() & 0xff) << 8 | (src.get() & 0xff);
    }

    static int u24(ByteBuffer src, String what) throws QuicException {
        need(src, 3, what);
        return (src.get() & 0xff) << 16 | (src.get() & 0xff) << 8 | (src.get() & 0xff);
    }

    /** Reads {@code length} bytes as a slice and advances past them. */
    static ByteBuffer bytes(ByteBuffer src, int length, String what) throws QuicException {
        need(src, length, what);
        ByteBuffer slice = src.slice();
        slice.limit(length);
        src.position(src.position() + length);
        return slice;
    }

    /** A vector with a one-byte length prefix: {@code opaque x<0..2^8-1>}. */
    static ByteBuffer vector8(ByteBuffer src, String what) throws QuicException {
        return bytes(src, u8(src, what + " length"), what);
    }

    /** A vector with a two-byte length prefix: {@code opaque x<0..2^16-1>}. */
    static ByteBuffer vector16(ByteBuffer src, String what) throws QuicException {
        return bytes(src, u16(src, what + " length"), what);
    }

    /** A copy of all remaining bytes of {@code src}; moves its position to the limit. */
    static byte[] toArray(ByteBuffer src) {
        byte[] out = new byte[src.remaining()];
        src.get(out);
        return out;
    }

    /** Throws decode_error unless {@code src} has been read to its end. */
    static void end(ByteBuffer src, String what) throws QuicException {
        if (src.hasRemaining()) {
            throw decodeError(what + " has " + src.remaining() + " unexpected trailing bytes");
        }
    }

    /** Writes a 24-bit big-endian length at absolute {@code index}. */
    static void put24(ByteBuffer dst, int index, int value) {
        dst.put(index, (byte) (value >>> 16));
        dst.putShort(index + 1, (short) value);
    }
}
