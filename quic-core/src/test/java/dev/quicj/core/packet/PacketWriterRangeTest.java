package dev.quicj.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * PacketWriter's begin methods check that {@code [start, start + room)} lies within the buffer's limit before
 * writing anything. Without the check a room past the limit failed half-way through the header with a
 * BufferOverflowException, leaving the caller's position in the middle of it (or, with the header inside the limit,
 * let finish pad and seal past the limit).
 */
class PacketWriterRangeTest {
    private static final ConnectionId CID = ConnectionId.fromHex("0102030405060708");

    private static PacketProtection protection() throws Exception {
        return CryptoProvider.nullCrypto().newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256,
                new byte[32]);
    }

    @Test
    void roomPastTheLimitIsRefusedBeforeWriting() throws Exception {
        PacketProtection p = protection();
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(200);
        b.position(3).limit(40);
        assertThrows(IndexOutOfBoundsException.class, () -> w.beginLong(b, 3, 1200, QuicVersion.V1,
                LongPacketType.INITIAL, CID, CID, null, 0, 1, p));
        assertThrows(IndexOutOfBoundsException.class, () -> w.beginShort(b, 3, 1200, CID, 0, 0, 1, p));
        assertThrows(IndexOutOfBoundsException.class, () -> w.beginShort(b, -1, 30, CID, 0, 0, 1, p));
        assertThrows(IndexOutOfBoundsException.class, () -> w.beginShort(b, 3, -1, CID, 0, 0, 1, p));
        assertEquals(3, b.position());
        assertEquals(40, b.limit());
        for (int i = 0; i < b.capacity(); i++) {
            assertEquals(0, b.array()[i], "byte " + i + " written");
        }
        // within the limit it works
        b.limit(200);
        assertTrue(w.beginShort(b, 3, 60, CID, 0, 0, 1, p));
        w.abandon();
        assertEquals(3, b.position());
    }

    /**
     * A packet number length outside 1..4 or a packet number outside [0, 2^62) is an IllegalArgumentException before
     * anything is written: it used to come from PacketNumber.write after the header was written and the position
     * moved (with a length of 0 the first byte was already 0xff).
     */
    @Test
    void aBadPacketNumberOrLengthIsRefusedBeforeWriting() throws Exception {
        PacketProtection p = protection();
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(200);
        b.position(3);
        long[][] bad = {{0, 0}, {0, 5}, {-1, 1}, {1L << 62, 4}};
        for (long[] c : bad) {
            long pn = c[0];
            int length = (int) c[1];
            assertThrows(IllegalArgumentException.class, () -> w.beginLong(b, 3, 150, QuicVersion.V1,
                    LongPacketType.INITIAL, CID, CID, null, pn, length, p), "long " + pn + "/" + length);
            assertThrows(IllegalArgumentException.class, () -> w.beginShort(b, 3, 60, CID, 0, pn, length, p),
                    "short " + pn + "/" + length);
        }
        assertEquals(3, b.position());
        for (int i = 0; i < b.capacity(); i++) {
            assertEquals(0, b.array()[i], "byte " + i + " written");
        }
        assertTrue(w.beginShort(b, 3, 60, CID, 0, (1L << 62) - 1, 4, p));
        w.abandon();
    }

    /**
     * PacketWriter.zero is public and its javadoc promises {@code b[index, index + length)} of the buffer. The direct
     * path (ByteBuffer.put) refuses a range past the limit; the heap path wrote into the backing array without a
     * check, so for a slice (non-zero array offset) a range past its end zeroed the bytes of whatever follows it in
     * the array, and a negative index the bytes before it.
     */
    @Test
    void zeroRefusesARangeOutsideTheBufferForHeapSlicesAsForDirectBuffers() {
        byte[] backing = new byte[40];
        java.util.Arrays.fill(backing, (byte) 0x77);
        ByteBuffer slice = ByteBuffer.wrap(backing).position(7).limit(17).slice();
        assertEquals(7, slice.arrayOffset());
        assertThrows(IndexOutOfBoundsException.class, () -> PacketWriter.zero(slice, 5, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> PacketWriter.zero(slice, -2, 4));
        assertThrows(IndexOutOfBoundsException.class, () -> PacketWriter.zero(slice.limit(6), 4, 4), "past the limit");
        slice.limit(10);
        for (int i = 0; i < backing.length; i++) {
            assertEquals(0x77, backing[i], "byte " + i + " of the array written");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(10);
        assertThrows(IndexOutOfBoundsException.class, () -> PacketWriter.zero(direct, 5, 10));
        // within the buffer it zeroes exactly the range
        PacketWriter.zero(slice, 2, 8);
        for (int i = 0; i < backing.length; i++) {
            assertEquals(i >= 9 && i < 17 ? 0 : 0x77, backing[i], "byte " + i);
        }
    }
}
