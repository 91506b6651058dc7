package dev.quicj.core.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.wire.CloseType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The layout of the packets {@link PacketWriter} builds, against expectations computed here from the RFC arithmetic
 * and never from the writer's own helpers ({@code longHeaderPnOffset}, {@code remaining}, ...):
 *
 * <ul>
 *   <li>RFC 9000 §17.2 / §17.3.1: the long header is first byte, 4-byte Version, DCID Length + DCID, SCID Length +
 *       SCID, (Initial: Token Length varint + Token), Length varint, Packet Number; the short header is first byte,
 *       DCID, Packet Number. The writer always encodes Length on 4 bytes (allowed by RFC 9000 §16: "values do not
 *       need to be encoded on the minimum number of bytes necessary"), so {@code pn_offset} is
 *       {@code 1+4+1+dcid+1+scid(+varint(token)+token)+4} (close-spec §3.4, §8.1 {@code encode_hd}).</li>
 *   <li>RFC 9001 §5.4.2: "The sample of ciphertext is taken starting from an offset of 4 bytes after the start of the
 *       Packet Number field", and "packets are padded so that the combined lengths of the encoded packet number and
 *       protected payload is at least 4 bytes longer than the sample ... This results in needing at least 3 bytes of
 *       frames in the unprotected payload if the packet number is encoded on a single byte, or 2 bytes of frames for
 *       a 2-byte packet number encoding." With a 16-byte tag: {@code pnLen + payload >= 4}.</li>
 *   <li>close-spec §3.3/§3.4: padding up to a minimum packet length capped by the room, the skip rules, and
 *       ngtcp2's {@code tests/ngtcp2_ppe_test.c} ({@code padding_size}: HP-sample padding, "already large enough",
 *       capping at the buffer; {@code dgram_padding_size}: a packet at a datagram offset).</li>
 * </ul>
 *
 * <p>Null crypto (tag = 16 zero bytes, mask = 0) makes every protected byte predictable; one test uses the RFC 9001
 * Appendix A.1 client Initial keys with an independent JCA computation of the AEAD and header protection. Bytes
 * outside the packet are pre-filled with a sentinel and must survive.
 */
class PacketWriterLayoutTest {
    private static final byte SENTINEL = (byte) 0xa5;
    private static final int TAG = 16;
    private static final int SAMPLE = 16;
    private static final long PN = 0x0a0b0c0dL;

