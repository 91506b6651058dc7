package dev.quicj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.VersionNegotiation;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.tls.PreferredAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Misuse of the public API with bad arguments or in the wrong state: a typed exception before anything changes. Each
 * test failed on the code it was written against.
 */
class ApiMisuseTest {

    private static PacketProtection initialProtection() throws Exception {
        return InitialSecrets.serverProtection(CryptoProvider.jca(), QuicVersion.V1, new byte[8]);
    }

    /**
     * PacketWriter.beginLong on a read-only buffer moves the caller's position to {@code start} and then throws an
     * undocumented ReadOnlyBufferException (the javadoc promises "nothing is written" failures with
     * IndexOutOfBounds/IllegalArgument only). Expected: IllegalArgumentException, as QuicConnection.writePacket,
     * writeConnectionClose and StatelessClose.write do, before the position moves.
     */
    @Test
    void packetWriterBeginLongOnReadOnlyBufferKeepsPositionAndThrowsIae() throws Exception {
        PacketProtection p = initialProtection();
        ByteBuffer ro = ByteBuffer.allocate(200).asReadOnlyBuffer();
        ro.position(5);
        assertThrows(IllegalArgumentException.class, () -> new PacketWriter().beginLong(ro, 10, 180, QuicVersion.V1,
                LongPacketType.INITIAL, ConnectionId.random(8), ConnectionId.random(8), null, 0, 1, p));
        assertEquals(5, ro.position(), "the caller's position moved on a failed beginLong");
    }

    /**
     * PacketWriter.beginLong with a null version (or type) passes every check, moves the caller's position to
     * {@code start}, and only then throws a NullPointerException from inside the header encoding: the buffer is left at
     * the wrong position and the writer half-begun. Expected: NullPointerException naming the parameter, before
     * anything changes.
     */
    @Test
    void packetWriterBeginLongWithNullVersionLeavesPositionAlone() throws Exception {
        PacketProtection p = initialProtection();
        ByteBuffer b = ByteBuffer.allocate(200);
        b.position(7);
        NullPointerException e = assertThrows(NullPointerException.class, () -> new PacketWriter().beginLong(b, 0,
                200, null, LongPacketType.INITIAL, ConnectionId.random(8), ConnectionId.random(8), null, 0, 1, p));
        assertEquals(7, b.position(), "the caller's position moved on a failed beginLong");
        assertEquals("version", e.getMessage());
    }

    @Test
    void packetWriterBeginLongWithNullTypeLeavesPositionAlone() throws Exception {
        PacketProtection p = initialProtection();
        ByteBuffer b = ByteBuffer.allocate(200);
        b.position(7);
        NullPointerException e = assertThrows(NullPointerException.class, () -> new PacketWriter().beginLong(b, 0,
                200, QuicVersion.V1, null, ConnectionId.random(8), ConnectionId.random(8), null, 0, 1, p));
        assertEquals(7, b.position(), "the caller's position moved on a failed beginLong");
        assertEquals("type", e.getMessage());
    }

    /**
     * PacketWriter.finish() called without a begun packet (or a second time after a finish) throws a bare
     * NullPointerException from the finally block ("this.buf is null"). Expected: IllegalStateException.
     */
    @Test
    void packetWriterFinishTwiceIsIllegalState() throws Exception {
        PacketProtection p = initialProtection();
        PacketWriter w = new PacketWriter();
        ByteBuffer b = ByteBuffer.allocate(200);
        w.beginLong(b, 0, 200, QuicVersion.V1, LongPacketType.INITIAL, ConnectionId.random(8),
                ConnectionId.random(8), null, 0, 1, p);
        w.finish(0);
        assertThrows(IllegalStateException.class, () -> w.finish(0));
        assertThrows(IllegalStateException.class, () -> new PacketWriter().finish(0));
        assertThrows(IllegalStateException.class, () -> new PacketWriter().writeFrameBytes(new byte[1], 0, 1));
    }

    /**
     * PreferredAddress.of promises IllegalArgumentException "if both addresses are null", because a preferred
     * address with no address is meaningless; but 0.0.0.0:0 (or [::]:0) is accepted, is encoded exactly like "no
     * IPv4 address", and reads back (after encode/decode, and even on the built object) with both families empty.
     */
    @Test
    void preferredAddressWithOnlyTheUnspecifiedAddressIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PreferredAddress.of(new InetSocketAddress("0.0.0.0", 0),
                null, new byte[] {1, 2, 3, 4}, new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> PreferredAddress.of(null, new InetSocketAddress("::", 0),
                new byte[] {1, 2, 3, 4}, new byte[16]));
    }

    /**
     * PacketParser.parse takes shortHeaderDcidLength unchecked: a value outside 0..20 (negative, or so large that
     * {@code offset + 1 + length} overflows) returns HeaderStatus.OK with a negative DCID length / packet number
     * offset, and everything that trusts the header then reads at negative indexes. Expected:
     * IllegalArgumentException (the DCID length of a short header is 0..20, RFC 9000 §17.3).
     */
    @Test
    void packetParserRejectsAnImpossibleShortHeaderDcidLength() {
        byte[] shortHeader = new byte[60];
        shortHeader[0] = 0x40;
        for (int bad : new int[] {Integer.MAX_VALUE, -5, 21}) {
            PacketHeader h = new PacketHeader();
            HeaderStatus[] status = new HeaderStatus[1];
            try {
                status[0] = PacketParser.parse(ByteBuffer.wrap(shortHeader), 0, bad, h);
            } catch (IllegalArgumentException expected) {
                continue;
            }
            throw new AssertionError("shortHeaderDcidLength " + bad + " accepted: " + status[0] + ", dcidLength="
                    + h.dcidLength() + ", pnOffset=" + h.pnOffset());
        }
    }

    /**
     * DatagramInspector.initialKeys(odcid, null) is accepted; the null provider only shows when a datagram is
     * inspected, as a NullPointerException out of inspect(), which otherwise reports every failure in its result.
     * Expected: NullPointerException("crypto") from initialKeys.
     */
    @Test
    void inspectorInitialKeysRejectsANullProviderAtOnce() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        DatagramInspector.KeySource keys;
        try {
            keys = DatagramInspector.initialKeys(ConnectionId.random(8), null);
        } catch (NullPointerException expected) {
            return;
        }
        DatagramInspector.KeySource k = keys;
        // what the user meets instead: inspect() itself throws, far from the mistake
        NullPointerException late = assertThrows(NullPointerException.class,
                () -> DatagramInspector.inspect(initial, k, -1));
        throw new AssertionError("initialKeys accepted a null CryptoProvider; inspect() then threw " + late);
    }

    /**
     * VersionNegotiation.write into a read-only buffer throws an undocumented ReadOnlyBufferException (its javadoc
     * lists IllegalArgumentException for the failures where "nothing is written"; StatelessClose.write and the
     * connection's writers turn a read-only destination into IllegalArgumentException).
     */
    @Test
    void versionNegotiationWriteIntoReadOnlyBufferIsIllegalArgument() {
        ByteBuffer datagram = ByteBuffer.allocate(1200);
        datagram.put(0, (byte) 0xc0).putInt(1, 0x1a2a3a4a).put(5, (byte) 8).put(14, (byte) 8);
        assertTrue(VersionNegotiation.answerable(datagram));
        ByteBuffer ro = ByteBuffer.allocate(300).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class, () -> VersionNegotiation.write(ro, datagram, 0));
        assertEquals(0, ro.position());
    }
}
