package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.IndependentQuic;
import dev.quicj.core.conn.IndependentQuic.Opened;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** QUIC v2 (RFC 9369) at the handler, the answers opened with JCA alone. */
class QuicCloseHandlerV2IndependentTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "full");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;

    private void start(QuicCloseHandlerConfig config) {
        ch = channel(new QuicCloseHandler(config), recorder);
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private static QuicCloseHandlerConfig config(String policy) {
        QuicCloseHandlerConfig.Builder b = QuicCloseHandlerConfig.builder();
        switch (policy) {
            case "reject":
                return b.acceptPolicy(AcceptPolicy.reject(REFUSED)).build();
            case "stateless":
                return b.acceptPolicy(AcceptPolicy.rejectStateless(REFUSED)).build();
            case "unauthenticated":
                return b.acceptPolicy(AcceptPolicy.rejectStatelessUnauthenticated(REFUSED)).build();
            case "full":
                return b.acceptPolicy(AcceptPolicy.reject(REFUSED)).maxConnections(1).build();
            default:
                throw new AssertionError(policy);
        }
    }

    private void assertV2Refusal(byte[] dg) throws Exception {
        Opened o = IndependentQuic.open(dg, 0, IndependentQuic.initialKeys(IndependentQuic.V2, ODCID.toByteArray(),
                true), 0);
        assertEquals(IndependentQuic.V2, o.version());
        assertEquals(0b01, o.typeBits(), "v2 Initial type bits");
        assertArrayEquals(SCID.toByteArray(), o.dcid());
        assertEquals(0, o.token().length);
        assertTrue(o.payloadHex().startsWith("1c020004" + "66756c6c"), o.payloadHex());
        assertEquals(dg.length, o.end());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reject", "stateless", "unauthenticated", "full"})
    void aV2InitialIsRefusedInV2(String policy) throws Exception {
        start(config(policy));
        if (policy.equals("full")) {
            // fill the one slot with a v1 connection first
            Client other = new Client(ConnectionId.fromHex("d0d1d2d3d4d5d6d7d8"), ConnectionId.fromHex("1234"),
                    new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
            ch.writeInbound(datagram(other.firstInitial, OTHER_CLIENT, SERVER));
            assertEquals(1, drainOutbound(ch).size());
        }
        Client c = new Client(QuicVersion.V2, ODCID, SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch),
                Settings.defaults());
        ch.writeInbound(datagram(c.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertV2Refusal(sent.get(0).bytes());
    }

    /** A v2 client Initial with a 0-RTT packet coalesced after it, accepted, then closed by command. */
    @Test
    void aV2InitialWithZeroRttIsAcceptedAndClosedInV2() throws Exception {
        start(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        CryptoProvider jca = CryptoProvider.jca();
        PacketProtection initialKeys = jca.newPacketProtection(QuicVersion.V2,
                dev.quicj.core.crypto.CipherSuite.TLS_AES_128_GCM_SHA256,
                InitialSecrets.clientSecret(QuicVersion.V2, ODCID.toByteArray()));
        byte[] early = packet(QuicVersion.V2, LongPacketType.ZERO_RTT, jca.newPacketProtection(QuicVersion.V2,
                dev.quicj.core.crypto.CipherSuite.TLS_AES_128_GCM_SHA256, new byte[32]), 0,
                new byte[] {0x08, 0x00, 0x01, 0x41}, 0);
        byte[] initial = packet(QuicVersion.V2, LongPacketType.INITIAL, initialKeys, 0,
                new byte[] {0x06, 0x00, 0x04, 1, 2, 3, 4}, 1200 - early.length);
        byte[] dg = Arrays.copyOf(initial, initial.length + early.length);
        System.arraycopy(early, 0, dg, initial.length, early.length);
        assertEquals(1200, dg.length);
        ch.writeInbound(datagram(dg, OTHER_CLIENT, SERVER));
        List<QuicConnectionAcceptedEvent> accepted = recorder.events(QuicConnectionAcceptedEvent.class);
        assertEquals(1, accepted.size());
        QuicConnection conn = accepted.get(0).connection();
        assertEquals(QuicVersion.V2, conn.version());
        assertEquals(1200, conn.pathBytesReceived());
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(conn.sourceConnectionId(), REFUSED));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        Opened o = IndependentQuic.open(sent.get(0).bytes(), 0,
                IndependentQuic.initialKeys(IndependentQuic.V2, ODCID.toByteArray(), true), 0);
        assertEquals(0b01, o.typeBits());
        assertEquals(IndependentQuic.V2, o.version());
        assertTrue(o.payloadHex().contains("1c020004" + "66756c6c"), o.payloadHex());
    }


    /** A refused v2 connection in its closing period takes the client's 0-RTT datagrams (to the original DCID). */
    @Test
    void zeroRttDatagramsReachARefusedV2ConnectionsClosingPeriod() throws Exception {
        start(config("reject"));
        Client c = new Client(QuicVersion.V2, ODCID, SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch),
                Settings.defaults());
        ch.writeInbound(datagram(c.firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> first = drainOutbound(ch);
        assertEquals(1, first.size());
        byte[] early = packet(QuicVersion.V2, LongPacketType.ZERO_RTT, CryptoProvider.jca().newPacketProtection(
                QuicVersion.V2, dev.quicj.core.crypto.CipherSuite.TLS_AES_128_GCM_SHA256, new byte[32]), 0,
                new byte[] {0x08, 0x00, 0x01, 0x41}, 1200);
        ch.writeInbound(datagram(early, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed by the closing connection");
        List<Sent> again = drainOutbound(ch);
        assertEquals(1, again.size(), "re-sent on the 1st datagram of the closing period");
        assertArrayEquals(first.get(0).bytes(), again.get(0).bytes());
    }

    private static byte[] packet(QuicVersion v, LongPacketType type, PacketProtection p, long pn, byte[] frames,
            int minLength) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        if (!w.beginLong(b, 0, 1500, v, type, ODCID, SCID, null, pn, 1, p)
                || !w.writeFrameBytes(frames, 0, frames.length)) {
            throw new AssertionError();
        }
        return Arrays.copyOf(b.array(), w.finish(minLength));
    }

    /** Version Negotiation lists 1 and 0x6b3343cf and a reserved version. */
    @Test
    void versionNegotiationListsBothVersions() throws Exception {
        start(config("reject"));
        byte[] dg = new byte[1200];
        dg[0] = (byte) 0xc0;
        dg[1] = 0x1a;
        dg[2] = 0x2a;
        dg[3] = 0x3a;
        dg[4] = 0x4a;
        dg[5] = 8;
        System.arraycopy(ODCID.toByteArray(), 0, dg, 6, 8);
        dg[14] = 4;
        System.arraycopy(SCID.toByteArray(), 0, dg, 15, 4);
        ch.writeInbound(datagram(dg, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        ByteBuffer vn = ByteBuffer.wrap(sent.get(0).bytes());
        assertEquals(0x80, vn.get(0) & 0x80);
        assertEquals(0, vn.getInt(1));
        int p = 5;
        assertEquals(4, vn.get(p));
        p += 1 + 4;
        assertEquals(8, vn.get(p));
        p += 1 + 8;
        assertEquals(0x00000001, vn.getInt(p));
        assertEquals(0x6b3343cf, vn.getInt(p + 4));
        assertEquals(0x0a0a0a0a, vn.getInt(p + 8) & 0x0f0f0f0f);
        assertEquals(p + 12, vn.limit());
    }
}
