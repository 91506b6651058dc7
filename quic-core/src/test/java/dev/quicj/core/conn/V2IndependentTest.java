package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HELLO;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.IndependentQuic.V2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.IndependentQuic.Keys;
import dev.quicj.core.conn.IndependentQuic.Opened;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QUIC v2 (RFC 9369) through the core, every byte checked with JCA alone (IndependentQuic). */
class V2IndependentTest {

    private static byte[] resourceHex(String name) throws Exception {
        try (InputStream in = V2IndependentTest.class.getResourceAsStream("/dev/quicj/core/crypto/" + name)) {
            StringBuilder sb = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.startsWith("#")) {
                    sb.append(line.replaceAll("\\s", ""));
                }
            }
            return HexFormat.of().parseHex(sb);
        }
    }

    private static QuicConnection v2Client() throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V2)
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH)
                .build(T0);
        return c;
    }

    private static byte[] firstInitial(QuicConnection c) throws Exception {
        c.submitCryptoData(EncryptionLevel.INITIAL, CLIENT_HELLO);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, b, T0);
        return Arrays.copyOf(b.array(), n);
    }

    private static byte[] close(QuicConnection c, CloseError e) {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, e, T0 + 1));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    @Test
    void helperOpensTheRfc9369ClientInitial() throws Exception {
        byte[] dg = resourceHex("rfc9369-A.2-client-initial-protected.hex");
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V2, IndependentQuic.hex("8394c8f03e515708"),
                false), 0);
        assertEquals(2, o.pn());
        assertEquals(1, o.typeBits());
        assertTrue(o.payloadHex().startsWith("060040f1010000ed0303"), o.payloadHex());
    }

    @Test
    void v2ClientInitialIsAV2Initial() throws Exception {
        byte[] dg = firstInitial(v2Client());
        assertEquals(1200, dg.length);
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V2, CLIENT_ODCID.toByteArray(), false), 0);
        assertEquals(V2, o.version());
        assertEquals(0b01, o.typeBits(), "RFC 9369 §3.2: Initial is 0b01");
        assertEquals(0, o.firstByte() & 0x0c, "reserved bits");
        assertEquals(0x06, o.payload()[0] & 0xff, "CRYPTO first");
    }

    /** Server close before confirmation, v2: Initial (0b01) + Handshake (0b11) [+ 1-RTT], all 0x1c. */
    @Test
    void v2ServerCloseCoalescedInitialHandshakeOneRtt() throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V2).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(firstInitial(v2Client())), SERVER_PATH, T0));
        s.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        byte[] dg = close(s, CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "no"));
        List<Integer> starts = IndependentQuic.packetStarts(dg);
        assertEquals(3, starts.size(), HexFormat.of().formatHex(dg));
        Opened initial = IndependentQuic.open(dg, starts.get(0),
                IndependentQuic.initialKeys(V2, CLIENT_ODCID.toByteArray(), true), 0);
        assertEquals(V2, initial.version());
        assertEquals(0b01, initial.typeBits());
        assertArrayEquals(CLIENT_SCID.toByteArray(), initial.dcid());
        assertArrayEquals(SERVER_SCID.toByteArray(), initial.scid());
        assertTrue(initial.payloadHex().startsWith("1c0200026e6f"), initial.payloadHex());
        Opened hs = IndependentQuic.open(dg, starts.get(1), IndependentQuic.keys(V2, SERVER_HANDSHAKE_SECRET), 0);
        assertEquals(V2, hs.version());
        assertEquals(0b11, hs.typeBits(), "RFC 9369 §3.2: Handshake is 0b11");
        assertTrue(hs.payloadHex().startsWith("1c0200026e6f"), hs.payloadHex());
        Opened one = IndependentQuic.open(dg, starts.get(2), IndependentQuic.keys(V2, SERVER_1RTT_SECRET),
                CLIENT_SCID.length());
        assertTrue(one.payloadHex().startsWith("1c0200026e6f"), one.payloadHex());
    }

    /** A v2 client that sent its first Initial and completed its handshake (Handshake and 1-RTT keys). */
    private static QuicConnection v2ClientPostHandshake() throws Exception {
        QuicConnection c = v2Client();
        firstInitial(c);
        c.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        return c;
    }

    /** Client post-handshake, not confirmed, v2: Handshake + 1-RTT; application close 1c0c0000 + 1d. */
    @Test
    void v2ClientApplicationCloseHandshakeAndOneRtt() throws Exception {
        QuicConnection c = v2ClientPostHandshake();
        byte[] dg = close(c, CloseError.application(0x10, "bye"));
        List<Integer> starts = IndependentQuic.packetStarts(dg);
        assertEquals(2, starts.size());
        Opened hs = IndependentQuic.open(dg, starts.get(0), IndependentQuic.keys(V2, CLIENT_HANDSHAKE_SECRET), 0);
        assertEquals(0b11, hs.typeBits());
        assertTrue(hs.payloadHex().startsWith("1c0c0000"), hs.payloadHex());
        Opened one = IndependentQuic.open(dg, starts.get(1), IndependentQuic.keys(V2, CLIENT_1RTT_SECRET),
                CLIENT_ODCID.length());
        assertTrue(one.payloadHex().startsWith("1d1003627965"), one.payloadHex());
    }

    /** RFC 9369 A.4: a v2 client whose first DCID is 8394c8f03e515708 and SCID empty takes the RFC's Retry. */
    @Test
    void v2ClientTakesTheRfc9369Retry() throws Exception {
        byte[] retry = resourceHex("rfc9369-A.4-retry.hex");
        byte[] odcid = IndependentQuic.hex("8394c8f03e515708");
        assertArrayEquals(Arrays.copyOfRange(retry, retry.length - 16, retry.length),
                IndependentQuic.retryTag(V2, odcid, Arrays.copyOf(retry, retry.length - 16)));
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V2)
                .originalDestinationConnectionId(ConnectionId.of(odcid)).sourceConnectionId(ConnectionId.empty())
                .path(CLIENT_PATH).build(T0);
        firstInitial(c);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0), "" + c.lastDropReason());
        // its next Initial: to the Retry's SCID, with the token, under keys from that SCID (RFC 9001 §5.2)
        byte[] again = firstInitialAfterRetry(c);
        byte[] retryScid = IndependentQuic.hex("f067a5502a4262b5");
        Opened o = IndependentQuic.open(again, 0, IndependentQuic.initialKeys(V2, retryScid, false), 0);
        assertArrayEquals(retryScid, o.dcid());
        assertEquals("token", new String(o.token(), StandardCharsets.US_ASCII));
        assertEquals(0b01, o.typeBits());
        // the same Retry with the v1 tag key is not taken by the v2 client
        QuicConnection c2 = QuicConnection.clientBuilder().version(QuicVersion.V2)
                .originalDestinationConnectionId(ConnectionId.of(odcid)).sourceConnectionId(ConnectionId.empty())
                .path(CLIENT_PATH).build(T0);
        firstInitial(c2);
        byte[] v1Tagged = retry.clone();
        System.arraycopy(IndependentQuic.retryTag(IndependentQuic.V1, odcid, Arrays.copyOf(retry, retry.length - 16)),
                0, v1Tagged, retry.length - 16, 16);
        assertEquals(ReceiveStatus.DROPPED, c2.receive(ByteBuffer.wrap(v1Tagged), CLIENT_PATH, T0));
    }


    /** RFC 9369 §3.3.2: a v2 key update uses "quicv2 ku"; a v2 client follows the server's update and closes with it. */
    @Test
    void v2ClientFollowsAKeyUpdateDerivedWithQuicv2Ku() throws Exception {
        QuicConnection c = v2ClientPostHandshake();
        Keys server0 = IndependentQuic.keys(V2, SERVER_1RTT_SECRET);
        // HANDSHAKE_DONE in phase 0, then a PING in phase 1 with the next generation
        byte[] done = IndependentQuic.sealShort(server0, server0.hp(), CLIENT_SCID.toByteArray(), 0, 0,
                new byte[] {0x1e});
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(done), CLIENT_PATH, T0), "" + c.lastDropReason());
        Keys server1 = IndependentQuic.keys(V2, IndependentQuic.nextSecret(V2, SERVER_1RTT_SECRET));
        byte[] ping = IndependentQuic.sealShort(server1, server0.hp(), CLIENT_SCID.toByteArray(), 1, 1,
                new byte[] {0x01});
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(ping), CLIENT_PATH, T0), "" + c.lastDropReason());
        byte[] dg = close(c, CloseError.transport(TransportErrorCode.NO_ERROR, ""));
        Keys client1 = IndependentQuic.keys(V2, IndependentQuic.nextSecret(V2, CLIENT_1RTT_SECRET));
        Keys client0 = IndependentQuic.keys(V2, CLIENT_1RTT_SECRET);
        Opened o = IndependentQuic.openShort(dg, client1, client0.hp(), CLIENT_ODCID.length());
        assertEquals(0x04, o.firstByte() & 0x04, "key phase 1");
        assertTrue(o.payloadHex().startsWith("1c000000"), o.payloadHex());
    }


    /** close-spec §2.2: a client with Initial keys only (never 0-RTT) closes in one v2 Initial padded to 1200. */
    @Test
    void v2ClientInitialOnlyCloseIsOnePaddedInitial() throws Exception {
        QuicConnection c = v2Client();
        firstInitial(c);
        byte[] dg = close(c, CloseError.application(0x10, "bye"));
        assertEquals(1200, dg.length);
        assertEquals(1, IndependentQuic.packetStarts(dg).size());
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(V2, CLIENT_ODCID.toByteArray(), false), 0);
        assertEquals(0b01, o.typeBits());
        assertEquals(1, o.pn());
        assertTrue(o.payloadHex().startsWith("1c0c0000"), o.payloadHex());
    }

    private static byte[] firstInitialAfterRetry(QuicConnection c) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, b, T0 + 1);
        return Arrays.copyOf(b.array(), n);
    }
}
