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

    /** Hands the frame [offset, offset + length) of {@code stream} to {@code s}, from inside a larger datagram. */
    private static void frame(CryptoStreams s, byte[] stream, int offset, int length, Collector c)
            throws QuicException {
        s.check(offset, length);
        ByteBuffer dg = ByteBuffer.allocate(length + 10);
        dg.position(5);
        dg.put(stream, offset, length);
        s.receive(offset, dg, 5, length, c);
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
        QuicException e = assertThrows(QuicException.class, () -> s.check(MAX - 10, 11));
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, e.errorCode());
    }
}
