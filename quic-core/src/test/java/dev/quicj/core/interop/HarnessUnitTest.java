package dev.quicj.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import dev.quicj.core.Hex;

/** Tests of the harness parts that need no external program: log and JSON parsing, pcap writing, skip-or-fail. */
class HarnessUnitTest {

    @Test
    void parsesNgtcp2CloseLines() {
        String log = String.join("\n",
                "Using document root /tmp/x/",
                "I00000001 0x5237211229bf1eeab602df9ce5f653b283 frm rx 0 Initial CONNECTION_CLOSE(0x1c) "
                        + "error_code=CRYPTO_ERROR(0x128) frame_type=0 reason_len=0 reason=[]",
                "I00000028 0x516bb4a6c63ba913458f3c1b06eda3a583 frm tx 3 1RTT CONNECTION_CLOSE(0x1d) "
                        + "error_code=(unknown)(0x100) frame_type=0 reason_len=0 reason=[]\r",
                "I00000030 0xaa frm rx 7 Handshake CONNECTION_CLOSE(0x1c) error_code=PROTOCOL_VIOLATION(0xa) "
                        + "frame_type=1e reason_len=12 reason=[a \"b\" [c] .]",
                "I00000031 0xaa frm rx 7 Handshake PADDING(0x00) len=3",
                "ngtcp2_conn_read_pkt: ERR_DRAINING",
                "Closing Period: TX CONNECTION_CLOSE");
        List<Ngtcp2Close> closes = Ngtcp2Log.closes(log);
        assertEquals(3, closes.size());
        Ngtcp2Close a = closes.get(0);
        assertEquals(Ngtcp2Close.Direction.RECEIVED, a.direction());
        assertEquals(Ngtcp2Close.Level.INITIAL, a.level());
        assertEquals(2, a.lineNumber());
        assertEquals("peer-close level=initial type=0x1c error=0x128 frame_type=0x0 pn=0 error_name=CRYPTO_ERROR "
                + "reason_len=0 reason=\"\"", a.summary());
        Ngtcp2Close b = closes.get(1);
        assertEquals("local-close level=1rtt type=0x1d error=0x100 frame_type=0x0 pn=3 error_name=unknown "
                + "reason_len=0 reason=\"\"", b.summary());
        Ngtcp2Close c = closes.get(2);
        assertEquals(Ngtcp2Close.Level.HANDSHAKE, c.level());
        assertEquals(0x1e, c.frameType());
        assertEquals(12, c.reasonLength());
        assertEquals("a \"b\" [c] .", c.reason());
        assertEquals("peer-close level=handshake type=0x1c error=0xa frame_type=0x1e pn=7 "
                + "error_name=PROTOCOL_VIOLATION reason_len=12 reason=\"a \\\"b\\\" [c] .\"", c.summary());
        assertEquals(List.of(a, c), Ngtcp2Log.received(log));
        assertEquals(List.of(b), Ngtcp2Log.sent(log));
        assertEquals(Optional.of("ngtcp2_conn_read_pkt: ERR_DRAINING"), Ngtcp2Log.lastErrorLine(log));
    }

    @Test
    void findsUnexpectedPacketLines() {
        String log = "Received packet: local=[127.0.0.1]:1 remote=[127.0.0.1]:2 if=lo ecn=0x0 1100 bytes\n"
                + "Unexpected packet received: length=1100\nUnexpected packet received: length=20\n";
        assertEquals(List.of(1100, 20), Ngtcp2Log.unexpectedPacketLengths(log));
        assertTrue(Ngtcp2Log.unexpectedPacketLengths("nothing").isEmpty());
    }

