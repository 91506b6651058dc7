package dev.quicj.core.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * QUIC's multi-byte fields are big-endian (RFC 9000 §1.3), while {@code ByteBuffer}'s {@code getShort/Int/Long} and
 * {@code putShort/Int/Long} follow whatever byte order the caller gave the buffer. {@code convert(buffer, value)}
 * turns a value read through {@code buffer} into the field's value, and a field's value into what to put through
 * {@code buffer}: the identity for a big-endian buffer, a byte swap for a little-endian one. The caller's byte order
 * is left as it is.
 */
public final class NetworkOrder {
    private NetworkOrder() {
    }

    public static short convert(ByteBuffer b, short v) {
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v);
    }

    public static int convert(ByteBuffer b, int v) {
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    public static long convert(ByteBuffer b, long v) {
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }
}
