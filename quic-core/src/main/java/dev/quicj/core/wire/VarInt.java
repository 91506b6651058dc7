package dev.quicj.core.wire;

import dev.quicj.core.QuicException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * QUIC variable-length integers (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-16">RFC 9000 §16</a>).
 *
 * <pre>
 * 2MSB | Length | Usable Bits | Range
 *  00  |   1    |      6      | 0-63
 *  01  |   2    |     14      | 0-16383
 *  10  |   4    |     30      | 0-1073741823
 *  11  |   8    |     62      | 0-4611686018427387903
 * </pre>
 *
 * <p>Encoders always write the minimal length, except {@link #encodeFixed4} which exists for the 4-byte Length
 * field of long headers. Decoders accept any length (non-minimal encodings are legal on the wire). Values are
 * {@code long}; encoding a value outside [0, 2^62) is a caller bug and throws {@link IllegalArgumentException}.
 * All methods use network byte order and never retain the buffer.
 */
public final class VarInt {
    /** The largest encodable value, {@code 2^62 - 1}. */
    public static final long MAX_VALUE = (1L << 62) - 1;

    private VarInt() {
    }

    /**
     * The number of bytes the minimal encoding of {@code value} takes: 1, 2, 4 or 8.
     *
     * @throws IllegalArgumentException if {@code value} is outside [0, 2^62)
     */
    public static int encodedLength(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varint value is negative: " + value);
        }
        if (value < (1L << 6)) {
            return 1;
        }
        if (value < (1L << 14)) {
            return 2;
        }
        if (value < (1L << 30)) {
            return 4;
        }
        if (value <= MAX_VALUE) {
            return 8;
        }
        throw new IllegalArgumentException("varint value is 2^62 or more: " + value);
    }

    /** The encoded length announced by the first byte of a varint: 1, 2, 4 or 8. */
    public static int lengthOf(byte firstByte) {
        return 1 << ((firstByte & 0xff) >>> 6);
    }

    /**
     * Writes the minimal encoding of {@code value} at the buffer's position and advances it.
     *
     * @return the number of bytes written
     * @throws IllegalArgumentException if {@code value} is outside [0, 2^62)
     * @throws java.nio.BufferOverflowException if the buffer has too little room
     */
    public static int encode(ByteBuffer dst, long value) {
        int len = encodedLength(value);
        switch (len) {
            case 1:
                dst.put((byte) value);
                break;
            case 2:
                dst.putShort(NetworkOrder.convert(dst, (short) (value | 0x4000)));
                break;
            case 4:
                dst.putInt(NetworkOrder.convert(dst, (int) (value | 0x8000_0000L)));
                break;
            default:
                dst.putLong(NetworkOrder.convert(dst, value | 0xc000_0000_0000_0000L));
                break;
        }
        return len;
    }

    /**
     * Writes the minimal encoding of {@code value} at absolute index {@code index}, without moving the position.
     *
     * @return the number of bytes written
     */
    public static int encode(ByteBuffer dst, int index, long value) {
        int len = encodedLength(value);
        switch (len) {
            case 1:
                dst.put(index, (byte) value);
                break;
            case 2:
                dst.putShort(index, NetworkOrder.convert(dst, (short) (value | 0x4000)));
                break;
            case 4:
                dst.putInt(index, NetworkOrder.convert(dst, (int) (value | 0x8000_0000L)));
                break;
            default:
                dst.putLong(index, NetworkOrder.convert(dst, value | 0xc000_0000_0000_0000L));
                break;
        }
        return len;
    }

    /**
     * Writes {@code value} in the 4-byte form ({@code 0b10} prefix) at absolute {@code index}, as ngtcp2 does for
     * the Length field of long headers.
     *
     * @throws IllegalArgumentException if {@code value} is outside [0, 2^30)
     */
    public static void encodeFixed4(ByteBuffer dst, int index, long value) {
        if (value < 0 || value >= (1L << 30)) {
            throw new IllegalArgumentException("value does not fit a 4-byte varint: " + value);
        }
        dst.putInt(index, NetworkOrder.convert(dst, (int) (value | 0x8000_0000L)));
    }

    /**
     * Reads a varint at the buffer's position and advances past it.
     *
     * @throws BufferUnderflowException if the buffer ends inside the varint
     */
    public static long decode(ByteBuffer src) {
        if (!src.hasRemaining()) {
            throw new BufferUnderflowException();
        }
        int first = src.get(src.position()) & 0xff;
        switch (first >>> 6) {
            case 0:
                return src.get() & 0x3f;
            case 1:
                return NetworkOrder.convert(src, src.getShort()) & 0x3fff;
            case 2:
                return NetworkOrder.convert(src, src.getInt()) & 0x3fff_ffffL;
            default:
                return NetworkOrder.convert(src, src.getLong()) & MAX_VALUE;
        }
    }

    /**
     * Reads the varint that starts at absolute {@code index}, without moving the position.
     *
     * @throws IndexOutOfBoundsException if the varint does not end before the buffer's limit
     */
    public static long decode(ByteBuffer src, int index) {
        int first = src.get(index) & 0xff;
        switch (first >>> 6) {
            case 0:
                return first;
            case 1:
                return NetworkOrder.convert(src, src.getShort(index)) & 0x3fff;
            case 2:
                return NetworkOrder.convert(src, src.getInt(index)) & 0x3fff_ffffL;
            default:
                return NetworkOrder.convert(src, src.getLong(index)) & MAX_VALUE;
        }
    }

    /**
     * Reads the varint that starts at absolute {@code index}, without moving the position, turning an encoding that
     * does not end before the buffer's limit into a typed protocol error. The caller advances by
     * {@link #lengthOf(byte) lengthOf(src.get(index))}.
     *
     * @param frameType the frame being decoded, reported in the exception
     * @throws QuicException FRAME_ENCODING_ERROR if {@code index} is at or past the limit or the limit cuts the varint
     */
    public static long read(ByteBuffer src, int index, long frameType) throws QuicException {
        int limit = src.limit();
        if (index < 0 || index >= limit || limit - index < lengthOf(src.get(index))) {
            throw QuicException.frameEncoding(frameType, "truncated variable-length integer");
        }
        return decode(src, index);
    }

    /**
     * Whether the varint at absolute {@code index} uses the shortest encoding of its value. Frame types must
     * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-12.4">RFC 9000 §12.4</a>); other fields need not.
     *
     * @throws IndexOutOfBoundsException if the varint does not end before the buffer's limit
     */
    public static boolean isMinimal(ByteBuffer src, int index) {
        return lengthOf(src.get(index)) == encodedLength(decode(src, index));
    }

    /**
     * Reads a varint at the buffer's position and advances past it, turning a truncated encoding into a typed
     * protocol error.
     *
     * @param frameType the frame being decoded, reported in the exception
     * @throws QuicException FRAME_ENCODING_ERROR if the buffer ends inside the varint
     */
    public static long read(ByteBuffer src, long frameType) throws QuicException {
        if (!src.hasRemaining() || src.remaining() < lengthOf(src.get(src.position()))) {
            throw QuicException.frameEncoding(frameType, "truncated variable-length integer");
        }
        return decode(src);
    }
}