    @Test
    void skipsOrFailsOnMissingPeers() {
        assertTrue(Peers.isCi("true"));
        assertTrue(Peers.isCi("TRUE"));
        assertTrue(Peers.isCi("1"));
        assertTrue(!Peers.isCi(null) && !Peers.isCi("") && !Peers.isCi("false"));
        String msg = Peers.missingMessage(List.of(Peers.Tool.GTLSCLIENT, Peers.Tool.GTLSSERVER, Peers.Tool.DUMPCAP,
                Peers.Tool.TSHARK));
        assertTrue(msg.contains("apt-get install -y ngtcp2-client ngtcp2-server tshark"), msg);
        TestAbortedException skipped = assertThrows(TestAbortedException.class, () -> Peers.unavailable(false, msg));
        assertTrue(skipped.getMessage().contains("ngtcp2-client"));
        AssertionFailedError failed = assertThrows(AssertionFailedError.class, () -> Peers.unavailable(true, msg));
        assertTrue(failed.getMessage().contains("apt-get install -y ngtcp2-client"), failed.getMessage());
        assertEquals("apt-get install -y openssl", Peers.installHint(Peers.Tool.OPENSSL));
    }

    @Test
    void parsesJson() {
        Object v = Json.parse("{\"a\": [1, -2, 3.5e1, \"x\\u0041\\n\\\"\"], \"b\": {\"c\": null, \"d\": true},"
                + " \"e\": 18446744073709551615}");
        Map<String, Object> o = Json.asObject(v);
        assertEquals(List.of(1L, -2L, 35.0, "xA\n\""), o.get("a"));
        assertEquals(Boolean.TRUE, Json.asObject(o.get("b")).get("d"));
        assertTrue(Json.asObject(o.get("b")).containsKey("c"));
        assertInstanceOf(Double.class, o.get("e"));
        assertEquals(Json.asObject(o.get("b")), Json.findObjectWithKey(v, "d"));
        assertEquals("1", Json.string(o, "a"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"abc"));
    }

    @Test
    void parsesTsharkJsonShapes() {
        // One datagram with two coalesced packets; frames as an array with raw bytes; a decryption failure.
        String json = "[{\"_source\": {\"layers\": {"
                + "\"frame\": {\"frame.number\": \"2\"},"
                + "\"udp\": {\"udp.srcport\": \"443\", \"udp.dstport\": \"50000\", \"udp.payload\": \"c0:01\"},"
                + "\"quic\": [{\"quic.packet_length\": \"40\", \"quic.long.packet_type\": \"0\","
                + "  \"quic.version\": \"0x00000001\", \"quic.dcid\": \"01:02\", \"quic.scid\": \"\","
                + "  \"quic.token_length\": \"0\", \"quic.packet_number\": \"5\","
                + "  \"quic.frame_raw\": [[\"0000\", 0, 2, 0, 0], [\"1c0a0603616263\", 2, 7, 0, 0]],"
                + "  \"quic.frame\": [{\"quic.frame_type\": \"0\", \"quic.padding_length\": \"2\"},"
                + "    {\"quic.frame_type\": \"28\", \"quic.cc.error_code\": \"10\", \"quic.cc.frame_type\": \"6\","
                + "     \"quic.cc.reason_phrase.length\": \"3\", \"quic.cc.reason_phrase\": \"abc\","
                + "     \"quic.cc.reason_phrase_raw\": [\"616263\", 6, 3, 0, 26]}]},"
                + " {\"quic.packet_length\": \"30\", \"quic.long.packet_type\": \"2\", \"quic.version\": \"0x00000001\","
                + "  \"quic.dcid\": \"01:02\", \"quic.scid\": \"03\", \"quic.packet_number\": \"77\","
                + "  \"_ws.expert\": {\"quic.decryption_failed\": \"\", \"_ws.expert.message\": \"Secrets are not available\"},"
                + "  \"quic.remaining_payload\": \"00\"}]}}}]";
        List<DecodedDatagram> ds = Tshark.parseDatagrams(Json.parse(json), 1);
        assertEquals(1, ds.size());
        DecodedDatagram d = ds.get(0);
        assertEquals(1, d.index());
        assertEquals("c001", Hex.encode(d.payload()));
        assertEquals(2, d.packets().size());
        DecodedPacket initial = d.packets().get(0);
        assertEquals(PacketType.INITIAL, initial.type());
        assertEquals(OptionalLong.of(5), initial.packetNumber());
        assertEquals("0102", initial.dcid());
        assertEquals("", initial.scid());
        DecodedFrame.Padding padding = assertInstanceOf(DecodedFrame.Padding.class, initial.frames().get(0));
        assertEquals(2, padding.length());
        DecodedFrame.ConnectionClose cc = assertInstanceOf(DecodedFrame.ConnectionClose.class,
                initial.frames().get(1));
        assertEquals(0xa, cc.errorCode());
        assertEquals(OptionalLong.of(6), cc.triggeringFrameType());
        assertEquals("abc", cc.reasonText());
        assertEquals(OptionalInt.empty(), cc.tlsAlert());
        assertEquals("1c0a0603616263", Hex.encode(cc.raw()));
        DecodedPacket handshake = d.packets().get(1);
        assertEquals(PacketType.HANDSHAKE, handshake.type());
        assertTrue(handshake.decryptionFailed());
        assertEquals("Secrets are not available", handshake.decryptionMessage());
        assertEquals(OptionalLong.empty(), handshake.packetNumber());
        assertEquals(List.of(
                "d=1 udp=443>50000 dlen=2 pkt=Initial ver=0x00000001 dcid=0102 scid=- pn=5 plen=40 frame=PADDING type=0x0 len=2",
                "d=1 udp=443>50000 dlen=2 pkt=Initial ver=0x00000001 dcid=0102 scid=- pn=5 plen=40 frame=CONNECTION_CLOSE "
                        + "type=0x1c error=0xa frame_type=0x6 reason_len=3 reason=\"abc\"",
                "d=1 udp=443>50000 dlen=2 pkt=Handshake ver=0x00000001 dcid=0102 scid=03 pn=? plen=30 frame=? "
                        + "decrypt=failed msg=\"Secrets are not available\""), d.summaryLines());
    }

