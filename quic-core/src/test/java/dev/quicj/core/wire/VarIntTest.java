package dev.quicj.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VarIntTest {
    private static final byte SENTINEL = 0x2a;

    /** Each boundary of RFC 9000 §16 with its minimal encoding: 2MSB prefix 00/01/10/11 then the value bits. */
    @ParameterizedTest
    @CsvSource({
        "0,                   00",
        "37,                  25",                // RFC 9000 A.1 example
        "63,                  3f",                // largest 1-byte value
        "64,                  4040",              // smallest 2-byte value
        "15293,               7bbd",              // RFC 9000 A.1 example
        "16383,               7fff",              // largest 2-byte value
        "16384,               80004000",          // smallest 4-byte value
        "494878333,           9d7f3e7d",          // RFC 9000 A.1 example
        "1073741823,          bfffffff",          // 2^30 - 1, largest 4-byte value
        "1073741824,          c000000040000000",  // 2^30, smallest 8-byte value
        "151288809941952652,  c2197c5eff14e88c",  // RFC 9000 A.1 example
        "4611686018427387903, ffffffffffffffff",  // 2^62 - 1, VarInt.MAX_VALUE
    })
    void encodesMinimallyAndDecodesBackAtEveryBoundary(long value, String hex) throws QuicException {
        byte[] expected = Hex.decode(hex);
        assertEquals(expected.length, VarInt.encodedLength(value));

        ByteBuffer relative = sentinelBuffer(expected.length + 2);
        relative.position(1);
        assertEquals(expected.length, VarInt.encode(relative, value));
        assertEquals(1 + expected.length, relative.position());
        assertBytes(relative, 1, expected);

        ByteBuffer absolute = sentinelBuffer(expected.length + 2);
        assertEquals(expected.length, VarInt.encode(absolute, 1, value));
        assertEquals(0, absolute.position());
        assertBytes(absolute, 1, expected);

        // network byte order whatever the buffer's byte order
        ByteBuffer little = sentinelBuffer(expected.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        little.position(1);
        VarInt.encode(little, value);
        assertBytes(little, 1, expected);
        ByteBuffer littleAbsolute = sentinelBuffer(expected.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        VarInt.encode(littleAbsolute, 1, value);
        assertBytes(littleAbsolute, 1, expected);
        ByteBuffer littleSrc = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(value, VarInt.decode(littleSrc, 0));
        assertEquals(value, VarInt.decode(littleSrc));

        ByteBuffer src = ByteBuffer.wrap(expected);
        assertEquals(expected.length, VarInt.lengthOf(expected[0]));
        assertEquals(value, VarInt.decode(src, 0));
        assertTrue(VarInt.isMinimal(src, 0));
        assertEquals(value, VarInt.read(src, 0, FrameType.PING));
        assertEquals(0, src.position());
        assertEquals(value, VarInt.decode(src));
        assertEquals(expected.length, src.position());
        src.position(0);
        assertEquals(value, VarInt.read(src, FrameType.PING));
        assertEquals(expected.length, src.position());
    }

    @Test
    void maxValueIsTwoToTheSixtyTwoMinusOne() {
        assertEquals(4_611_686_018_427_387_903L, VarInt.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE, 1L << 62, Long.MAX_VALUE})
    void rejectsValuesOutsideTheRange(long value) {
        assertThrows(IllegalArgumentException.class, () -> VarInt.encodedLength(value));
        ByteBuffer dst = sentinelBuffer(8);
        assertThrows(IllegalArgumentException.class, () -> VarInt.encode(dst, value));
        assertThrows(IllegalArgumentException.class, () -> VarInt.encode(dst, 0, value));
        assertEquals(0, dst.position());
        assertBytes(dst, 0, new byte[] {SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL});
    }

    /** RFC 9000 A.1: "the single byte 0x25 decodes to 37 (as does the two-byte sequence 0x4025)". */
    @ParameterizedTest
    @CsvSource({
        "4025,             37",
        "80000025,         37",
        "c000000000000025, 37",
        "4000,             0",
        "c000000000000000, 0",
        "8000003f,         63",
        "c000000000003fff, 16383",
    })
    void decodesNonMinimalEncodings(String hex, long value) throws QuicException {
        ByteBuffer src = ByteBuffer.wrap(Hex.decode(hex));
        assertEquals(value, VarInt.read(src, 0, FrameType.ACK));
        assertFalse(VarInt.isMinimal(src, 0));
        assertEquals(value, VarInt.read(src, FrameType.ACK));
        assertEquals(src.limit(), src.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "40", "7f", "80", "80ffff", "c0", "c0ffffffffffff", "ffffffffffffff"})
    void truncatedInputIsFrameEncodingError(String hex) {
        ByteBuffer src = ByteBuffer.wrap(Hex.decode(hex));
        QuicException relative = assertThrows(QuicException.class, () -> VarInt.read(src, FrameType.CRYPTO));
        assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, relative.errorCode());
        assertEquals(FrameType.CRYPTO, relative.frameType());
        assertEquals(0, src.position());
        QuicException absolute = assertThrows(QuicException.class, () -> VarInt.read(src, 0, FrameType.NEW_TOKEN));
        assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, absolute.errorCode());
        assertEquals(FrameType.NEW_TOKEN, absolute.frameType());
        assertEquals(0, absolute.getStackTrace().length, "receive-path exceptions are stackless");
        // an empty buffer too: the documented exception, not the first byte's absolute read
        assertThrows(BufferUnderflowException.class, () -> VarInt.decode(src));
        assertEquals(0, src.position());
        assertThrows(IndexOutOfBoundsException.class, () -> VarInt.decode(src, 0));
    }

    @Test
    void readStopsAtTheLimitNotTheCapacity() {
        ByteBuffer src = ByteBuffer.wrap(Hex.decode("4025 00"));
        src.limit(1);
        assertThrows(QuicException.class, () -> VarInt.read(src, 0, FrameType.PING));
        assertThrows(QuicException.class, () -> VarInt.read(src, FrameType.PING));
        assertThrows(QuicException.class, () -> VarInt.read(src, 1, FrameType.PING));
        assertThrows(QuicException.class, () -> VarInt.read(src, -1, FrameType.PING));
    }

    @Test
    void encodeFixed4WritesTheFourByteFormAndRejectsWhatDoesNotFit() {
        ByteBuffer dst = sentinelBuffer(6);
        VarInt.encodeFixed4(dst, 1, 0x494);
        assertBytes(dst, 0, Hex.decode("2a 80000494 2a"));
        assertEquals(0, dst.position());
        VarInt.encodeFixed4(dst, 1, (1L << 30) - 1);
        assertBytes(dst, 0, Hex.decode("2a bfffffff 2a"));
        ByteBuffer little = sentinelBuffer(6).order(ByteOrder.LITTLE_ENDIAN);
        VarInt.encodeFixed4(little, 1, 0x494);
        assertBytes(little, 0, Hex.decode("2a 80000494 2a"));
        assertThrows(IllegalArgumentException.class, () -> VarInt.encodeFixed4(dst, 1, 1L << 30));
        assertThrows(IllegalArgumentException.class, () -> VarInt.encodeFixed4(dst, 1, -1));
    }

    @Test
    void encodeIntoTooSmallBufferThrowsOverflow() {
        ByteBuffer dst = ByteBuffer.allocate(1);
        assertThrows(java.nio.BufferOverflowException.class, () -> VarInt.encode(dst, 64));
    }

    static ByteBuffer sentinelBuffer(int capacity) {
        byte[] bytes = new byte[capacity];
        java.util.Arrays.fill(bytes, SENTINEL);
        return ByteBuffer.wrap(bytes);
    }

    static void assertBytes(ByteBuffer buffer, int index, byte[] expected) {
        byte[] actual = new byte[buffer.capacity()];
        buffer.get(0, actual);
        byte[] want = actual.clone();
        System.arraycopy(expected, 0, want, index, expected.length);
        assertArrayEquals(want, actual, () -> "expected " + Hex.encode(want) + " but was " + Hex.encode(actual));
    }
}
