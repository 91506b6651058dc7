package dev.quicj.core.wire;

import static dev.quicj.core.wire.VarIntTest.assertBytes;
import static dev.quicj.core.wire.VarIntTest.sentinelBuffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PacketNumberTest {

    @Test
    void maxIsTwoToTheSixtyTwoMinusOne() {
        assertEquals((1L << 62) - 1, PacketNumber.MAX);
    }

    /** close-spec §8.2 E22, then RFC 9000 A.2's two examples, then each threshold of ngtcp2's rule. */
    @ParameterizedTest
    @CsvSource({
        "0,        -1,       1",
        "127,      -1,       1",   // d = 128, m = 255
        "128,      -1,       2",   // d = 129, m = 257
        "40000,    -1,       3",   // d = 40001, m = 80001 > 0xffff
        "1000000,  999990,   1",   // d = 10, m = 19
        "11295746, 11266227, 2",   // 0xac5c02 after 0xabe8b3: d = 29519, m = 59037 = 0xe69d
        "11331838, 11266227, 3",   // 0xace8fe after 0xabe8b3: d = 65611, m = 131221 = 0x20095
        "32767,    -1,       2",   // d = 32768, m = 65535 = 0xffff
        "32768,    -1,       3",   // d = 32769, m = 65537
        "8388607,  -1,       3",   // d = 2^23, m = 0xffffff
        "8388608,  -1,       4",   // d = 2^23 + 1, m = 0x1000001
        "4611686018427387903, -1, 4",                   // pn 2^62 - 1, d = 2^62 > (2^62 - 1) / 2
        "4611686018427387903, 4611686018427387902, 1",  // pn 2^62 - 1 right after its predecessor was acked
        "2305843009213693951, -1, 4",                   // d = 2^61 > (2^62 - 1) / 2 = 2^61 - 1
    })
    void encodedLengthFollowsNgtcp2(long packetNumber, long largestAcked, int expected) {
        assertEquals(expected, PacketNumber.encodedLength(packetNumber, largestAcked));
    }

    @Test
    void encodedLengthRejectsImpossibleStates() {
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.encodedLength(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.encodedLength(1L << 62, -1));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.encodedLength(5, -2));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.encodedLength(5, 5));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.encodedLength(5, 6));
    }

    @ParameterizedTest
    @CsvSource({
        // truncated, length, largest received, expected
        "0x9b32,  2, 0xa82f30ea, 0xa82f9b32",   // RFC 9000 A.3 example
        "0x00,    1, -1,         0x00",         // first packet
        "0x7f,    1, -1,         0x7f",
        "0xff,    1, -1,         0xff",         // no wrap below 0
        "0x00,    1, 0xff,       0x100",        // wraps forward
        "0xff,    1, 0x100,      0xff",         // wraps back
        "0x80,    1, 0xff,       0x180",        // expected + half window is still ahead
        "0x7f,    1, 0xff,       0x17f",
        "0x81,    1, 0x100,      0x181",
        "0x82,    1, 0x101,      0x182",
        "0x01,    1, 0x180,      0x201",
        "0x0001,  2, 0xfffe,     0x10001",
        "0xffffff, 3, 0x1000000,  0xffffff",
        "0x00000000, 4, 0xffffffff, 0x100000000",
        "0xffffffff, 4, 0x3fffffff00000000, 0x3ffffffeffffffff",
    })
    void decodeFollowsAppendixA3(String truncated, int length, String largest, String expected) {
        assertEquals(Long.decode(expected), PacketNumber.decode(Long.decode(truncated), length, Long.decode(largest)));
    }

    @Test
    void decodeNearTheTopOfTheSpace() {
        // The largest packet number itself, after its predecessor.
        assertEquals(PacketNumber.MAX, PacketNumber.decode(0xff, 1, PacketNumber.MAX - 1));
        // A candidate above 2^62 - 1 that cannot be moved down stays there, as in the RFC's algorithm.
        assertEquals(1L << 62, PacketNumber.decode(0x00, 1, PacketNumber.MAX));
        assertEquals((1L << 62) + 1, PacketNumber.decode(0x01, 1, PacketNumber.MAX));
        // Expected 2^62 - 1, candidate 2^62 - 256 is a window behind, but moving it up would reach 2^62: kept.
        assertEquals((1L << 62) - 256, PacketNumber.decode(0x00, 1, PacketNumber.MAX - 1));
    }

    @Test
    void decodeRejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(0, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(0x100, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(-1, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(0, 1, -2));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.decode(0, 1, 1L << 62));
    }

    @Test
    void writeAndReadTheLowBytesInNetworkOrder() {
        long pn = 0xa82f9b32L;
        String[] expected = {"32", "9b32", "2f9b32", "a82f9b32"};
        for (int length = 1; length <= 4; length++) {
            ByteBuffer dst = sentinelBuffer(length + 2);
            PacketNumber.write(dst, 1, pn, length);
            assertEquals(0, dst.position());
            assertBytes(dst, 1, Hex.decode(expected[length - 1]));
            assertEquals(pn & ((1L << (8 * length)) - 1), PacketNumber.read(dst, 1, length));
            assertEquals(pn, PacketNumber.decode(PacketNumber.read(dst, 1, length), length, pn - 1));
        }
    }

    @Test
    void writeAndReadRejectBadArguments() {
        ByteBuffer dst = sentinelBuffer(4);
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.write(dst, 0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.write(dst, 0, 1L << 62, 4));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.write(dst, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.write(dst, 0, 1, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.write(dst, 1, 1, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.write(dst, -1, 1, 1));
        assertBytes(dst, 0, Hex.decode("2a2a2a2a"));
        dst.limit(3);
        assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.read(dst, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> PacketNumber.read(dst, 0, 0));
    }
}