    @Test
    void writesAWellFormedPcap(@TempDir Path tmp) throws Exception {
        Path pcap = tmp.resolve("x.pcap");
        Tshark.writePcap(pcap, List.of(Datagram.fromClient(new byte[] {1, 2, 3}), Datagram.fromServer(new byte[] {4})));
        byte[] b = Files.readAllBytes(pcap);
        assertEquals(24 + (16 + 14 + 20 + 8 + 3) + (16 + 14 + 20 + 8 + 1), b.length);
        assertEquals("d4c3b2a1", Hex.encode(b, 0, 4));
        // First record: UDP 50000 -> 443, length 11, payload 010203.
        int udp = 24 + 16 + 14 + 20;
        assertEquals("c35001bb000b", Hex.encode(b, udp, 6));
        assertEquals("010203", Hex.encode(b, udp + 8, 3));
        // The IPv4 header checksums to zero when summed with its checksum field.
        int ip = 24 + 16 + 14;
        long sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((b[ip + i] & 0xff) << 8) | (b[ip + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        assertEquals(0xffff, sum);
    }

    @Test
    void buildsTheSyntheticClientInitial() {
        byte[] p = Tshark.syntheticClientInitial(Hex.decode("8394c8f03e515708"), Hex.decode("0102"), 1);
        assertEquals(1200, p.length);
        assertEquals("c000000001088394c8f03e51570802010200449c", Hex.encode(p, 0, 20));
        byte[] v2 = Tshark.syntheticClientInitial(new byte[0], new byte[0], 0x6b3343cfL);
        assertEquals("d06b3343cf0000", Hex.encode(v2, 0, 7));
        assertThrows(IllegalArgumentException.class, () -> Tshark.syntheticClientInitial(new byte[21], new byte[0], 1));
    }
}
