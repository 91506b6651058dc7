package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.interop.Datagram;
import dev.quicj.core.interop.DecodedPacket;
import dev.quicj.core.interop.PacketType;
import dev.quicj.core.interop.Peers;
import dev.quicj.core.interop.Tshark;
import dev.quicj.core.interop.TsharkResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link VersionNegotiation}: RFC 9000 §17.2.1 and §6.1, RFC 8999 §6. */
class VersionNegotiationTest {
    // a client packet of the reserved version 0x1a2a3a4a with an 8-byte DCID and a 5-byte SCID, in 1200 bytes
    private static final String CLIENT_HEADER = "c3" + "1a2a3a4a" + "08" + "0001020304050607" + "05" + "a1a2a3a4a5";

    private static ByteBuffer datagram(String headerHex, int length) {
        byte[] d = new byte[length];
        byte[] h = Hex.decode(headerHex);
        System.arraycopy(h, 0, d, 0, h.length);
        Arrays.fill(d, h.length, length, (byte) 0x55);
        return ByteBuffer.wrap(d);
    }

    @Test
    void answersWithSwappedIdsEveryVersionAndAReservedOneByteForByte() {
        ByteBuffer dg = datagram(CLIENT_HEADER, 1200);
        ByteBuffer dest = ByteBuffer.allocate(100);
        dest.position(3);
        // random 0x1234567f: unused bits 0x3f, reserved version 0x1_3_5_7_ | 0x0a0a0a0a
        int n = VersionNegotiation.write(dest, dg, 0x1234567f);
        // RFC 9000 §17.2.1, built by hand: 0x80 | 0x40 | 0x3f, version 0, DCID = client's SCID, SCID = client's DCID,
        // then v1, v2 (RFC 9369 §3.1: 0x6b3343cf) and the reserved version
        String expected = "ff" + "00000000" + "05" + "a1a2a3a4a5" + "08" + "0001020304050607"
                + "00000001" + "6b3343cf" + "1a3a5a7a";
        assertEquals(expected.length() / 2, n);
        assertEquals(3 + n, dest.position());
        assertEquals(expected, Hex.encode(dest.array(), 3, n));
        // the datagram is not changed
        assertEquals(0, dg.position());
        assertEquals(1200, dg.limit());
    }

    @Test
    void alwaysSetsTheLongHeaderAndFixedLookingBitsAndOnlyRandomLowBits() {
        ByteBuffer dg = datagram(CLIENT_HEADER, 1200);
        ByteBuffer dest = ByteBuffer.allocate(100);
        VersionNegotiation.write(dest, dg, 0);
        assertEquals((byte) 0xc0, dest.get(0));
        assertEquals(0x0a0a0a0a, dest.getInt(dest.position() - 4));
        dest.clear();
        VersionNegotiation.write(dest, dg, -1);
        assertEquals((byte) 0xff, dest.get(0));
        assertEquals(0xfafafafa, dest.getInt(dest.position() - 4));
    }

    @Test
    void copiesConnectionIdsOfOtherVersionsUpTo255Bytes() {
        // RFC 9000 §17.2: "servers SHOULD be able to read longer connection IDs from other QUIC versions"
        StringBuilder dcid = new StringBuilder();
        StringBuilder scid = new StringBuilder();
        for (int i = 0; i < 255; i++) {
            dcid.append(String.format("%02x", i));
            scid.append(String.format("%02x", 255 - i));
        }
        ByteBuffer dg = datagram("c0" + "ff00abcd" + "ff" + dcid + "ff" + scid, 1200);
        ByteBuffer dest = ByteBuffer.allocate(VersionNegotiation.MAX_LENGTH);
        int n = VersionNegotiation.write(dest, dg, 0);
        assertEquals(VersionNegotiation.MAX_LENGTH, n);
        assertEquals("ff" + scid + "ff" + dcid, Hex.encode(dest.array(), 5, 2 + 510));
    }

    @Test
    void answersEmptyConnectionIds() {
        ByteBuffer dg = datagram("c0" + "0000abcd" + "00" + "00", 1200);
        ByteBuffer dest = ByteBuffer.allocate(100);
        int n = VersionNegotiation.write(dest, dg, 0);
        assertEquals("c0" + "00000000" + "00" + "00" + "00000001" + "6b3343cf" + "0a0a0a0a", Hex.encode(dest.array(), 0, n));
    }

    @Test
    void worksOnDirectLittleEndianBuffersAtAnOffset() {
        ByteBuffer heap = datagram(CLIENT_HEADER, 1200);
        ByteBuffer direct = ByteBuffer.allocateDirect(1300).order(ByteOrder.LITTLE_ENDIAN);
        direct.position(100);
        direct.put(heap.duplicate());
        direct.position(100);
        ByteBuffer expected = ByteBuffer.allocate(100);
        int n = VersionNegotiation.write(expected, heap, 7);
        ByteBuffer dest = ByteBuffer.allocateDirect(100).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(n, VersionNegotiation.write(dest, direct, 7));
        byte[] got = new byte[n];
        dest.flip();
        dest.get(got);
        assertArrayEquals(Arrays.copyOf(expected.array(), n), got);
        assertEquals(100, direct.position());
    }

