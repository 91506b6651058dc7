package dev.quicj.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Cases that PIT (pitest 1.20, STRONGER mutators, over the conn/wire/packet/crypto tests) found unchecked in
 * {@link PacketNumber}, {@link VarInt} and {@link ConnectionCloseFrame}. Expected values come from RFC 9000
 * (Appendix A.3 pseudo-code, §16 varint ranges, §19.19 frame layout) and the classes' documented contracts, worked out
 * by hand here.
 */
class WireMutationGapsTest {
    private static final byte SENTINEL = (byte) 0xa5;

    private static ByteBuffer sentinel(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        Arrays.fill(b.array(), SENTINEL);
        return b;
    }

    // ---------------------------------------------------------------------------------------------------------
    // PacketNumber.decode: RFC 9000 Appendix A.3, both window edges exactly

    /**
     * A.3: "if candidate_pn > expected_pn + pn_hwin and candidate_pn >= pn_win: return candidate_pn - pn_win". At
     * candidate == expected + hwin the condition is false: the candidate itself is returned. Kills the boundary
     * mutant {@code >} to {@code >=} on the upper edge (which would return 0x80 / 0x180).
     */
    @Test
    void decodeKeepsACandidateExactlyHalfAWindowAboveExpected() {
        // largest 0xff: expected 0x100, window 0x100, hwin 0x80, candidate (0x100 & ~0xff) | 0x80 = 0x180
        assertEquals(0x180, PacketNumber.decode(0x80, 1, 0xff));
        // largest 0x1ff: expected 0x200, candidate 0x280 = expected + hwin
        assertEquals(0x280, PacketNumber.decode(0x80, 1, 0x1ff));
        // two bytes: largest 0xffff, expected 0x10000, hwin 0x8000, candidate 0x18000
        assertEquals(0x18000, PacketNumber.decode(0x8000, 2, 0xffff));
        // one past the edge goes down a window
        assertEquals(0x81, PacketNumber.decode(0x81, 1, 0xff));
    }

    /**
     * A.3: "if candidate_pn <= expected_pn - pn_hwin and candidate_pn < (1 << 62) - pn_win: return candidate_pn +
     * pn_win". At candidate == expected - hwin it goes up a window.
     */
    @Test
    void decodeMovesACandidateExactlyHalfAWindowBelowExpectedUp() {
        // largest 0x17f: expected 0x180, candidate 0x100 = expected - 0x80 -> 0x200
        assertEquals(0x200, PacketNumber.decode(0x00, 1, 0x17f));
        // one above the edge stays
        assertEquals(0x101, PacketNumber.decode(0x01, 1, 0x17f));
    }

    // ---------------------------------------------------------------------------------------------------------
    // PacketNumber.write / read: the field may end exactly at the limit; a field starting before 0 is refused
    // before anything is written

    @Test
    void writeAndReadAFieldThatEndsExactlyAtTheLimit() {
        for (int len = 1; len <= 4; len++) {
            ByteBuffer b = sentinel(6);
            b.limit(2 + len);
            PacketNumber.write(b, 2, 0x0a0b0c0dL, len);
            byte[] want = Arrays.copyOfRange(Hex.decode("0a0b0c0d"), 4 - len, 4);
            assertArrayEquals(want, Arrays.copyOfRange(b.array(), 2, 2 + len), "length " + len);
            assertEquals(0x0a0b0c0dL & ((1L << (8 * len)) - 1), PacketNumber.read(b, 2, len), "length " + len);
            assertEquals(0, b.position());
        }
    }

    /** A field at index 0 is inside the buffer (kills the boundary mutants of "index < 0" in write and read). */
    @Test
    void writeAndReadAFieldAtIndexZero() {
        for (int len = 1; len <= 4; len++) {
            ByteBuffer b = sentinel(len);
            PacketNumber.write(b, 0, 0x0a0b0c0dL, len);
            assertArrayEquals(Arrays.copyOfRange(Hex.decode("0a0b0c0d"), 4 - len, 4), b.array(), "length " + len);
            assertEquals(0x0a0b0c0dL & ((1L << (8 * len)) - 1), PacketNumber.read(b, 0, len), "length " + len);
        }
    }

    /**
     * The javadoc: IndexOutOfBoundsException "if the field does not end before the buffer's limit", and nothing
     * written. A negative index with a 2-byte field would otherwise put the low byte at index 0 before failing.
     */
    @Test
    void writeOutsideTheBufferThrowsAndWritesNothing() {
        for (int len = 1; len <= 4; len++) {
            int l = len;
            ByteBuffer b = sentinel(8);
            assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.write(b, -1, 0x01020304L, l));
            assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.write(b, 9 - l, 0x01020304L, l));
            assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.read(b, -1, l));
            assertThrows(IndexOutOfBoundsException.class, () -> PacketNumber.read(b, 9 - l, l));
            for (byte x : b.array()) {
                assertEquals(SENTINEL, x, "length " + len);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // VarInt.encodeFixed4: RFC 9000 §16, the 4-byte form holds values below 2^30 only

    @Test
    void encodeFixed4TakesTheLargestFourByteValueAndRefusesTheNext() {
        ByteBuffer b = sentinel(6);
        VarInt.encodeFixed4(b, 1, (1L << 30) - 1);
        assertEquals("a5bfffffffa5", Hex.encode(b.array()));
        ByteBuffer c = sentinel(6);
        assertThrows(IllegalArgumentException.class, () -> VarInt.encodeFixed4(c, 1, 1L << 30));
        assertEquals("a5a5a5a5a5a5", Hex.encode(c.array()));
        VarInt.encodeFixed4(c, 1, 0);
        assertEquals("a580000000a5", Hex.encode(c.array()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // ConnectionCloseFrame.encode: "reason may be null when len is 0"; a bad range writes nothing

    @Test
    void encodeTakesANullReasonOfLengthZero() {
        ByteBuffer b = ByteBuffer.allocate(8);
        assertEquals(4, ConnectionCloseFrame.encode(b, CloseType.TRANSPORT, 0x0a, 0x08, null, 0, 0));
        assertEquals(3, ConnectionCloseFrame.encode(b, CloseType.APPLICATION, 0x01, 0, null, 0, 0));
        assertEquals("1c0a0800" + "1d0100", Hex.encode(b.array(), 0, b.position()));
    }

    @Test
    void encodeWithAReasonRangeOutsideTheArrayThrowsAndWritesNothing() {
        byte[] reason = {1, 2, 3};
        for (CloseType type : CloseType.values()) {
            ByteBuffer b = sentinel(32);
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ConnectionCloseFrame.encode(b, type, 1, 0, reason, 2, 5));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ConnectionCloseFrame.encode(b, type, 1, 0, reason, -1, 1));
            assertThrows(NullPointerException.class, () -> ConnectionCloseFrame.encode(b, type, 1, 0, null, 0, 1));
            // an empty range must still lie within the array ("off and len do not select a range of reason")
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ConnectionCloseFrame.encode(b, type, 1, 0, reason, 4, 0));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ConnectionCloseFrame.encode(b, type, 1, 0, reason, -1, 0));
            assertEquals(0, b.position(), type.name());
            for (byte x : b.array()) {
                assertEquals(SENTINEL, x, type.name());
            }
        }
    }
}
