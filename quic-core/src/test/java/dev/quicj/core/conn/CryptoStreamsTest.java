package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reassembly of the incoming CRYPTO stream (RFC 9000 §19.6) and its buffer limit (RFC 9001 §4.1.3). */
class CryptoStreamsTest {
    private static final int MAX = 4096;

    /** The stream's bytes: byte i is (i * 31 + 7) mod 256, so a misplaced byte shows. */
    private static byte[] stream(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static final class Collector implements CryptoDataListener {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void onCryptoData(EncryptionLevel level, long offset, ByteBuffer data) {
            assertEquals(bytes.size(), offset, "delivered in order, without gaps or repeats");
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.write(b, 0, b.length);
        }
    }

    /**
     * Hands the frame [offset, offset + length) of {@code stream} to {@code s}, from inside a larger datagram, as a
     * packet of its own.
     */
    private static void frame(CryptoStreams s, byte[] stream, int offset, int length, Collector c)
            throws QuicException {
        packet(s, stream, c, new int[] {offset, length});
    }

    /**
     * Hands one packet's frames ({offset, length} each) to {@code s} as {@link PacketReceiver} does: every frame
     * checked, then every frame applied; a refused frame aborts the packet.
     */
    private static void packet(CryptoStreams s, byte[] stream, Collector c, int[]... frames) throws QuicException {
        ByteBuffer[] data = new ByteBuffer[frames.length];
        for (int i = 0; i < frames.length; i++) {
            data[i] = ByteBuffer.allocate(frames[i][1] + 10);
            data[i].position(5);
            data[i].put(stream, frames[i][0], frames[i][1]);
        }
        s.beginPacket();
        try {
            for (int i = 0; i < frames.length; i++) {
                s.check(frames[i][0], data[i], 5, frames[i][1]);
            }
        } catch (QuicException e) {
            s.abortPacket();
            throw e;
        }
        for (int i = 0; i < frames.length; i++) {
            s.receive(frames[i][0], data[i], 5, frames[i][1], c);
        }
    }

    private static long cost(CryptoStreams s) {
        return s.bufferedBytes() + (long) s.bufferedSegments() * CryptoStreams.SEGMENT_OVERHEAD;
    }

    /**
     * One packet of 200 one-byte frames, each out of order: each frame alone is within the bound, but checked against
     * the stream as it was before the packet they were all taken, 13 000 bytes of cost against a bound of 8 192. The
     * check counts what the packet's earlier frames buffer: the packet is refused and leaves nothing behind.
     */
    @Test
    void onePacketOfTinyOutOfOrderFramesCountsItsOwnFramesAgainstTheBound() throws QuicException {
        CryptoStreams s = new CryptoStreams(EncryptionLevel.INITIAL, MAX);
        byte[] stream = stream(MAX);
        Collector c = new Collector();
        frame(s, stream, 1000, 10, c);
        long before = cost(s);
        int[][] frames = new int[200][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new int[] {2 * (i + 1), 1};
        }
        QuicException e = assertThrows(QuicException.class, () -> packet(s, stream, c, frames));
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, e.errorCode());
        assertEquals(before, cost(s), "the refused packet's frames were all dropped");
        assertEquals(10, s.bufferedBytes());
        // a packet of frames that fit is taken whole
        int[][] fewer = java.util.Arrays.copyOf(frames, 100);
        packet(s, stream, c, fewer);
        assertEquals(110, s.bufferedBytes());
        assertTrue(cost(s) <= 2L * MAX);
    }

