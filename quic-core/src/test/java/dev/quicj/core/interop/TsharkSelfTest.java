package dev.quicj.core.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Self-tests of {@link Tshark} on fixed datagrams (RFC 9001 Appendix A, close spec §8.3 V2/V3). */
@Timeout(120)
class TsharkSelfTest {
    private Tshark tshark;

    @BeforeEach
    void requireTshark() {
        Peers.requireTool(Peers.Tool.TSHARK);
        tshark = Tshark.create();
    }

    @Test
    void decodesRfc9001ClientInitial() throws Exception {
        byte[] a2 = InteropVectors.rfc9001ClientInitial();
        assertEquals(1200, a2.length);
        TsharkResult r = tshark.decode(Datagram.fromClient(a2));
        assertEquals(1, r.datagrams().size(), r::summary);
        DecodedDatagram d = r.datagram(1);
        assertEquals(Tshark.CLIENT_PORT, d.srcPort());
        assertEquals(Tshark.SERVER_PORT, d.dstPort());
        assertArrayEquals(a2, d.payload());
        assertEquals(1, d.packets().size(), r::summary);
        DecodedPacket p = d.packets().get(0);
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertEquals(OptionalLong.of(1), p.version());
        assertEquals(InteropVectors.ORIGINAL_DCID_HEX, p.dcid());
        assertEquals("", p.scid());
        assertEquals(OptionalLong.of(2), p.packetNumber(), r::summary);
        assertEquals(0, p.tokenLength());
        assertEquals(1200, p.packetLength());
        assertFalse(p.decryptionFailed(), r::summary);
        assertFalse(p.malformed(), r::summary);
        List<DecodedFrame.Crypto> crypto = p.frames(DecodedFrame.Crypto.class);
        assertEquals(1, crypto.size(), r::summary);
        assertEquals(0, crypto.get(0).offset());
        assertEquals(241, crypto.get(0).length());
        assertEquals(6, crypto.get(0).type());
        // RFC 9001 A.2 gives the unprotected CRYPTO frame; its first bytes are 06 00 40 f1 01 00 00 ed.
        assertEquals("060040f1010000ed", dev.quicj.core.Hex.encode(crypto.get(0).raw(), 0, 8));
        List<DecodedFrame.Padding> padding = p.frames(DecodedFrame.Padding.class);
        assertEquals(1, padding.size(), r::summary);
        // 1162-byte payload = 245 bytes of CRYPTO frame + 917 of padding.
        assertEquals(917, padding.get(0).length());
        assertTrue(r.connectionCloses().isEmpty());
    }

    @Test
    void decodesLoneServerInitialCloseV2WithOriginalDcid() throws Exception {
        byte[] v2 = InteropVectors.closeSpecV2ServerInitialClose();
        assertEquals(50, v2.length);
        TsharkResult r = tshark.decode(InteropVectors.originalDcid(), List.of(Datagram.fromServer(v2)));
        assertEquals(1, r.datagrams().size(), r::summary);
        DecodedDatagram d = r.datagram(1);
        assertEquals(Tshark.SERVER_PORT, d.srcPort());
        assertArrayEquals(v2, d.payload());
        DecodedPacket p = d.packets().get(0);
        assertEquals(PacketType.INITIAL, p.type());
        assertEquals("0102030405060708", p.dcid());
        assertEquals("f067a5502a4262b5", p.scid());
        assertEquals(OptionalLong.of(0), p.packetNumber(), r::summary);
        assertEquals(50, p.packetLength());
        assertEquals(1, p.frames().size(), r::summary);
        DecodedFrame.ConnectionClose cc = assertInstanceOf(DecodedFrame.ConnectionClose.class, p.frames().get(0));
        assertEquals(0x1c, cc.type());
        assertTrue(cc.isTransport());
        assertEquals(0x128, cc.errorCode());
        assertEquals(OptionalLong.of(0), cc.triggeringFrameType());
        assertEquals(0, cc.reasonLength());
        assertEquals(0, cc.reason().length);
        assertEquals(OptionalInt.of(40), cc.tlsAlert());
        assertEquals("1c41280000", dev.quicj.core.Hex.encode(cc.raw()));
        assertEquals(List.of(cc), r.connectionCloses());
    }

    @Test
    void decodesLoneServerInitialCloseV3WithOriginalDcid() throws Exception {
        byte[] v3 = InteropVectors.closeSpecV3ServerInitialClose();
        assertEquals(49, v3.length);
        TsharkResult r = tshark.decode(InteropVectors.originalDcid(), List.of(Datagram.fromServer(v3)));
        List<DecodedFrame.ConnectionClose> closes = r.connectionCloses();
        assertEquals(1, closes.size(), r::summary);
        DecodedFrame.ConnectionClose cc = closes.get(0);
        assertEquals(0x1c, cc.type());
        assertEquals(0xc, cc.errorCode());
        assertEquals(OptionalLong.of(0), cc.triggeringFrameType());
        assertEquals(0, cc.reasonLength());
        assertEquals(OptionalInt.empty(), cc.tlsAlert());
        assertEquals(OptionalLong.of(0), r.packets().get(0).packetNumber());
        assertEquals("d=1 udp=443>50000 dlen=49 pkt=Initial ver=0x00000001 dcid=0102030405060708 "
                + "scid=f067a5502a4262b5 pn=0 plen=49 frame=CONNECTION_CLOSE type=0x1c error=0xc frame_type=0x0 "
                + "reason_len=0 reason=\"\"", r.summary());
    }

