package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.assertClose;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handler's first contact with datagrams for no connection, where no handler test pinned it, under every server
 * accept policy: what must open nothing and answer nothing (a Handshake packet first, RFC 9000 §12.2 / §17.2.4; a v1
 * Initial with a 21-byte DCID, §17.2; a 1200-byte short header or a Version Negotiation packet, §6.1 / §5.2.2), and a
 * short client Initial that reaches 1200 bytes only by trailing zeros (§14.1 counts the datagram), which is taken like
 * any other: a connection counting 1200 bytes, or a refusal well within 3 x 1200 (§8.1).
 */
class QuicCloseHandlerFirstContactTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "full");
    private static final byte[] CRYPTO = {0x06, 0x00, 0x04, 1, 2, 3, 4};

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    static Stream<AcceptPolicy> serverPolicies() {
        return Stream.of(AcceptPolicy.accept(), AcceptPolicy.reject(REFUSED), AcceptPolicy.rejectStateless(REFUSED),
                AcceptPolicy.rejectStatelessUnauthenticated(REFUSED));
    }

    private void start(AcceptPolicy policy) {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(policy).build());
        ch = channel(handler, recorder);
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private static PacketProtection clientInitialKeys(ConnectionId dcid) throws Exception {
        return ConnectionFixtures.peerProtection(Settings.defaults(),
                InitialSecrets.clientSecret(QuicVersion.V1, dcid.toByteArray()));
    }

    private void assertPassedOnAndNothingKept(byte[] bytes) {
        DatagramPacket packet = datagram(bytes, OTHER_CLIENT, SERVER);
        ch.writeInbound(packet);
        Object out = ch.readInbound();
        try {
            assertSame(packet, out, "passed on as is");
            assertArrayEquals(bytes, ByteBufUtil.getBytes(packet.content()), "not modified");
        } finally {
            packet.release();
        }
        assertEquals(List.of(), drainOutbound(ch), "nothing answered");
        assertEquals(List.of(), recorder.events, "no event");
        assertEquals(0, handler.connectionCount(), "nothing kept");
    }

    @ParameterizedTest
    @MethodSource("serverPolicies")
    void aHandshakePacketFirstOpensNothingEvenWithAnInitialBehindIt(AcceptPolicy policy) throws Exception {
        start(policy);
        byte[] handshake = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(Settings.defaults(),
                new byte[32]), LongPacketType.HANDSHAKE, ODCID, SCID, 0, new byte[] {0x01}, 0);
        byte[] initial = ConnectionFixtures.peerLongPacket(clientInitialKeys(ODCID), LongPacketType.INITIAL, ODCID,
                SCID, 0, CRYPTO, 1200 - handshake.length);
        byte[] dg = Arrays.copyOf(handshake, 1200);
        System.arraycopy(initial, 0, dg, handshake.length, initial.length);
        assertPassedOnAndNothingKept(dg);
        // and a Handshake packet alone, padded to 1200
        assertPassedOnAndNothingKept(ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(
                Settings.defaults(), new byte[32]), LongPacketType.HANDSHAKE, ODCID, SCID, 0, new byte[] {0x01}, 1200));
    }

    @ParameterizedTest
    @MethodSource("serverPolicies")
    void neitherAnswerNorConnectionForWhatIsNoClientInitialOfAnotherVersion(AcceptPolicy policy) {
        start(policy);
        // a v1 Initial whose DCID is 21 bytes: malformed in v1 (RFC 9000 §17.2), so not answered with Version
        // Negotiation either (the version is one this library speaks)
        ByteBuffer b = ByteBuffer.allocate(1200);
        b.put((byte) 0xc0).putInt(1).put((byte) 21).put(new byte[21]).put((byte) 0).put((byte) 0);
        b.putShort((short) (0x4000 | (b.remaining() - 2)));
        assertPassedOnAndNothingKept(b.array());
        // a 1200-byte short header (RFC 9000 §5.2.2 answers only long headers of unknown versions)
        byte[] shortHeader = new byte[1200];
        shortHeader[0] = 0x40;
        Arrays.fill(shortHeader, 1, 1200, (byte) 0x1a);
        assertPassedOnAndNothingKept(shortHeader);
        // a 1200-byte Version Negotiation packet (§6.1: never answered) listing only a version nobody speaks
        byte[] vn = new byte[1200];
        ByteBuffer.wrap(vn).put((byte) 0xc0).putInt(0).put((byte) 8).put(ODCID.toByteArray(), 0, 8).put((byte) 4)
                .put(SCID.toByteArray());
        assertPassedOnAndNothingKept(vn);
    }

    @ParameterizedTest
    @MethodSource("serverPolicies")
    void aShortInitialPaddedWithZerosTo1200BytesIsTakenLikeAnyOther(AcceptPolicy policy) throws Exception {
        start(policy);
        byte[] initial = ConnectionFixtures.peerLongPacket(clientInitialKeys(ODCID), LongPacketType.INITIAL, ODCID,
                SCID, 0, CRYPTO, 0);
        assertTrue(initial.length < 100);
        // 1199 bytes: dropped (passed on), whatever the policy
        assertPassedOnAndNothingKept(Arrays.copyOf(initial, 1199));
        ch.writeInbound(datagram(Arrays.copyOf(initial, 1200), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        if (policy.action() == AcceptPolicy.Action.ACCEPT) {
            assertEquals(List.of(), sent);
            QuicConnection conn = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
            assertEquals(1200, conn.pathBytesReceived());
            assertEquals(3600, conn.amplificationBudget());
            assertEquals(SCID, conn.destinationConnectionId());
            return;
        }
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).bytes().length <= 3 * 1200);
        InspectedPacket p = sent.get(0).packets(ODCID).get(0);
        assertEquals("server Initial", p.keys());
        assertEquals(SCID, p.dcid());
        assertEquals(0, p.tokenLength());
        assertClose(sent.get(0).initialClose(ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0,
                "full");
    }
}
