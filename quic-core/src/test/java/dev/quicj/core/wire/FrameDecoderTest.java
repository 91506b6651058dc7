package dev.quicj.core.wire;

import static dev.quicj.core.TransportErrorCode.FRAME_ENCODING_ERROR;
import static dev.quicj.core.TransportErrorCode.PROTOCOL_VIOLATION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FrameDecoderTest {
    private static final String TOKEN16 = "00112233445566778899aabbccddeeff";
    private static final long MAX_STREAMS = 1L << 60;

    /** One valid frame of every RFC 9000 type, field by field, and the event the decoder reports. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "00 00 00                 | padding 3",                                      // three PADDING frames
        "01                       | ping",
        // ACK: largest 10, delay 1, 1 more range, first range 2 -> 10..8; gap 0 -> 6, length 1 -> 6..5
        "02 0a 01 01 02 00 01     | ack largest=10 delay=1 count=1 first=2 [10..8,6..5] smallest=5",
        // ACK_ECN: largest 5, delay 0, no more ranges, first range 5 -> 5..0; ECT0 1, ECT1 2, CE 3
        "03 05 00 00 05 01 02 03  | ack largest=5 delay=0 count=0 first=5 [5..0] smallest=0 ecn=1/2/3",
        // ACK down to packet 0 exactly: first 5..2, gap 0 -> largest 0, length 0 -> 0..0
        "02 05 00 01 03 00 00     | ack largest=5 delay=0 count=1 first=3 [5..2,0..0] smallest=0",
        "04 00 01 02              | other RESET_STREAM",                             // stream 0, code 1, final 2
        "05 00 01                 | other STOP_SENDING",                             // stream 0, code 1
        "06 00 03 aabbcc          | crypto offset=0 data=aabbcc",                    // offset 0, length 3, data
        "06 4001 00               | crypto offset=1 data=",                          // offset 1 (2-byte), length 0
        "06 ffffffffffffffff 00   | crypto offset=4611686018427387903 data=",        // ends exactly at 2^62 - 1
        "07 02 abcd               | new_token abcd",                                // length 2, token
        "08 04 aabb               | other STREAM",                                   // stream 4, data to the end
        "09 04                    | other STREAM_FIN",                               // stream 4, empty, FIN
        "0a 04 02 aabb            | other STREAM_LEN",                               // stream 4, length 2, data
        "0c 04 05 aa              | other STREAM_OFF",                               // stream 4, offset 5, data
        "0c 00 ffffffffffffffff   | other STREAM_OFF",                               // offset 2^62 - 1, no data
        "0f 04 05 01 aa           | other STREAM_OFF_LEN_FIN",                       // stream 4, offset 5, length 1
        "10 4400                  | other MAX_DATA",                                 // 1024 (2-byte)
        "11 00 01                 | other MAX_STREAM_DATA",                          // stream 0, 1
        "12 d000000000000000      | other MAX_STREAMS_BIDI",                         // 2^60 (8-byte)
        "13 00                    | other MAX_STREAMS_UNI",
        "14 00                    | other DATA_BLOCKED",
        "15 00 00                 | other STREAM_DATA_BLOCKED",
        "16 d000000000000000      | other STREAMS_BLOCKED_BIDI",                     // 2^60 (8-byte)
        "17 00                    | other STREAMS_BLOCKED_UNI",
        // sequence 1, retire prior to 1, length 8, connection ID, stateless reset token
        "18 01 01 08 0102030405060708 " + TOKEN16 + " | other NEW_CONNECTION_ID",
        "18 00 00 01 ff " + TOKEN16 + "                | other NEW_CONNECTION_ID",   // 1-byte connection ID
        "18 05 00 14 0102030405060708090a0b0c0d0e0f1011121314 " + TOKEN16 + " | other NEW_CONNECTION_ID", // 20
        "19 00                    | other RETIRE_CONNECTION_ID",
        "1a 0102030405060708      | other PATH_CHALLENGE",                           // 8 bytes of data
        "1b 0102030405060708      | other PATH_RESPONSE",
        "1c 0a 08 03 666f6f       | close TRANSPORT code=10 ft=8 reason=666f6f",     // code, frame type, 3, "foo"
        "1d 4001 00               | close APPLICATION code=1 ft=0 reason=",          // code 1 (2-byte), 0
        "1e                       | handshake_done",
    })
    void decodesEveryFrameType(String hex, String event) throws QuicException {
        assertEquals(List.of(event), TestFrames.decodeTwice(Hex.decode(hex), EncryptionLevel.ONE_RTT));
    }

    @Test
    void decodesASequenceInOrderAndMergesPaddingRuns() throws QuicException {
        byte[] payload = Hex.decode(""
                + "06 00 02 aabb"   // CRYPTO offset 0, length 2
                + "00 00"           // PADDING x2
                + "01"              // PING
                + "00"              // PADDING
                + "02 00 00 00 00"  // ACK largest 0, delay 0, no more ranges, first range 0
                + "00 00 00");      // PADDING x3
        assertEquals(List.of("crypto offset=0 data=aabb", "padding 2", "ping", "padding 1",
                "ack largest=0 delay=0 count=0 first=0 [0..0] smallest=0", "padding 3"),
                TestFrames.decodeTwice(payload, EncryptionLevel.INITIAL));
    }

    @Test
    void reportsWhetherThePayloadIsAckEliciting() throws QuicException {
        FrameDecoder decoder = new FrameDecoder();
        FrameVisitor none = new FrameVisitor() { };
        assertFalse(decoder.decode(TestFrames.embed(Hex.decode("00 00")), EncryptionLevel.INITIAL, none));
        assertFalse(decoder.decode(TestFrames.embed(Hex.decode("02 00 00 00 00 00")), EncryptionLevel.HANDSHAKE,
                none));
        assertFalse(decoder.decode(TestFrames.embed(Hex.decode("1c 00 00 00 1d 00 00")), EncryptionLevel.ONE_RTT,
                none));
        assertTrue(decoder.decode(TestFrames.embed(Hex.decode("00 01 00")), EncryptionLevel.INITIAL, none));
        assertTrue(decoder.decode(TestFrames.embed(Hex.decode("1e")), EncryptionLevel.ONE_RTT, none));
        assertTrue(decoder.decode(TestFrames.embed(Hex.decode("06 00 00")), EncryptionLevel.HANDSHAKE, none));
    }

    @ParameterizedTest
    @EnumSource(EncryptionLevel.class)
    void emptyPayloadIsProtocolViolation(EncryptionLevel level) {
        assertError("", level, PROTOCOL_VIOLATION, 0);
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
        // payload,        level,     error code,           frame type
        "1f,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x1f",    // first unknown type
        "21,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x21",
        "30 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x30",    // DATAGRAM (RFC 9221) is not supported
        "7fff,             ONE_RTT,   FRAME_ENCODING_ERROR, 0x3fff",  // unknown 2-byte type
        "40,               ONE_RTT,   FRAME_ENCODING_ERROR, 0",       // frame type cut short: type unknown
        "01 c0000000,      ONE_RTT,   FRAME_ENCODING_ERROR, 0",
        "4001,             ONE_RTT,   PROTOCOL_VIOLATION,   0x01",    // PING as a 2-byte varint
        "401f,             ONE_RTT,   PROTOCOL_VIOLATION,   0x1f",    // not minimal is checked first
        "8000001c 00 00 00, ONE_RTT,  PROTOCOL_VIOLATION,   0x1c",
        "1d 00 00,         INITIAL,   PROTOCOL_VIOLATION,   0x1d",    // close-spec E14
        "1d 00 00,         HANDSHAKE, PROTOCOL_VIOLATION,   0x1d",
        "01 0a 04 00 00,   INITIAL,   PROTOCOL_VIOLATION,   0x0a",    // STREAM in Initial
        "10 00,            HANDSHAKE, PROTOCOL_VIOLATION,   0x10",
        "02 00 00 00 00,   ZERO_RTT,  PROTOCOL_VIOLATION,   0x02",    // ACK in 0-RTT
        "06 00 00,         ZERO_RTT,  PROTOCOL_VIOLATION,   0x06",
        "07 01 aa,         ZERO_RTT,  PROTOCOL_VIOLATION,   0x07",
        "1e,               ZERO_RTT,  PROTOCOL_VIOLATION,   0x1e",
        "1e,               HANDSHAKE, PROTOCOL_VIOLATION,   0x1e",
        "1b 0102030405060708, ZERO_RTT, PROTOCOL_VIOLATION, 0x1b",
        "02 05 00 00 06,   ONE_RTT,   FRAME_ENCODING_ERROR, 0x02",    // first range 6 > largest 5
        "02 05 00 01 03 01 00, ONE_RTT, FRAME_ENCODING_ERROR, 0x02",  // 5..2, gap 1 -> largest -1
        "02 05 00 01 03 00 01, ONE_RTT, FRAME_ENCODING_ERROR, 0x02",  // 5..2, gap 0 -> 0, length 1 -> -1
        "03 05 00 01 00 00 00 00 00, ONE_RTT, FRAME_ENCODING_ERROR, 0x03",    // 5..5, 3..3, ECN-CE Count missing
        "02 05 00 bfffffff 00 00 00, ONE_RTT, FRAME_ENCODING_ERROR, 0x02",    // 2^30 - 1 ranges announced
        "02 05 00 00,      ONE_RTT,   FRAME_ENCODING_ERROR, 0x02",    // First ACK Range missing
        "04 00 00,         ONE_RTT,   FRAME_ENCODING_ERROR, 0x04",    // Final Size missing
        "05 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x05",
        "06 ffffffffffffffff 01 aa, ONE_RTT, FRAME_ENCODING_ERROR, 0x06",     // ends at 2^62
        "06 00 04 aabbcc,  ONE_RTT,   FRAME_ENCODING_ERROR, 0x06",    // length past the end
        "06 00 ffffffffffffffff, ONE_RTT, FRAME_ENCODING_ERROR, 0x06",
        "07 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x07",    // empty token
        "07 03 aabb,       ONE_RTT,   FRAME_ENCODING_ERROR, 0x07",
        "0c 00 ffffffffffffffff aa, ONE_RTT, FRAME_ENCODING_ERROR, 0x0c",     // data ends at 2^62
        "0e 00 fffffffffffffffe 02 aabb, ONE_RTT, FRAME_ENCODING_ERROR, 0x0e",
        "0a 00 05 aa,      ONE_RTT,   FRAME_ENCODING_ERROR, 0x0a",    // length past the end
        "0c 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x0c",    // Offset missing
        "08,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x08",    // Stream ID missing
        "10,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x10",
        "11 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x11",
        "12 d000000000000001, ONE_RTT, FRAME_ENCODING_ERROR, 0x12",   // 2^60 + 1 streams
        "13 ffffffffffffffff, ZERO_RTT, FRAME_ENCODING_ERROR, 0x13",
        "16 d000000000000001, ONE_RTT, FRAME_ENCODING_ERROR, 0x16",
        "17 d000000000000001, ONE_RTT, FRAME_ENCODING_ERROR, 0x17",
        "14,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x14",
        "15 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x15",
        "18 01 02 08 0102030405060708 " + TOKEN16 + ", ONE_RTT, FRAME_ENCODING_ERROR, 0x18", // retire 2 > seq 1
        "18 01 00 00 " + TOKEN16 + ", ONE_RTT, FRAME_ENCODING_ERROR, 0x18",                  // length 0
        "18 01 00 15 0102030405060708090a0b0c0d0e0f101112131415 " + TOKEN16 + ", ONE_RTT, FRAME_ENCODING_ERROR, 0x18",
        "18 01 00 08 0102030405060708 00112233, ONE_RTT, FRAME_ENCODING_ERROR, 0x18", // token cut short
        "18 01 00,         ONE_RTT,   FRAME_ENCODING_ERROR, 0x18",    // Length missing
        "19,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x19",
        "1a 01020304050607, ONE_RTT,  FRAME_ENCODING_ERROR, 0x1a",    // 7 bytes of data
        "1b,               ONE_RTT,   FRAME_ENCODING_ERROR, 0x1b",
        "1c 00 00 04 666f6f, INITIAL, FRAME_ENCODING_ERROR, 0x1c",    // reason past the end
        "1c 00,            HANDSHAKE, FRAME_ENCODING_ERROR, 0x1c",    // Frame Type missing
        "1d 00,            ONE_RTT,   FRAME_ENCODING_ERROR, 0x1d",    // Reason Phrase Length missing
        "01 01 1d 00 4002 aa, ONE_RTT, FRAME_ENCODING_ERROR, 0x1d",   // after two PINGs: reason 2 (2-byte) > 1
    })
    void rejectsMalformedAndForbiddenFrames(String hex, EncryptionLevel level, String code, String frameType) {
        long expectedCode = code.equals("PROTOCOL_VIOLATION") ? PROTOCOL_VIOLATION : FRAME_ENCODING_ERROR;
        assertError(hex, level, expectedCode, Long.decode(frameType));
    }

    @Test
    void framesBeforeTheBadOneAreReported() {
        TestFrames.RecordingVisitor visitor = new TestFrames.RecordingVisitor();
        ByteBuffer payload = TestFrames.embed(Hex.decode("01 1e 1f"));
        assertThrows(QuicException.class, () -> new FrameDecoder().decode(payload, EncryptionLevel.ONE_RTT, visitor));
        assertEquals(List.of("ping", "handshake_done"), visitor.events);
    }

    @Test
    void visitorExceptionStopsDecodingAndPassesThrough() {
        QuicException stop = QuicException.protocolViolation(FrameType.HANDSHAKE_DONE, "server got HANDSHAKE_DONE");
        List<String> seen = new ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void ping() {
                seen.add("ping");
            }

            @Override
            public void handshakeDone() throws QuicException {
                throw stop;
            }
        };
        ByteBuffer payload = TestFrames.embed(Hex.decode("01 1e 01"));
        FrameDecoder decoder = new FrameDecoder();
        assertSame(stop, assertThrows(QuicException.class,
                () -> decoder.decode(payload, EncryptionLevel.ONE_RTT, visitor)));
        assertEquals(List.of("ping"), seen);
        assertEquals(3, payload.position());
        assertDoesNotThrowQuic(() -> decoder.decode(payload, EncryptionLevel.ONE_RTT, new FrameVisitor() { }));
    }

    @Test
    void ackViewIsReusedRewindableAndDeadAfterTheCallback() throws QuicException {
        List<AckFrame> views = new ArrayList<>();
        List<Long> bounds = new ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void ack(AckFrame ack) {
                views.add(ack);
                assertEquals(ack.ackRangeCount(), 2);
                while (ack.nextRange()) {
                    bounds.add(ack.rangeLargest());
                }
                ack.rewindRanges();
                assertThrows(IllegalStateException.class, ack::rangeLargest);
                assertTrue(ack.nextRange());
                bounds.add(ack.rangeSmallest());
                assertFalse(ack.hasEcn());
                assertEquals(0, ack.ect0());
                assertEquals(FrameType.ACK, ack.frameType());
            }
        };
        // ACK largest 100, delay 0x3fff, 2 more ranges, first range 10 -> 100..90; gap 4 -> 84..84; gap 0 -> 82..80
        ByteBuffer payload = TestFrames.embed(Hex.decode("02 4064 7fff 02 0a 04 00 00 02 02 4064 7fff 02 0a 04 00 00 02"));
        FrameDecoder decoder = new FrameDecoder();
        decoder.decode(payload, EncryptionLevel.ONE_RTT, visitor);
        assertEquals(List.of(100L, 84L, 82L, 90L, 100L, 84L, 82L, 90L), bounds);
        assertEquals(2, views.size());
        assertSame(views.get(0), views.get(1));
        assertEquals(0x3fff, views.get(0).ackDelay());
        assertEquals(80, views.get(0).smallestAcknowledged());
        assertThrows(IllegalStateException.class, views.get(0)::nextRange);
        assertTrue(views.get(0).toString().startsWith("AckFrame[largest 100, delay 16383"));
    }

    @Test
    void decoderIsNotReentrant() {
        FrameDecoder decoder = new FrameDecoder();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void ping() throws QuicException {
                decoder.decode(TestFrames.embed(Hex.decode("01")), EncryptionLevel.ONE_RTT, new FrameVisitor() { });
            }
        };
        assertThrows(IllegalStateException.class,
                () -> decoder.decode(TestFrames.embed(Hex.decode("01")), EncryptionLevel.ONE_RTT, visitor));
        assertDoesNotThrowQuic(() -> decoder.decode(TestFrames.embed(Hex.decode("01")), EncryptionLevel.ONE_RTT,
                new FrameVisitor() { }));
    }

    @Test
    void readsOnlyUpToTheLimitAndFromThePosition() throws QuicException {
        // A PING between a byte before the position and an unknown type after the limit.
        ByteBuffer buffer = ByteBuffer.wrap(Hex.decode("1f 01 1f"));
        buffer.position(1).limit(2);
        TestFrames.RecordingVisitor visitor = new TestFrames.RecordingVisitor();
        assertTrue(new FrameDecoder().decode(buffer, EncryptionLevel.INITIAL, visitor));
        assertEquals(List.of("ping"), visitor.events);
        assertEquals(1, buffer.position());
        assertEquals(2, buffer.limit());
    }

    @Test
    void streamFrameLimitsAtTheTopOfTheOffsetSpace() throws QuicException {
        // Offset 2^62 - 3 plus 2 bytes ends at 2^62 - 1: allowed; plus 3 bytes: not.
        assertEquals(List.of("other STREAM_OFF_LEN"),
                TestFrames.decodeTwice(Hex.decode("0e 00 fffffffffffffffd 02 aabb"), EncryptionLevel.ONE_RTT));
        assertError("0e 00 fffffffffffffffd 03 aabbcc", EncryptionLevel.ONE_RTT, FRAME_ENCODING_ERROR, 0x0e);
        assertEquals(List.of("crypto offset=4611686018427387901 data=aabb"),
                TestFrames.decodeTwice(Hex.decode("06 fffffffffffffffd 02 aabb"), EncryptionLevel.ONE_RTT));
        assertEquals(List.of("other MAX_STREAMS_UNI"),
                TestFrames.decodeTwice(Hex.decode("13 d000000000000000"), EncryptionLevel.ONE_RTT));
        assertEquals(MAX_STREAMS, FrameDecoder.MAX_STREAMS);
    }

    /**
     * PADDING runs of every length from 1 to 40, starting at every offset of an 8-byte word, at the end of the payload
     * or followed by a PING, in heap and direct buffers of both byte orders: each run is reported whole, once, and
     * zero bytes past the payload's limit are never counted.
     */
    @Test
    void paddingRunsAreMeasuredExactlyWhateverTheirAlignment() throws QuicException {
        FrameDecoder decoder = new FrameDecoder();
        for (boolean direct : new boolean[] {false, true}) {
            for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {
                    java.nio.ByteOrder.BIG_ENDIAN, java.nio.ByteOrder.LITTLE_ENDIAN}) {
                for (int offset = 0; offset < 8; offset++) {
                    for (int run = 1; run <= 40; run++) {
                        for (boolean pingAfter : new boolean[] {false, true}) {
                            // a PING per offset byte, the run, then maybe a PING; 16 zero bytes past the limit
                            int length = offset + run + (pingAfter ? 1 : 0);
                            ByteBuffer b = direct ? ByteBuffer.allocateDirect(3 + length + 16)
                                    : ByteBuffer.allocate(3 + length + 16);
                            b.order(order);
                            b.put(new byte[] {0x2a, 0x2a, 0x2a});
                            for (int i = 0; i < offset; i++) {
                                b.put((byte) 0x01);
                            }
                            b.put(new byte[run]);
                            if (pingAfter) {
                                b.put((byte) 0x01);
                            }
                            b.position(3).limit(3 + length);
                            TestFrames.RecordingVisitor recorder = new TestFrames.RecordingVisitor();
                            decoder.decode(b, EncryptionLevel.ONE_RTT, recorder);
                            List<String> events = recorder.events;
                            List<String> expected = new ArrayList<>();
                            for (int i = 0; i < offset; i++) {
                                expected.add("ping");
                            }
                            expected.add("padding " + run);
                            if (pingAfter) {
                                expected.add("ping");
                            }
                            assertEquals(expected, events,
                                    "direct=" + direct + " order=" + order + " offset=" + offset + " run=" + run);
                            assertEquals(3, b.position());
                            assertEquals(3 + length, b.limit());
                        }
                    }
                }
            }
        }
    }

    /** The JVM's per-thread allocation counter sees less than one byte per decoded packet of common frames. */
    @Test
    void decodingCommonFramesAllocatesNothing() throws QuicException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) threads).isThreadAllocatedMemorySupported());
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) threads;
        ByteBuffer payload = ByteBuffer.allocateDirect(64);
        payload.put(Hex.decode(""
                + "03 4064 05 02 03 00 00 01 00 01 02 03"   // ACK_ECN, 3 ranges, ECN counts
                + "06 00 03 aabbcc"                         // CRYPTO
                + "01"                                      // PING
                + "0e 04 05 01 aa"                          // STREAM with OFF and LEN
                + "1c 0a 08 03 666f6f"                      // CONNECTION_CLOSE
                + "1e"                                      // HANDSHAKE_DONE
                + "00 00 00 00")).flip();                   // PADDING x4
        long[] sums = new long[1];
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void padding(int length) {
                sums[0] += length;
            }

            @Override
            public void ack(AckFrame ack) {
                while (ack.nextRange()) {
                    sums[0] += ack.rangeSmallest();
                }
            }

            @Override
            public void crypto(long offset, ByteBuffer buffer, int dataIndex, int length) {
                sums[0] += buffer.get(dataIndex);
            }

            @Override
            public void connectionClose(CloseType type, long errorCode, long frameType, ByteBuffer buffer,
                    int reasonIndex, int reasonLength) {
                sums[0] += errorCode + reasonLength;
            }

            @Override
            public void otherFrame(long frameType) {
                sums[0] += frameType;
            }
        };
        FrameDecoder decoder = new FrameDecoder();
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            decoder.decode(payload, EncryptionLevel.ONE_RTT, visitor);
        }
        long before = counter.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < rounds; i++) {
            decoder.decode(payload, EncryptionLevel.ONE_RTT, visitor);
        }
        long allocated = counter.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < rounds, "allocated " + allocated + " bytes in " + rounds + " decodes");
        assertTrue(sums[0] != 0);
    }

    @Test
    void retireConnectionIdReportsItsSequenceNumber() throws QuicException {
        List<Long> seen = new java.util.ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void retireConnectionId(long sequenceNumber) {
                seen.add(sequenceNumber);
            }

            @Override
            public void otherFrame(long frameType) {
                seen.add(-frameType);
            }
        };
        // sequence 7, then the largest (8-byte) sequence number; a visitor that does not override the method sees
        // otherFrame(0x19), as the parameterized cases above show
        new FrameDecoder().decode(TestFrames.embed(Hex.decode("19 07 19 ffffffffffffffff")), EncryptionLevel.ONE_RTT,
                visitor);
        assertEquals(List.of(7L, VarInt.MAX_VALUE), seen);
    }

    @Test
    void streamFramesReportTheirTypeAndStreamId() throws QuicException {
        List<String> seen = new java.util.ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void streamFrame(long frameType, long streamId) {
                seen.add(Long.toHexString(frameType) + ":" + streamId);
            }

            @Override
            public void otherFrame(long frameType) {
                seen.add("other " + Long.toHexString(frameType));
            }
        };
        // RESET_STREAM, STOP_SENDING, STREAM_OFF_LEN_FIN, MAX_STREAM_DATA, STREAM_DATA_BLOCKED, then MAX_DATA (not a
        // stream frame) and a STREAM frame whose data runs to the end, on the last stream ID; a visitor that does not
        // override the method sees otherFrame(type), as the parameterized cases above show
        new FrameDecoder().decode(TestFrames.embed(Hex.decode("04 07 01 02  05 4001 00  0f 02 05 01 aa  11 03 09"
                + "  15 00 00  10 05  08 ffffffffffffffff aabb")), EncryptionLevel.ONE_RTT, visitor);
        assertEquals(List.of("4:7", "5:1", "f:2", "11:3", "15:0", "other 10", "8:" + VarInt.MAX_VALUE), seen);
    }

    @Test
    void streamDataAndResetStreamReportWhatFlowControlNeeds() throws QuicException {
        List<String> seen = new java.util.ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void streamData(long frameType, long streamId, long offset, ByteBuffer payload, int dataIndex,
                    int length, boolean fin) {
                StringBuilder data = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    data.append(String.format("%02x", payload.get(dataIndex + i)));
                }
                seen.add(Long.toHexString(frameType) + ":" + streamId + "@" + offset + "+" + length + (fin ? " fin" : "")
                        + " " + data);
            }

            @Override
            public void resetStream(long streamId, long errorCode, long finalSize) {
                seen.add("reset " + streamId + " error " + errorCode + " final " + finalSize);
            }

            @Override
            public void streamFrame(long frameType, long streamId) {
                seen.add(Long.toHexString(frameType) + ":" + streamId);
            }
        };
        // STREAM with OFF, LEN and FIN; STREAM with LEN only; RESET_STREAM; STOP_SENDING, still a streamFrame; STREAM
        // with OFF and FIN but no LEN, its data running to the end of the payload
        new FrameDecoder().decode(TestFrames.embed(Hex.decode("0f 02 4100 02 aabb  0a 04 01 cc  04 07 4001 80002710"
                + "  05 01 00  0d 08 05 ddeeff")), EncryptionLevel.ONE_RTT, visitor);
        assertEquals(List.of("f:2@256+2 fin aabb", "a:4@0+1 cc", "reset 7 error 1 final 10000", "5:1",
                "d:8@5+3 fin ddeeff"), seen);
    }

    @Test
    void streamDataAndResetStreamDefaultToStreamFrame() throws QuicException {
        List<String> seen = new java.util.ArrayList<>();
        FrameVisitor visitor = new FrameVisitor() {
            @Override
            public void streamFrame(long frameType, long streamId) {
                seen.add(Long.toHexString(frameType) + ":" + streamId);
            }
        };
        new FrameDecoder().decode(TestFrames.embed(Hex.decode("04 07 01 02  0f 02 05 01 aa")), EncryptionLevel.ONE_RTT,
                visitor);
        assertEquals(List.of("4:7", "f:2"), seen);
    }

    /** Decodes and checks the exception; the payload's bytes, position and limit must be unchanged. */
    private static void assertError(String hex, EncryptionLevel level, long code, long frameType) {
        byte[] bytes = Hex.decode(hex);
        ByteBuffer payload = TestFrames.embed(bytes);
        byte[] before = payload.array().clone();
        QuicException e = assertThrows(QuicException.class,
                () -> new FrameDecoder().decode(payload, level, new FrameVisitor() { }), hex);
        assertEquals(code, e.errorCode(), () -> hex + ": " + e);
        assertEquals(frameType, e.frameType(), () -> hex + ": " + e);
        assertEquals(0, e.getStackTrace().length, "stackless");
        assertEquals(3, payload.position());
        assertEquals(3 + bytes.length, payload.limit());
        assertArrayEquals(before, payload.array());
    }

    private interface QuicRunnable {
        void run() throws QuicException;
    }

    private static void assertDoesNotThrowQuic(QuicRunnable r) {
        try {
            r.run();
        } catch (QuicException e) {
            throw new AssertionError("unexpected " + e, e);
        }
    }
}