    private static PacketProtection nullProtection() throws Exception {
        return CryptoProvider.nullCrypto().newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256,
                new byte[32]);
    }

    private static ByteBuffer sentinelBuffer(int capacity) {
        byte[] a = new byte[capacity];
        Arrays.fill(a, SENTINEL);
        return ByteBuffer.wrap(a);
    }

    private static ConnectionId cid(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return ConnectionId.of(b);
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + 3 * i);
        }
        return b;
    }

    /** RFC 9000 §16 minimal varint length, for the Token Length field. */
    private static int varintLength(long v) {
        return v < 64 ? 1 : v < 16384 ? 2 : v < (1L << 30) ? 4 : 8;
    }

    private static void putVarint(ByteArrayOutputStream out, long v) {
        int n = varintLength(v);
        int prefix = n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : 3;
        for (int i = n - 1; i >= 0; i--) {
            int b = (int) (v >>> (8 * i)) & 0xff;
            out.write(i == n - 1 ? b | prefix << 6 : b);
        }
    }

    /** The low {@code pnLen} bytes of {@code pn}, big-endian (RFC 9000 §17.1). */
    private static byte[] truncatedPn(long pn, int pnLen) {
        byte[] b = new byte[pnLen];
        for (int i = 0; i < pnLen; i++) {
            b[i] = (byte) (pn >>> (8 * (pnLen - 1 - i)));
        }
        return b;
    }

    /** RFC 9000 Table 5 (v1) and RFC 9369 §3.2 (v2) long packet type bits. */
    private static int typeBits(QuicVersion v, LongPacketType t) {
        int v1 = t == LongPacketType.INITIAL ? 0 : t == LongPacketType.ZERO_RTT ? 1 : t == LongPacketType.HANDSHAKE
                ? 2 : 3;
        return v == QuicVersion.V1 ? v1 : (v1 + 1) & 3;
    }

    /** The unprotected long header up to and including the packet number, with a 4-byte Length. */
    private static byte[] longHeader(QuicVersion v, LongPacketType t, ConnectionId dcid, ConnectionId scid,
            byte[] token, int pnLen, long pn, int lengthValue) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xc0 | typeBits(v, t) << 4 | (pnLen - 1));
        int wire = v == QuicVersion.V1 ? 0x00000001 : 0x6b3343cf;
        out.write(wire >>> 24);
        out.write(wire >>> 16);
        out.write(wire >>> 8);
        out.write(wire);
        out.write(dcid.length());
        out.writeBytes(dcid.toByteArray());
        out.write(scid.length());
        out.writeBytes(scid.toByteArray());
        if (t == LongPacketType.INITIAL) {
            putVarint(out, token.length);
            out.writeBytes(token);
        }
        // 4-byte varint: prefix 0b10
        out.write(0x80 | (lengthValue >>> 24 & 0x3f));
        out.write(lengthValue >>> 16);
        out.write(lengthValue >>> 8);
        out.write(lengthValue);
        out.writeBytes(truncatedPn(pn, pnLen));
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertSentinelOutside(ByteBuffer b, int from, int to) {
        byte[] a = b.array();
        for (int i = 0; i < a.length; i++) {
            if (i < from || i >= to) {
                assertEquals(SENTINEL, a[i], "byte " + i + " outside the packet [" + from + ", " + to + ") written");
            }
        }
    }

    private static void assertUntouched(ByteBuffer b) {
        assertSentinelOutside(b, 0, 0);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Long header: pn offset, the 4-byte Length field's value ({@code pnLen + payload + 16}) and every header byte, at
     * a non-zero start, for each type, both versions, CID lengths 0/8/20 and token lengths 0/1/63/64 (1- and 2-byte
     * Token Length varint). Packet number length varies so the payload (5 bytes) is above the HP minimum.
     */
    @ParameterizedTest(name = "{0} {1} dcid={2} scid={3} token={4} pnLen={5}")
    @CsvSource({
        "V1, INITIAL,   8,  8,  0, 1",
        "V1, INITIAL,   0,  0,  0, 2",
        "V1, INITIAL,  20, 20,  1, 3",
        "V1, INITIAL,   8,  0, 63, 4",
        "V1, INITIAL,   8,  5, 64, 1",
        "V1, HANDSHAKE, 8,  8,  0, 2",
        "V1, HANDSHAKE, 20, 0,  0, 4",
        "V1, ZERO_RTT,  0, 20,  0, 3",
        "V2, INITIAL,   8,  8, 64, 2",
        "V2, HANDSHAKE, 8,  8,  0, 1",
        "V2, ZERO_RTT,  5,  7,  0, 4",
    })
    void longHeaderPnOffsetLengthFieldAndBytes(QuicVersion v, LongPacketType t, int dcidLen, int scidLen,
            int tokenLen, int pnLen) throws Exception {
        ConnectionId dcid = cid(dcidLen, 0x10);
        ConnectionId scid = cid(scidLen, 0x50);
        byte[] token = bytes(tokenLen, 0x77);
        int start = 13;
        int expectedPnOffset = 1 + 4 + 1 + dcidLen + 1 + scidLen
                + (t == LongPacketType.INITIAL ? varintLength(tokenLen) + tokenLen : 0) + 4;
        ByteBuffer b = sentinelBuffer(400);
        b.position(5);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginLong(b, start, 300, v, t, dcid, scid, token, PN, pnLen, nullProtection()));
        assertEquals(start + expectedPnOffset, w.pnOffset());
        byte[] frame = {0x01, 0x01, 0x01, 0x01, 0x01};
        assertTrue(w.writeFrameBytes(frame, 0, frame.length));
        int length = w.finish(0);
        int expectedLengthField = pnLen + frame.length + TAG;
        assertEquals(expectedPnOffset + expectedLengthField, length);
        assertEquals(5, b.position(), "position restored");
        byte[] expected = concat(longHeader(v, t, dcid, scid, token, pnLen, PN, expectedLengthField), frame,
                new byte[TAG]);
        assertEquals(Hex.encode(expected), Hex.encode(Arrays.copyOfRange(b.array(), start, start + length)));
        assertSentinelOutside(b, start, start + length);

        // extra: the parser agrees on where the packet number is and where the packet ends
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(b, start, 0, h));
        assertEquals(start + expectedPnOffset, h.pnOffset());
        assertEquals(start + length, h.packetEnd());
    }

    /** Short header: pn offset {@code 1 + dcid}, first byte {@code 0x40 | KP << 2 | (pnLen - 1)}, every byte. */
    @ParameterizedTest(name = "dcid={0} keyPhase={1} pnLen={2}")
    @CsvSource({"0, 0, 1", "8, 1, 2", "20, 0, 3", "18, 1, 4", "1, 0, 4"})
    void shortHeaderPnOffsetAndBytes(int dcidLen, int keyPhase, int pnLen) throws Exception {
        ConnectionId dcid = cid(dcidLen, 0x30);
        int start = 29;
        ByteBuffer b = sentinelBuffer(200);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginShort(b, start, 120, dcid, keyPhase, PN, pnLen, nullProtection()));
        assertEquals(start + 1 + dcidLen, w.pnOffset());
        byte[] frame = {0x1c, 0x00, 0x00, 0x00};
        assertTrue(w.writeFrameBytes(frame, 0, frame.length));
        int length = w.finish(0);
        assertEquals(1 + dcidLen + pnLen + frame.length + TAG, length);
        byte[] expected = concat(new byte[] {(byte) (0x40 | keyPhase << 2 | (pnLen - 1))}, dcid.toByteArray(),
                truncatedPn(PN, pnLen), frame, new byte[TAG]);
        assertEquals(Hex.encode(expected), Hex.encode(Arrays.copyOfRange(b.array(), start, start + length)));
        assertSentinelOutside(b, start, start + length);

        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(b.duplicate().limit(start + length), start, dcidLen, h));
        assertEquals(start + 1 + dcidLen, h.pnOffset());
    }

    /**
     * RFC 9001 §5.4.2 with a 16-byte tag: {@code pnLen + payload >= 4}, so with F bytes of frames the writer adds
     * exactly {@code max(0, 4 - pnLen - F)} PADDING bytes (3/2/1/0 for an empty payload), the sample
     * {@code [pn_offset + 4, pn_offset + 20)} then ends exactly at (or before) the packet's end. Short and long
     * header, packet not at offset 0 of the buffer.
     */
    @ParameterizedTest(name = "pnLen={0} frameBytes={1}")
    @CsvSource({"1, 0", "2, 0", "3, 0", "4, 0", "1, 1", "2, 1", "3, 1", "4, 1", "1, 2", "1, 3", "2, 2"})
    void minimumPaddingForTheHeaderProtectionSample(int pnLen, int frameBytes) throws Exception {
        int expectedPadding = Math.max(0, 4 - pnLen - frameBytes);
        byte[] frame = new byte[frameBytes];
        Arrays.fill(frame, (byte) 0x01);
        ConnectionId dcid = cid(8, 0x40);
        PacketWriter w = new PacketWriter();

        // short header at offset 7
        int start = 7;
        ByteBuffer b = sentinelBuffer(100);
        assertTrue(w.beginShort(b, start, 80, dcid, 0, PN, pnLen, nullProtection()));
        assertTrue(w.writeFrameBytes(frame, 0, frameBytes));
        int length = w.finish(0);
        int pnOff = 1 + 8;
        assertEquals(pnOff + pnLen + frameBytes + expectedPadding + TAG, length);
        assertTrue(length >= pnOff + 4 + SAMPLE, "sample fits");
        byte[] expected = concat(new byte[] {(byte) (0x40 | (pnLen - 1))}, dcid.toByteArray(), truncatedPn(PN, pnLen),
                frame, new byte[expectedPadding], new byte[TAG]);
        assertEquals(Hex.encode(expected), Hex.encode(Arrays.copyOfRange(b.array(), start, start + length)));
        assertSentinelOutside(b, start, start + length);

        // Handshake (long header), 8/8 CIDs, at offset 50: the Length field says pnLen + payload + 16 >= 20
        start = 50;
        b = sentinelBuffer(200);
        assertTrue(w.beginLong(b, start, 120, QuicVersion.V1, LongPacketType.HANDSHAKE, dcid, dcid, null, PN, pnLen,
                nullProtection()));
        assertTrue(w.writeFrameBytes(frame, 0, frameBytes));
        length = w.finish(0);
        int longPnOff = 1 + 4 + 1 + 8 + 1 + 8 + 4;
        int lengthField = pnLen + frameBytes + expectedPadding + TAG;
        assertEquals(Math.max(20, pnLen + frameBytes + TAG), lengthField, "RFC 9001 §5.4.2 arithmetic");
        assertEquals(longPnOff + lengthField, length);
        expected = concat(longHeader(QuicVersion.V1, LongPacketType.HANDSHAKE, dcid, dcid, null, pnLen, PN,
                lengthField), frame, new byte[expectedPadding], new byte[TAG]);
        assertEquals(Hex.encode(expected), Hex.encode(Arrays.copyOfRange(b.array(), start, start + length)));
        assertSentinelOutside(b, start, start + length);
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(b, start, 8, h), "extra: the parser accepts the sample");
    }

    /**
     * finish(n) pads the packet (not the datagram) to n bytes, capped by the room: a packet at datagram offset 100
     * finished with 1200 - 100 ends the datagram at 1200 (ngtcp2 {@code dgram_padding}); a packet already past n gets
     * no padding; n beyond the room gives exactly the room (ngtcp2 "buffer is smaller than requested size": 111 +
     * 1169 = 1280). Bytes before the packet (a previous coalesced packet) and after the room are untouched.
     */
    @ParameterizedTest(name = "start={0} room={1} min={2} -> {3}")
    @CsvSource({
        "100, 1180, 1100, 1100",
        "100, 1180,    0,   52",
        "100, 1180,   52,   52",
        "100, 1180,   53,   53",
        "111, 1169, 1400, 1169",
        "889,  391,  311,  311",
        "  0, 1280, 1200, 1200",
    })
    void paddingAtANonZeroDatagramOffset(int start, int room, int min, int expectedLength) throws Exception {
        ByteBuffer b = sentinelBuffer(1400);
        b.limit(start + room);
        ConnectionId dcid = cid(8, 0x60);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginLong(b, start, room, QuicVersion.V1, LongPacketType.INITIAL, dcid, dcid, null, 0, 1,
                nullProtection()));
        // CONNECTION_CLOSE, reason "abc": 7 bytes; header 29 + 7 + tag 16 = 52 bytes unpadded
        byte[] frame = Hex.decode("1c000003616263");
        assertTrue(w.writeFrameBytes(frame, 0, frame.length));
        int length = w.finish(min);
        int header = 1 + 4 + 1 + 8 + 1 + 8 + 1 + 4 + 1;
        assertEquals(Math.max(header + frame.length + TAG, expectedLength), length);
        int padding = length - header - frame.length - TAG;
        byte[] expected = concat(longHeader(QuicVersion.V1, LongPacketType.INITIAL, dcid, dcid, new byte[0], 1, 0,
                1 + frame.length + padding + TAG), frame, new byte[padding], new byte[TAG]);
        assertArrayEquals(expected, Arrays.copyOfRange(b.array(), start, start + length));
        assertSentinelOutside(b, start, start + length);
    }

    /**
     * The smallest room a packet can begin in is {@code pn_offset + 4 + 16} for every packet number length (RFC
     * 9001 §5.4.2; ngtcp2 encode_hd: "a buffer of 1+dcid+4+16-1 gives NOBUF"). One byte less: begin returns false
     * and writes nothing. Exactly that room: the packet is exactly the room.
     */
    @ParameterizedTest(name = "pnLen={0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void headerStageOneByteTooSmall(int pnLen) throws Exception {
        ConnectionId dcid = cid(8, 0x20);
        ConnectionId scid = cid(5, 0x70);
        byte[] token = bytes(64, 1);
        int shortMin = 1 + 8 + 4 + SAMPLE;
        int longMin = 1 + 4 + 1 + 8 + 1 + 5 + 2 + 64 + 4 + 4 + SAMPLE;
        int start = 3;
        PacketWriter w = new PacketWriter();

        ByteBuffer b = sentinelBuffer(300);
        b.position(1);
        assertFalse(w.beginShort(b, start, shortMin - 1, dcid, 0, PN, pnLen, nullProtection()));
        assertFalse(w.beginLong(b, start, longMin - 1, QuicVersion.V1, LongPacketType.INITIAL, dcid, scid, token, PN,
                pnLen, nullProtection()));
        assertEquals(1, b.position());
        assertUntouched(b);

        assertTrue(w.beginShort(b, start, shortMin, dcid, 0, PN, pnLen, nullProtection()));
        assertEquals(shortMin, w.finish(0));
        assertSentinelOutside(b, start, start + shortMin);

        b = sentinelBuffer(300);
        assertTrue(w.beginLong(b, start, longMin, QuicVersion.V1, LongPacketType.INITIAL, dcid, scid, token, PN,
                pnLen, nullProtection()));
        assertEquals(longMin, w.finish(0));
        assertSentinelOutside(b, start, start + longMin);
    }

    /** A Retry has no Length, packet number nor protected payload (RFC 9000 §17.2.5): beginLong refuses the type. */
    @Test
    void aRetryIsNotAProtectedLongHeaderPacket() throws Exception {
        PacketWriter w = new PacketWriter();
        ByteBuffer b = sentinelBuffer(300);
        b.position(1);
        assertThrows(IllegalArgumentException.class, () -> w.beginLong(b, 3, 200, QuicVersion.V1,
                LongPacketType.RETRY, cid(8, 0x20), cid(5, 0x70), null, PN, 1, nullProtection()));
        assertEquals(1, b.position());
        assertUntouched(b);
    }

    /**
     * Frame stage and tag stage, room R: frames may use exactly {@code R - pn_offset - pnLen - 16} bytes. A frame one
     * byte larger (which would leave only 15 bytes for the tag) is refused and writes nothing; the exact one is
     * accepted, after which even a 1-byte frame is refused; the sealed packet is exactly R bytes, its 16-byte tag
     * ends at {@code start + R} (the buffer's limit), and nothing past it is written.
     */
    @ParameterizedTest(name = "pnLen={0}")
    @ValueSource(ints = {1, 2, 4})
    void frameAndTagStageOneByteTooSmall(int pnLen) throws Exception {
        ConnectionId dcid = cid(8, 0x20);
        int start = 11;
        int room = 90;
        int pnOff = 1 + 8;
        int free = room - pnOff - pnLen - TAG;
        ByteBuffer b = sentinelBuffer(200);
        b.limit(start + room);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginShort(b, start, room, dcid, 0, PN, pnLen, nullProtection()));
        byte[] big = bytes(free + 1, 9);
        assertFalse(w.writeFrameBytes(big, 0, free + 1));
        assertSentinelOutside(b, start, start + pnOff + pnLen);
        // a CONNECTION_CLOSE one byte too large: 1c, code 1 byte, frame type 1 byte, reason length 1 byte, reason
        int reasonLen = free + 1 - 4;
        assertTrue(reasonLen < 64);
        assertFalse(w.writeConnectionClose(CloseType.TRANSPORT, 0, 0, new byte[reasonLen], 0, reasonLen));
        assertSentinelOutside(b, start, start + pnOff + pnLen);
        // an encoder writing through frameBuffer one byte too far is caught
        ByteBuffer fb = w.frameBuffer();
        fb.put(big, 0, free + 1 - 1).put((byte) 0x01);
        assertThrows(IllegalStateException.class, w::commitFrame);
        w.abandon();

        b = sentinelBuffer(200);
        b.limit(start + room);
        assertTrue(w.beginShort(b, start, room, dcid, 0, PN, pnLen, nullProtection()));
        assertTrue(w.writeConnectionClose(CloseType.TRANSPORT, 0, 0, new byte[reasonLen - 1], 0, reasonLen - 1));
        assertFalse(w.writeFrameBytes(new byte[] {0x01}, 0, 1), "no byte left for frames");
        assertEquals(room, w.finish(room + 500));
        byte[] close = concat(new byte[] {0x1c, 0x00, 0x00, (byte) (reasonLen - 1)}, new byte[reasonLen - 1]);
        byte[] expected = concat(new byte[] {(byte) (0x40 | (pnLen - 1))}, dcid.toByteArray(), truncatedPn(PN, pnLen),
                close, new byte[TAG]);
        assertEquals(Hex.encode(expected), Hex.encode(Arrays.copyOfRange(b.array(), start, start + room)));
        assertSentinelOutside(b, start, start + room);
    }

    /**
     * The Length field stays a 4-byte varint (prefix 0b10) with value {@code pnLen + payload + 16} when that value or
     * the payload crosses the 1-byte (63) and 2-byte (16383) varint limits, and the packet number does not move.
     */
    @ParameterizedTest(name = "payload={0}")
    @ValueSource(ints = {46, 47, 63, 64, 16366, 16367, 16383, 16384})
    void lengthFieldAcrossVarintBoundaries(int payload) throws Exception {
        ConnectionId dcid = cid(8, 0x11);
        int start = 4;
        int pnLen = 1;
        int room = 17000;
        ByteBuffer b = sentinelBuffer(start + room + 10);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginLong(b, start, room, QuicVersion.V1, LongPacketType.HANDSHAKE, dcid, dcid, null, PN, pnLen,
                nullProtection()));
        int pnOff = 1 + 4 + 1 + 8 + 1 + 8 + 4;
        assertEquals(start + pnOff, w.pnOffset());
        byte[] frames = new byte[payload];
        Arrays.fill(frames, (byte) 0x01);
        assertTrue(w.writeFrameBytes(frames, 0, payload));
        int length = w.finish(0);
        int lengthValue = pnLen + payload + TAG;
        assertEquals(pnOff + lengthValue, length);
        int lengthIndex = start + pnOff - 4;
        byte[] a = b.array();
        assertEquals(0x80 | (lengthValue >>> 24), a[lengthIndex] & 0xff, "4-byte varint prefix");
        assertEquals(lengthValue & 0xffffff,
                (a[lengthIndex + 1] & 0xff) << 16 | (a[lengthIndex + 2] & 0xff) << 8 | (a[lengthIndex + 3] & 0xff));
        assertEquals(PN & 0xff, a[start + pnOff] & 0xff);
        assertSentinelOutside(b, start, start + length);
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(b, start, 8, h));
        assertEquals(start + length, h.packetEnd());
    }

    /**
     * RFC 9000 §17.2: header fields are big-endian whatever the destination's byte order, and a direct buffer gets the
     * same bytes as a heap one: an Initial with a 2-byte Token Length (token of 64), a 4-byte Length and a 4-byte
     * packet number at offset 9, padded to 200, in heap/direct x big/little-endian buffers limited to the room.
     */
    @Test
    void byteOrderAndDirectBuffersDoNotChangeTheBytes() throws Exception {
        ConnectionId dcid = cid(8, 0x21);
        ConnectionId scid = cid(3, 0x41);
        byte[] token = bytes(64, 5);
        int start = 9;
        int room = 250;
        byte[] frame = {0x1c, 0x00, 0x00, 0x00};
        int pnOff = 1 + 4 + 1 + 8 + 1 + 3 + 2 + 64 + 4;
        int padding = 200 - pnOff - 4 - frame.length - TAG;
        byte[] expected = concat(longHeader(QuicVersion.V1, LongPacketType.INITIAL, dcid, scid, token, 4, PN,
                4 + frame.length + padding + TAG), frame, new byte[padding], new byte[TAG]);
        PacketWriter w = new PacketWriter();
        for (boolean direct : new boolean[] {false, true}) {
            for (java.nio.ByteOrder order : new java.nio.ByteOrder[] {java.nio.ByteOrder.BIG_ENDIAN,
                    java.nio.ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer b = direct ? ByteBuffer.allocateDirect(start + room) : ByteBuffer.allocate(start + room);
                b.order(order);
                assertTrue(w.beginLong(b, start, room, QuicVersion.V1, LongPacketType.INITIAL, dcid, scid, token, PN,
                        4, nullProtection()));
                assertEquals(start + pnOff, w.pnOffset());
                assertTrue(w.writeFrameBytes(frame, 0, frame.length));
                assertEquals(200, w.finish(200));
                byte[] out = new byte[200];
                b.get(start, out);
                assertEquals(Hex.encode(expected), Hex.encode(out), (direct ? "direct " : "heap ") + order);
            }
        }
    }

    /**
     * RFC 9001 Appendix A.1 client Initial keys, computed independently with JCA (RFC 9001 §5.3 nonce = iv XOR pn,
     * AAD = the unprotected header; §5.4.3 mask = AES-ECB(hp, sample), sample at pn_offset + 4; §5.4.1 low 4 bits of
     * the first byte and the pnLen packet number bytes masked). A minimal packet (one PING, HP padding) at a non-zero
     * offset: the sample is the packet's last 16 bytes when pnLen + payload = 4 (pnLen 1 to 3).
     */
    @ParameterizedTest(name = "pnLen={0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void rfc9001ClientInitialKeysMinimalPacket(int pnLen) throws Exception {
        byte[] key = Hex.decode("1f369613dd76d5467730efcbe3b1a22d");
        byte[] iv = Hex.decode("fa044b2f42a3fd3b46fb255c");
        byte[] hp = Hex.decode("9f50449e04a0e810283a1e9933adedd2");
        PacketProtection aes = CryptoProvider.jca().newPacketProtection(QuicVersion.V1,
                CipherSuite.TLS_AES_128_GCM_SHA256,
                Hex.decode("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea"));
        ConnectionId dcid = ConnectionId.fromHex("8394c8f03e515708");
        long pn = 2;
        int start = 21;
        ByteBuffer b = sentinelBuffer(200);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginLong(b, start, 150, QuicVersion.V1, LongPacketType.INITIAL, dcid, ConnectionId.empty(), null,
                pn, pnLen, aes));
        assertTrue(w.writeFrameBytes(new byte[] {0x01}, 0, 1));
        int length = w.finish(0);

        int padding = Math.max(0, 4 - pnLen - 1);
        byte[] plaintext = new byte[1 + padding];
        plaintext[0] = 0x01;
        byte[] header = longHeader(QuicVersion.V1, LongPacketType.INITIAL, dcid, ConnectionId.empty(), new byte[0],
                pnLen, pn, pnLen + plaintext.length + TAG);
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (pn >>> (8 * i));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(header);
        byte[] packet = concat(header, gcm.doFinal(plaintext));
        int pnOff = header.length - pnLen;
        // pnLen 1..3: the sample's last byte is the packet's last byte; pnLen 4: the PING alone is one byte more
        assertEquals(Math.max(pnOff + 4 + SAMPLE, pnOff + pnLen + 1 + TAG), packet.length);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
        byte[] mask = ecb.doFinal(Arrays.copyOfRange(packet, pnOff + 4, pnOff + 4 + SAMPLE));
        packet[0] ^= (byte) (mask[0] & 0x0f);
        for (int i = 0; i < pnLen; i++) {
            packet[pnOff + i] ^= mask[1 + i];
        }
        assertEquals(packet.length, length);
        assertEquals(Hex.encode(packet), Hex.encode(Arrays.copyOfRange(b.array(), start, start + length)));
        assertSentinelOutside(b, start, start + length);
    }
}
