package dev.quicj.core.wire;

import static dev.quicj.core.wire.VarIntTest.assertBytes;
import static dev.quicj.core.wire.VarIntTest.sentinelBuffer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionCloseFrameTest {
    private static final byte[] FOO = "foo".getBytes(StandardCharsets.US_ASCII);

    /** ngtcp2 test_ngtcp2_pkt_encode_connection_close_frame, first case. */
    @Test
    void transportCloseWithFrameType255AndNoReasonIsEightBytes() throws QuicException {
        ConnectionCloseFrame frame = ConnectionCloseFrame.transport(0xf1f2, 255, new byte[0]);
        byte[] expected = Hex.decode(""
                + "1c"          // Type = 0x1c
                + "8000f1f2"    // Error Code 0xf1f2, 4-byte varint
                + "40ff"        // Frame Type 255, 2-byte varint
                + "00");        // Reason Phrase Length 0
        assertEquals(1 + 4 + 2 + 1, expected.length);
        assertEncodes(frame, expected);
    }

    /** ngtcp2 test_ngtcp2_pkt_encode_connection_close_frame, second case. */
    @Test
    void transportCloseWith1024ByteReason() throws QuicException {
        byte[] reason = new byte[1024];
        Arrays.fill(reason, (byte) 'a');
        ConnectionCloseFrame frame = ConnectionCloseFrame.transport(0xf3f4, 0, reason);
        byte[] header = Hex.decode(""
                + "1c"          // Type = 0x1c
                + "8000f3f4"    // Error Code 0xf3f4, 4-byte varint
                + "00"          // Frame Type 0
                + "4400");      // Reason Phrase Length 1024, 2-byte varint
        byte[] expected = Arrays.copyOf(header, header.length + reason.length);
        System.arraycopy(reason, 0, expected, header.length, reason.length);
        assertEquals(1 + 4 + 1 + 2 + 1024, expected.length);
        assertEncodes(frame, expected);
    }

    /** ngtcp2 test_ngtcp2_pkt_encode_connection_close_app_frame. */
    @Test
    void applicationCloseHasNoFrameTypeFieldAndIsSixBytes() throws QuicException {
        ConnectionCloseFrame frame = ConnectionCloseFrame.application(0xf1f2, new byte[0]);
        byte[] expected = Hex.decode(""
                + "1d"          // Type = 0x1d
                + "8000f1f2"    // Error Code 0xf1f2, 4-byte varint
                + "00");        // Reason Phrase Length 0
        assertEquals(1 + 4 + 1, expected.length);
        assertEncodes(frame, expected);

        // The static encoder ignores a frame type given for 0x1d, even one that is no varint.
        for (long ignored : new long[] {255, -1, 1L << 62}) {
            assertEquals(1 + 4 + 1, ConnectionCloseFrame.encodedLength(CloseType.APPLICATION, 0xf1f2, ignored, 0));
            ByteBuffer dst = sentinelBuffer(expected.length + 1);
            assertEquals(1 + 4 + 1, ConnectionCloseFrame.encode(dst, CloseType.APPLICATION, 0xf1f2, ignored, null,
                    0, 0));
            assertBytes(dst, 0, expected);
        }
    }

    /** close-spec §8.3 vectors V1, V2 and V3: the plaintext frames. */
    @Test
    void specVectorFrames() throws QuicException {
        assertEncodes(ConnectionCloseFrame.transport(TransportErrorCode.NO_ERROR, 0, FOO), Hex.decode(""
                + "1c"          // Type = 0x1c
                + "00"          // Error Code NO_ERROR
                + "00"          // Frame Type 0
                + "03"          // Reason Phrase Length 3
                + "666f6f"));   // "foo"
        assertEncodes(ConnectionCloseFrame.transport(TransportErrorCode.cryptoError(40), 0, new byte[0]), Hex.decode(""
                + "1c"          // Type = 0x1c
                + "4128"        // Error Code 0x128 = CRYPTO_ERROR(40), 2-byte varint
                + "00"          // Frame Type 0
                + "00"));       // Reason Phrase Length 0
        assertEncodes(ConnectionCloseFrame.transport(TransportErrorCode.APPLICATION_ERROR, 0, new byte[0]),
                Hex.decode(""
                + "1c"          // Type = 0x1c
                + "0c"          // Error Code APPLICATION_ERROR
                + "00"          // Frame Type 0
                + "00"));       // Reason Phrase Length 0
    }

    @Test
    void largestValuesUseEightByteVarints() throws QuicException {
        ConnectionCloseFrame frame = ConnectionCloseFrame.transport(VarInt.MAX_VALUE, VarInt.MAX_VALUE, FOO);
        byte[] expected = Hex.decode(""
                + "1c"                  // Type = 0x1c
                + "ffffffffffffffff"    // Error Code 2^62 - 1
                + "ffffffffffffffff"    // Frame Type 2^62 - 1
                + "03"                  // Reason Phrase Length 3
                + "666f6f");            // "foo"
        assertEquals(1 + 8 + 8 + 1 + 3, expected.length);
        assertEncodes(frame, expected);
    }

    @Test
    void staticEncoderCopiesTheSelectedSliceOfTheReason() {
        byte[] reason = "xxfooyy".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer dst = sentinelBuffer(1 + 7 + 1);
        dst.position(1);
        int written = ConnectionCloseFrame.encode(dst, CloseType.TRANSPORT, TransportErrorCode.PROTOCOL_VIOLATION,
                FrameType.ACK, reason, 2, 3);
        assertEquals(1 + 1 + 1 + 1 + 3, written);
        assertEquals(ConnectionCloseFrame.encodedLength(CloseType.TRANSPORT, 0x0a, FrameType.ACK, 3), written);
        assertEquals(1 + written, dst.position());
        assertBytes(dst, 1, Hex.decode("1c 0a 02 03 666f6f"));
        assertThrows(IndexOutOfBoundsException.class, () -> ConnectionCloseFrame.encode(sentinelBuffer(16),
                CloseType.TRANSPORT, 0, 0, reason, 5, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> ConnectionCloseFrame.encode(sentinelBuffer(16),
                CloseType.TRANSPORT, 0, 0, reason, -1, 1));
        assertThrows(NullPointerException.class, () -> ConnectionCloseFrame.encode(sentinelBuffer(16),
                CloseType.TRANSPORT, 0, 0, null, 0, 1));
    }

    @Test
    void tooSmallDestinationIsLeftUntouched() {
        ConnectionCloseFrame frame = ConnectionCloseFrame.transport(1, 2, FOO);
        ByteBuffer dst = sentinelBuffer(frame.encodedLength() - 1);
        assertThrows(BufferOverflowException.class, () -> frame.encode(dst));
        assertEquals(0, dst.position());
        byte[] untouched = new byte[dst.capacity()];
        Arrays.fill(untouched, (byte) 0x2a);
        assertBytes(dst, 0, untouched);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE})
    void outOfRangeCodesAreIllegalArguments(long bad) {
        assertThrows(IllegalArgumentException.class, () -> ConnectionCloseFrame.transport(bad, 0, FOO));
        assertThrows(IllegalArgumentException.class, () -> ConnectionCloseFrame.transport(0, bad, FOO));
        assertThrows(IllegalArgumentException.class, () -> ConnectionCloseFrame.application(bad, FOO));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encodedLength(CloseType.TRANSPORT, bad, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encodedLength(CloseType.TRANSPORT, 0, bad, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encodedLength(CloseType.APPLICATION, bad, 0, 0));
        ByteBuffer dst = sentinelBuffer(32);
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encode(dst, CloseType.TRANSPORT, bad, 0, FOO, 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encode(dst, CloseType.TRANSPORT, 0, bad, FOO, 0, 3));
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encode(dst, CloseType.APPLICATION, bad, 0, FOO, 0, 3));
        assertEquals(0, dst.position());
        assertThrows(IllegalArgumentException.class,
                () -> ConnectionCloseFrame.encodedLength(CloseType.TRANSPORT, 0, 0, -1));
    }

    @Test
    void applicationCloseValueRejectsAFrameType() {
        assertThrows(IllegalArgumentException.class,
                () -> new ConnectionCloseFrame(CloseType.APPLICATION, 0, 1, FOO));
        assertEquals(0, new ConnectionCloseFrame(CloseType.APPLICATION, 7, 0, FOO).frameType());
    }

    @Test
    void reasonIsCopiedInAndOut() {
        byte[] reason = FOO.clone();
        ConnectionCloseFrame frame = ConnectionCloseFrame.transport(0, 0, reason);
        reason[0] = 'x';
        assertArrayEquals(FOO, frame.reasonPhrase());
        byte[] out = frame.reasonPhrase();
        out[0] = 'y';
        assertArrayEquals(FOO, frame.reasonPhrase());
        assertNotSame(frame.reasonPhrase(), frame.reasonPhrase());
        assertEquals(3, frame.reasonLength());
    }

    @Test
    void equalsHashCodeAndToStringCoverEveryField() {
        ConnectionCloseFrame a = ConnectionCloseFrame.transport(0x0a, 0x08, FOO);
        ConnectionCloseFrame same = new ConnectionCloseFrame(CloseType.TRANSPORT, 0x0a, 0x08, FOO.clone());
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        assertEquals(a, a);
        assertNotEquals(a, null);
        assertNotEquals(a, "a string");
        assertNotEquals(a, ConnectionCloseFrame.transport(0x0b, 0x08, FOO));
        assertNotEquals(a, ConnectionCloseFrame.transport(0x0a, 0x09, FOO));
        assertNotEquals(a, ConnectionCloseFrame.transport(0x0a, 0x08, "fop".getBytes(StandardCharsets.US_ASCII)));
        assertNotEquals(ConnectionCloseFrame.transport(0x0a, 0, FOO), ConnectionCloseFrame.application(0x0a, FOO));
        assertEquals("ConnectionCloseFrame[TRANSPORT, PROTOCOL_VIOLATION, frame type STREAM, reason 3 bytes 666f6f]",
                a.toString());
        assertEquals("ConnectionCloseFrame[APPLICATION, application error 0x10c, reason 0 bytes ]",
                ConnectionCloseFrame.application(0x10c, new byte[0]).toString());
        byte[] longReason = new byte[65];
        assertEquals("ConnectionCloseFrame[APPLICATION, application error 0x0, reason 65 bytes " + "00".repeat(64)
                + "...]", ConnectionCloseFrame.application(0, longReason).toString());
    }

    @Test
    void everyTruncatedPrefixIsFrameEncodingError() {
        byte[] reason = new byte[100];
        Arrays.fill(reason, (byte) 'r');
        ConnectionCloseFrame[] frames = {
            ConnectionCloseFrame.transport(0xf1f2, 255, new byte[0]),
            ConnectionCloseFrame.transport(0xf3f4, 0, reason),
            ConnectionCloseFrame.transport(VarInt.MAX_VALUE, 1_000_000_007, FOO),
            ConnectionCloseFrame.application(0xf1f2, new byte[0]),
            ConnectionCloseFrame.application(1, reason),
        };
        for (ConnectionCloseFrame frame : frames) {
            byte[] encoded = encode(frame);
            for (int cut = 1; cut < encoded.length; cut++) {
                ByteBuffer body = ByteBuffer.wrap(encoded, 0, cut);
                body.position(1);
                long type = frame.type().frameType();
                QuicException e = assertThrows(QuicException.class, () -> ConnectionCloseFrame.decode(body, type),
                        frame + " cut at " + cut);
                assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, e.errorCode());
                assertEquals(type, e.frameType());
                assertEquals(1, body.position(), "position unchanged on failure");

                ByteBuffer payload = ByteBuffer.wrap(encoded, 0, cut);
                QuicException d = assertThrows(QuicException.class,
                        () -> new FrameDecoder().decode(payload, EncryptionLevel.ONE_RTT, new FrameVisitor() { }));
                assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, d.errorCode());
                assertEquals(type, d.frameType());
            }
        }
    }

    @Test
    void decodeAcceptsNonMinimalFieldsAndStopsAtTheFrameEnd() throws QuicException {
        ByteBuffer src = ByteBuffer.wrap(Hex.decode(""
                + "1c"          // Type = 0x1c (not part of the body)
                + "4001"        // Error Code 1 as a 2-byte varint
                + "80000008"    // Frame Type 8 as a 4-byte varint
                + "4003"        // Reason Phrase Length 3 as a 2-byte varint
                + "666f6f"      // "foo"
                + "01"));       // the next frame (PING), not read
        src.position(1);
        ConnectionCloseFrame frame = ConnectionCloseFrame.decode(src, FrameType.CONNECTION_CLOSE);
        assertEquals(ConnectionCloseFrame.transport(1, 8, FOO), frame);
        assertEquals(1 + 2 + 4 + 2 + 3, src.position());
        assertThrows(IllegalArgumentException.class, () -> ConnectionCloseFrame.decode(src, FrameType.PING));
        assertThrows(IllegalArgumentException.class, () -> ConnectionCloseFrame.closeType(0x1e));
        assertEquals(CloseType.TRANSPORT, ConnectionCloseFrame.closeType(0x1c));
        assertEquals(CloseType.APPLICATION, ConnectionCloseFrame.closeType(0x1d));
    }

    @Test
    void reasonLengthPastTheLimitIsFrameEncodingError() {
        ByteBuffer src = ByteBuffer.wrap(Hex.decode("1d 00 04 666f6f 01"));
        src.position(1).limit(6);
        QuicException e = assertThrows(QuicException.class,
                () -> ConnectionCloseFrame.decode(src, FrameType.CONNECTION_CLOSE_APP));
        assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, e.errorCode());
        ByteBuffer huge = ByteBuffer.wrap(Hex.decode("1d 00 ffffffffffffffff 00"));
        huge.position(1);
        assertThrows(QuicException.class, () -> ConnectionCloseFrame.decode(huge, FrameType.CONNECTION_CLOSE_APP));
    }

    /** Encodes with both encoders into sentinel-filled buffers at an offset, then decodes both ways. */
    private static void assertEncodes(ConnectionCloseFrame frame, byte[] expected) throws QuicException {
        assertEquals(expected.length, frame.encodedLength());
        assertEquals(expected.length, ConnectionCloseFrame.encodedLength(frame.type(), frame.errorCode(),
                frame.frameType(), frame.reasonLength()));

        ByteBuffer dst = sentinelBuffer(expected.length + 3);
        dst.position(2);
        assertEquals(expected.length, frame.encode(dst));
        assertEquals(2 + expected.length, dst.position());
        assertBytes(dst, 2, expected);

        byte[] reason = frame.reasonPhrase();
        byte[] padded = new byte[reason.length + 4];
        System.arraycopy(reason, 0, padded, 2, reason.length);
        ByteBuffer staticDst = sentinelBuffer(expected.length + 3);
        staticDst.position(1);
        assertEquals(expected.length, ConnectionCloseFrame.encode(staticDst, frame.type(), frame.errorCode(),
                frame.frameType(), padded, 2, reason.length));
        assertBytes(staticDst, 1, expected);

        ByteBuffer src = ByteBuffer.wrap(expected);
        src.position(1);
        assertEquals(frame, ConnectionCloseFrame.decode(src, expected[0]));
        assertEquals(expected.length, src.position());
    }

    private static byte[] encode(ConnectionCloseFrame frame) {
        ByteBuffer dst = ByteBuffer.allocate(frame.encodedLength());
        frame.encode(dst);
        return dst.array();
    }
}