    @Test
    void loneServerInitialDoesNotDecryptWithoutOriginalDcid() throws Exception {
        TsharkResult r = tshark.decode(Datagram.fromServer(InteropVectors.closeSpecV2ServerInitialClose()));
        DecodedPacket p = r.packets().get(0);
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertTrue(p.decryptionFailed(), r::summary);
        assertTrue(p.decryptionMessage().contains("Decryption failed"), p.decryptionMessage());
        assertEquals(OptionalLong.empty(), p.packetNumber());
        assertTrue(p.frames().isEmpty());
    }

    @Test
    void decodesRfc9001ServerInitialWithEmptyDcid() throws Exception {
        // The A.3 server Initial has an empty DCID, so the synthetic client Initial gets an empty SCID.
        TsharkResult r = tshark.decode(InteropVectors.originalDcid(),
                List.of(Datagram.fromServer(InteropVectors.rfc9001ServerInitial())));
        DecodedPacket p = r.packets().get(0);
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertEquals("", p.dcid());
        assertEquals("f067a5502a4262b5", p.scid());
        assertEquals(OptionalLong.of(1), p.packetNumber(), r::summary);
        List<DecodedFrame.Ack> acks = p.frames(DecodedFrame.Ack.class);
        assertEquals(1, acks.size(), r::summary);
        assertEquals(0, acks.get(0).largestAcknowledged());
        List<DecodedFrame.Crypto> crypto = p.frames(DecodedFrame.Crypto.class);
        assertEquals(1, crypto.size(), r::summary);
        assertEquals(90, crypto.get(0).length());
    }

    @Test
    void decodesAConversationAndAPcapFile(@TempDir Path tmp) throws Exception {
        // Client Initial first, then the server's: no synthetic Initial needed; the same via a pcap file.
        List<Datagram> conversation = List.of(Datagram.fromClient(InteropVectors.rfc9001ClientInitial()),
                Datagram.fromServer(InteropVectors.rfc9001ServerInitial()));
        TsharkResult direct = tshark.decode(conversation);
        Path pcap = tmp.resolve("conversation.pcap");
        Tshark.writePcap(pcap, conversation);
        assertTrue(Files.size(pcap) > 1335);
        TsharkResult fromFile = tshark.decodeCapture(pcap);
        for (TsharkResult r : List.of(direct, fromFile)) {
            assertEquals(2, r.datagrams().size(), r::summary);
            assertEquals(OptionalLong.of(2), r.datagram(1).packets().get(0).packetNumber(), r::summary);
            DecodedPacket server = r.datagram(2).packets().get(0);
            assertEquals(Tshark.SERVER_PORT, r.datagram(2).srcPort());
            assertEquals(OptionalLong.of(1), server.packetNumber(), r::summary);
            assertFalse(server.decryptionFailed(), r::summary);
        }
        assertEquals(direct.summary(), fromFile.summary());
    }
    @Test
    void decodesVersionNegotiationRetryAndATruncatedPacket() throws Exception {
        // Hand-written VN (versions 1 and 2), the RFC 9001 A.4 Retry, and the first 30 bytes of V2.
        byte[] vn = dev.quicj.core.Hex.decode("80 00000000 08 0102030405060708 08 f067a5502a4262b5 00000001 6b3343cf");
        byte[] retry = dev.quicj.core.Hex.decode(
                "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");
        byte[] truncated = java.util.Arrays.copyOf(InteropVectors.closeSpecV2ServerInitialClose(), 30);
        TsharkResult r = tshark.decode(Datagram.fromServer(vn), Datagram.fromServer(retry),
                Datagram.fromServer(truncated));
        assertEquals(3, r.datagrams().size(), r::summary);
        DecodedPacket v = r.datagram(1).packets().get(0);
        assertEquals(PacketType.VERSION_NEGOTIATION, v.type(), r::summary);
        assertEquals(OptionalLong.of(0), v.version());
        assertEquals("0102030405060708", v.dcid());
        assertEquals("f067a5502a4262b5", v.scid());
        assertEquals(List.of(1L, 0x6b3343cfL), v.supportedVersions());
        assertFalse(v.decryptionFailed());
        DecodedPacket rt = r.datagram(2).packets().get(0);
        assertEquals(PacketType.RETRY, rt.type(), r::summary);
        assertEquals("", rt.dcid());
        assertEquals("f067a5502a4262b5", rt.scid());
        assertEquals(5, rt.tokenLength(), "token 'token'");
        assertEquals(OptionalLong.empty(), rt.packetNumber());
        assertFalse(rt.decryptionFailed());
        DecodedPacket t = r.datagram(3).packets().get(0);
        assertTrue(t.malformed(), r::summary);
        assertTrue(t.frames().isEmpty());
    }
}