    /**
     * A retransmission of the stream's start and new data in one packet: applied in order, the first frame delivers
     * everything buffered, so the second is well inside the window, though not inside the window as it was before
     * the packet.
     */
    @Test
    void aFrameIsCheckedAgainstWhatThePacketsEarlierFramesDeliver() throws QuicException {
        CryptoStreams s = new CryptoStreams(EncryptionLevel.INITIAL, MAX);
        byte[] stream = stream(3 * MAX);
        Collector c = new Collector();
        frame(s, stream, 1000, 1100, c);
        frame(s, stream, 2100, 1100, c);
        frame(s, stream, 3200, 800, c);
        assertEquals(0, c.bytes.size());
        packet(s, stream, c, new int[] {0, 1000}, new int[] {4000, 150});
        assertArrayEquals(java.util.Arrays.copyOf(stream, 4150), c.bytes.toByteArray());
        assertEquals(0, s.bufferedSegments());
        // the frames in the other order: the later one is buffered first, then delivered by the earlier one
        packet(s, stream, c, new int[] {4300, 200}, new int[] {4150, 150});
        assertArrayEquals(java.util.Arrays.copyOf(stream, 4500), c.bytes.toByteArray());
        // and a packet whose window is the one after its earlier frames, but not beyond it
        QuicException e = assertThrows(QuicException.class,
                () -> packet(s, stream, c, new int[] {4500, 10}, new int[] {4510 + MAX - 9, 10}));
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, e.errorCode());
        assertEquals(4500, c.bytes.size(), "a refused packet delivers nothing");
        assertEquals(0, s.bufferedSegments());
    }

    /**
     * A peer sending overlapping frames at ever new offsets inside the window: each one used to be kept whole, so a
     * few thousand 1 100-byte frames held megabytes. Now every byte is buffered once, and frames that each add a
     * hundred new bytes are all taken.
     */
    @Test
    void overlappingFramesAreBufferedOnceEach() throws QuicException {
        CryptoStreams s = new CryptoStreams(EncryptionLevel.INITIAL, MAX);
        byte[] stream = stream(MAX);
        Collector c = new Collector();
        int frames = 0;
        for (int offset = 1; offset + 1100 <= MAX; offset += 100) {
            frame(s, stream, offset, 1100, c);
            frames++;
        }
        assertEquals(30, frames);
        assertEquals(4000, s.bufferedBytes(), "bytes 1 to 4000, the end of the last frame, once each");
        assertEquals(0, c.bytes.size(), "nothing deliverable before byte 0");
        frame(s, stream, 0, 1, c);
        frame(s, stream, 4000, MAX - 4000, c);
        assertArrayEquals(stream, c.bytes.toByteArray());
        assertEquals(0, s.bufferedBytes());
        assertEquals(0, s.bufferedSegments());
    }

    /**
     * Frames cut so that each adds one new byte: without a bound on the pieces, 20 000 such Initials held about
     * 1.4 MB of map entries for 20 KB of data. The buffer's cost (bytes plus SEGMENT_OVERHEAD per piece) stays within
     * twice the window: past it the frame is CRYPTO_BUFFER_EXCEEDED, before anything is applied.
     */
    @Test
    void framesAddingAByteEachEndInCryptoBufferExceeded() throws QuicException {
        CryptoStreams s = new CryptoStreams(EncryptionLevel.INITIAL, MAX);
        byte[] stream = stream(MAX);
        Collector c = new Collector();
        QuicException refused = null;
        int offset = 1;
        for (; offset + 1100 <= MAX; offset++) {
            try {
                frame(s, stream, offset, 1100, c);
            } catch (QuicException e) {
                refused = e;
                break;
            }
            assertTrue(s.bufferedBytes() + (long) s.bufferedSegments() * CryptoStreams.SEGMENT_OVERHEAD <= 2L * MAX);
        }
        assertTrue(refused != null, "refused before the window was walked byte by byte");
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, refused.errorCode());
        int segments = s.bufferedSegments();
        assertTrue(segments < 2 * MAX / CryptoStreams.SEGMENT_OVERHEAD, segments + " segments");
        // the refused frame changed nothing, and the data held so far is still right
        assertEquals(1100 + offset - 2, s.bufferedBytes());
        frame(s, stream, 0, 1, c);
        assertArrayEquals(java.util.Arrays.copyOf(stream, 1100 + offset - 1), c.bytes.toByteArray());
    }

    /** Frames of random offsets and lengths, overlapping, repeated and out of order, give the stream exactly once. */
    @Test
    void randomOverlappingFramesReassembleTheStream() throws QuicException {
        SplittableRandom random = new SplittableRandom(0xc4ce);
        for (int round = 0; round < 200; round++) {
            CryptoStreams s = new CryptoStreams(EncryptionLevel.HANDSHAKE, MAX);
            byte[] stream = stream(3 * MAX);
            Collector c = new Collector();
            int guard = 0;
            while (c.bytes.size() < stream.length && guard++ < 100_000) {
                long delivered = s.delivered();
                int offset = (int) Math.min(stream.length - 1, delivered + random.nextInt(-200, MAX - 1));
                offset = Math.max(0, offset);
                int room = (int) Math.min(stream.length, delivered + MAX) - offset;
                if (room <= 0) {
                    continue;
                }
                frame(s, stream, offset, random.nextInt(1, Math.min(room, 1400) + 1), c);
                assertTrue(s.bufferedBytes() <= MAX, "buffered " + s.bufferedBytes());
            }
            assertArrayEquals(stream, c.bytes.toByteArray(), "round " + round);
        }
    }

    @Test
    void dataBeyondTheWindowIsCryptoBufferExceeded() {
        CryptoStreams s = new CryptoStreams(EncryptionLevel.INITIAL, MAX);
        s.beginPacket();
        QuicException e = assertThrows(QuicException.class, () -> s.check(MAX - 10, ByteBuffer.allocate(11), 0, 11));
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, e.errorCode());
    }
}