    @Test
    void refusesWhatAServerMustNotAnswer() {
        ByteBuffer dest = ByteBuffer.allocate(100);
        // RFC 9000 §5.2.2: smaller datagrams of unsupported versions are dropped
        assertRefused(datagram(CLIENT_HEADER, 1199), dest, "1199 bytes");
        // §6.1: a Version Negotiation packet is never answered
        assertRefused(datagram("c0" + "00000000" + "08" + "0001020304050607" + "00", 1200), dest, "Version Negotiation");
        // a version this library speaks is answered by a connection, not negotiated
        for (QuicVersion v : QuicVersion.values()) {
            assertRefused(datagram("c0" + String.format("%08x", v.wireValue()) + "08" + "0001020304050607" + "00", 1200),
                    dest, "speaks");
        }
        assertRefused(datagram("40" + "1a2a3a4a", 1200), dest, "short header");
        assertEquals(0, dest.position());
        // too little room: nothing written
        ByteBuffer small = ByteBuffer.allocate(30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VersionNegotiation.write(small, datagram(CLIENT_HEADER, 1200), 0));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        assertEquals(0, small.position());
        assertArrayEquals(new byte[30], small.array());
        assertThrows(NullPointerException.class, () -> VersionNegotiation.write(null, datagram(CLIENT_HEADER, 1200), 0));
        assertThrows(NullPointerException.class, () -> VersionNegotiation.write(dest, null, 0));
    }

    private static void assertRefused(ByteBuffer dg, ByteBuffer dest, String why) {
        assertFalse(VersionNegotiation.answerable(dg));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VersionNegotiation.write(dest, dg, 0));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void neverListsTheClientsOwnReservedVersion() {
        // RFC 9000 §6.2: "A client MUST discard a Version Negotiation packet that lists the QUIC version selected by
        // the client." A client that greases with the reserved version 0x1a2a3a4a must not find it listed, whatever
        // the random bits: 0x10203040 would otherwise draw exactly that version
        ByteBuffer dg = datagram(CLIENT_HEADER, 1200);
        for (int random : new int[] {0x10203040, 0x1f2f3f4f, 0x10203040 | 0x0f0f0f0f}) {
            ByteBuffer dest = ByteBuffer.allocate(100);
            int n = VersionNegotiation.write(dest, dg, random);
            int reserved = dest.getInt(n - 4);
            assertTrue(VersionNegotiation.isReservedVersion(reserved), Integer.toHexString(reserved));
            for (int i = 7 + 5 + 8; i < n; i += 4) {
                assertTrue(dest.getInt(i) != 0x1a2a3a4a, () -> "lists the client's version: " + Hex.encode(dest.array(), 0, n));
            }
        }
        // another client version leaves the random draw alone
        ByteBuffer other = datagram("c3" + "5a6a7a8a" + "08" + "0001020304050607" + "05" + "a1a2a3a4a5", 1200);
        ByteBuffer dest = ByteBuffer.allocate(100);
        int n = VersionNegotiation.write(dest, other, 0x10203040);
        assertEquals(0x1a2a3a4a, dest.getInt(n - 4));
    }

    @Test
    void reservedVersionsFollowThePattern() {
        assertTrue(VersionNegotiation.isReservedVersion(0x1a2a3a4a));
        assertTrue(VersionNegotiation.isReservedVersion(0xfafafafa));
        assertFalse(VersionNegotiation.isReservedVersion(0x00000001));
        assertFalse(VersionNegotiation.isReservedVersion(0x6b3343cf));
        assertFalse(VersionNegotiation.isReservedVersion(0x1a2a3a4b));
        for (int r : new int[] {0, -1, 0x12345678, 0x87654321}) {
            assertTrue(VersionNegotiation.isReservedVersion(VersionNegotiation.reservedVersion(r)));
        }
    }

    @Test
    void aClientOfAListedVersionFindsItAddressedToItAndIgnoresIt() throws Exception {
        // the client sent DCID CLIENT_ODCID and SCID CLIENT_SCID; a server of another version answers that packet
        QuicConnection client = ConnectionFixtures.client(ConnectionFixtures.nullCrypto());
        ByteBuffer dg = datagram("c0" + "1a2a3a4a" + String.format("%02x", ConnectionFixtures.CLIENT_ODCID.length())
                + ConnectionFixtures.CLIENT_ODCID.toHex() + String.format("%02x", ConnectionFixtures.CLIENT_SCID.length())
                + ConnectionFixtures.CLIENT_SCID.toHex(), 1200);
        ByteBuffer vn = ByteBuffer.allocate(100);
        VersionNegotiation.write(vn, dg, 0x55);
        vn.flip();
        // addressed to the client (its DCID is the client's SCID) and listing v1, the client's version: RFC 9000
        // §6.2 has the client ignore it
        assertEquals(ReceiveStatus.DROPPED, client.receive(vn, ConnectionFixtures.CLIENT_PATH, ConnectionFixtures.T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, client.lastDropReason());
    }

    @Test
    void wiresharkDecodesItAsVersionNegotiation() throws Exception {
        Peers.requireTool(Peers.Tool.TSHARK);
        ByteBuffer dest = ByteBuffer.allocate(100);
        int n = VersionNegotiation.write(dest, datagram(CLIENT_HEADER, 1200), 0x2b);
        TsharkResult r = Tshark.create().decode(Datagram.fromServer(Arrays.copyOf(dest.array(), n)));
        assertEquals(1, r.datagrams().size(), r::summary);
        List<DecodedPacket> packets = r.datagram(1).packets();
        assertEquals(1, packets.size(), r::summary);
        DecodedPacket p = packets.get(0);
        assertEquals(PacketType.VERSION_NEGOTIATION, p.type(), r::summary);
        assertEquals(OptionalLong.of(0), p.version());
        assertEquals("a1a2a3a4a5", p.dcid());
        assertEquals("0001020304050607", p.scid());
        assertEquals(List.of(1L, 0x6b3343cfL, 0x0a0a0a2aL), p.supportedVersions(), r::summary);
        assertFalse(p.malformed(), r::summary);
    }
}
