package dev.quicj.core.packet;

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
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Cases that PIT (pitest 1.20, STRONGER mutators) found unchecked in {@link PacketWriter}: the pn offset of a
 * Handshake header (no Token Length field, RFC 9000 §17.2.4, whatever token the caller passes), frames and commits of
 * exactly the free room, PADDING runs longer than the writer's 2048-byte zero block, and the documented argument and
 * state checks. Expected sizes are the RFC arithmetic, computed here.
 */
class PacketWriterMutationGapsTest {
    private static final byte SENTINEL = (byte) 0xa5;
    private static final ConnectionId DCID = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId SCID = ConnectionId.fromHex("1112131415161718");

    private static PacketProtection nullProtection() throws Exception {
        return CryptoProvider.nullCrypto().newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256,
                new byte[32]);
    }

    /**
     * RFC 9000 §17.2.4: a Handshake header has no Token Length; pn_offset = 1+4+1+8+1+8 + 4 (Length) = 27 with 8-byte
     * CIDs; an Initial adds the Token Length varint and the token (close-spec §3.4).
     */
    @Test
    void handshakePnOffsetHasNoTokenField() throws Exception {
        assertEquals(27, PacketWriter.longHeaderPnOffset(LongPacketType.HANDSHAKE, 8, 8, 0));
        assertEquals(27, PacketWriter.longHeaderPnOffset(LongPacketType.HANDSHAKE, 8, 8, 100));
        assertEquals(27, PacketWriter.longHeaderPnOffset(LongPacketType.ZERO_RTT, 8, 8, 100));
        assertEquals(28, PacketWriter.longHeaderPnOffset(LongPacketType.INITIAL, 8, 8, 0));
        assertEquals(27 + 2 + 100, PacketWriter.longHeaderPnOffset(LongPacketType.INITIAL, 8, 8, 100));

        // "token: the Initial token (ignored for other types)": a Handshake packet given one still begins in the
        // smallest room the HP sample allows, pn_offset + 4 + 16 = 47, and carries no token
        byte[] token = new byte[100];
        Arrays.fill(token, (byte) 0x77);
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(47);
        assertFalse(w.beginLong(b, 0, 46, QuicVersion.V1, LongPacketType.HANDSHAKE, DCID, SCID, token, 0, 1,
                nullProtection()));
        assertTrue(w.beginLong(b, 0, 47, QuicVersion.V1, LongPacketType.HANDSHAKE, DCID, SCID, token, 0, 1,
                nullProtection()));
        assertEquals(27, w.pnOffset());
        assertTrue(w.writeFrameBytes(new byte[] {1}, 0, 1));
        assertEquals(47, w.finish(0));
        // e0 | version | 08 dcid | 08 scid | Length 4-byte form: pn 1 + payload 3 (1 + 2 HP padding) + tag 16 = 20
        assertEquals("e000000001080102030405060708081112131415161718" + "80000014" + "00" + "010000",
                Hex.encode(b.array(), 0, 31));
    }

    /**
     * An Initial's token counts in its pn offset: with a 100-byte token and 8-byte CIDs, pn_offset = 1+4+1+8+1+8 + 2
     * (Token Length, the 2-byte varint 0x4064 for 100) + 100 + 4 (Length) = 129, and the smallest room is 129 + 4 +
     * 16 = 149.
     */
    @Test
    void initialTokenCountsInTheSmallestRoom() throws Exception {
        byte[] token = new byte[100];
        Arrays.fill(token, (byte) 0x77);
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(149);
        assertFalse(w.beginLong(b, 0, 148, QuicVersion.V1, LongPacketType.INITIAL, DCID, SCID, token, 0, 1,
                nullProtection()));
        assertTrue(w.beginLong(b, 0, 149, QuicVersion.V1, LongPacketType.INITIAL, DCID, SCID, token, 0, 1,
                nullProtection()));
        assertEquals(129, w.pnOffset());
        assertEquals("4064", Hex.encode(b.array(), 23, 2));
        w.abandon();
    }

    @Test
    void aFrameOrCommitOfExactlyTheFreeRoomFitsAndOneMoreByteDoesNot() throws Exception {
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(100);
        // short header: 1 + 8 + pn 1 = 10, tag 16: 74 bytes free of 100
        assertTrue(w.beginShort(b, 0, 100, DCID, 0, 0, 1, nullProtection()));
        assertEquals(0, w.payloadLength());
        assertEquals(74, w.remaining());
        assertFalse(w.writeFrameBytes(new byte[75], 0, 75));
        assertTrue(w.writeFrameBytes(new byte[] {1, 1, 1}, 0, 3));
        assertEquals(3, w.payloadLength());
        assertEquals(71, w.remaining());
        assertTrue(w.writeFrameBytes(new byte[71], 0, 71));
        assertEquals(74, w.payloadLength());
        assertEquals(0, w.remaining());
        assertEquals(100, w.finish(0));

        // an encoder that wrote nothing commits nothing
        assertTrue(w.beginShort(b, 0, 100, DCID, 0, 0, 1, nullProtection()));
        w.frameBuffer();
        w.commitFrame();
        assertEquals(0, w.payloadLength());
        w.abandon();

        assertTrue(w.beginShort(b, 0, 100, DCID, 0, 0, 1, nullProtection()));
        w.frameBuffer().put(new byte[74]);
        w.commitFrame();
        assertEquals(74, w.payloadLength());
        w.abandon();

        assertTrue(w.beginShort(b, 0, 100, DCID, 0, 0, 1, nullProtection()));
        w.frameBuffer().put(new byte[75]);
        assertThrows(IllegalStateException.class, w::commitFrame);
        w.abandon();

        // an encoder that moved the position backwards wrote outside the packet too
        assertTrue(w.beginShort(b, 0, 100, DCID, 0, 0, 1, nullProtection()));
        w.frameBuffer().position(9);
        assertThrows(IllegalStateException.class, w::commitFrame);
        w.abandon();
    }

    @Test
    void theDocumentedChecks() throws Exception {
        PacketWriter w = new PacketWriter();
        // abandon on an idle writer does nothing
        w.abandon();
        w.abandon();
        assertThrows(IllegalStateException.class, () -> w.finish(0));
        assertThrows(IllegalStateException.class, () -> w.writeFrameBytes(new byte[1], 0, 1));
        ByteBuffer ro = ByteBuffer.allocate(100).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class,
                () -> w.beginShort(ro, 0, 100, DCID, 0, 0, 1, nullProtection()));
        assertThrows(IllegalArgumentException.class, () -> w.beginLong(ro, 0, 100, QuicVersion.V1,
                LongPacketType.INITIAL, DCID, SCID, null, 0, 1, nullProtection()));
        // still idle
        assertThrows(IllegalStateException.class, () -> w.finish(0));
    }

    /** PADDING runs longer than 2048 bytes (a client Initial padded to a large max_tx_udp_payload_size). */
    @Test
    void zeroFillsLongRunsExactlyOnHeapAndDirectBuffers() {
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(6000) : ByteBuffer.allocate(6000);
            for (int i = 0; i < 6000; i++) {
                b.put(i, SENTINEL);
            }
            PacketWriter.zero(b, 500, 5000);
            for (int i = 0; i < 6000; i++) {
                byte want = i >= 500 && i < 5500 ? 0 : SENTINEL;
                assertEquals(want, b.get(i), "direct " + direct + " index " + i);
            }
            assertEquals(0, b.position());
        }
    }
}
