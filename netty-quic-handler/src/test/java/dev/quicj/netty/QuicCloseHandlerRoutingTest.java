package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.advance;
import static dev.quicj.netty.TestSupport.assertClose;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static dev.quicj.netty.TestSupport.shortHeader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.wire.CloseType;
import dev.quicj.core.wire.FrameType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inbound routing, pass-through of everything that belongs to no connection, and the accept policies. */
class QuicCloseHandlerRoutingTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "full");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    private void start(AcceptPolicy policy) {
        start(policy, Settings.defaults());
    }

    private void start(AcceptPolicy policy, Settings settings) {
        handler = new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(policy).settings(settings).build());
        ch = channel(handler, recorder);
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private byte[] peerInitial() throws Exception {
        return new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch)).firstInitial;
    }

    /** Writes the datagram and asserts it came out of the pipeline as the very same packet, untouched. */
    private void assertPassedOn(byte[] bytes, DatagramPacket packet) {
        ch.writeInbound(packet);
        Object out = ch.readInbound();
        try {
            assertSame(packet, out, "passed on as is");
            assertEquals(1, packet.refCnt(), "not released");
            assertArrayEquals(bytes, ByteBufUtil.getBytes(packet.content()), "not modified");
        } finally {
            packet.release();
        }
        assertNull(ch.readInbound());
        assertEquals(List.of(), drainOutbound(ch));
    }

    private void assertPassedOn(byte[] bytes) {
        assertPassedOn(bytes, datagram(bytes, OTHER_CLIENT, SERVER));
    }

    @Test
    void messagesThatAreNotDatagramsPassThrough() {
        start(AcceptPolicy.reject(REFUSED));
        Object message = "not a datagram";
        ch.writeInbound(message);
        assertSame(message, ch.readInbound());
    }

    @Test
    void datagramsForNoConnectionPassOnUnchanged() throws Exception {
        start(AcceptPolicy.accept());
        handler.addConnection(ConnectionFixtures.client(Settings.defaults()));
        assertPassedOn(new byte[] {0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertPassedOn(new byte[] {(byte) 0xc0, 0, 0, 0, 1, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0});
        assertPassedOn(new byte[0]);
        assertPassedOn(new byte[] {(byte) 0xff});
        byte[] noSender = shortHeader(ConnectionFixtures.CLIENT_SCID, 40);
        assertPassedOn(noSender, new DatagramPacket(ByteBufAllocator.DEFAULT.buffer().writeBytes(noSender), CLIENT));
        assertEquals(1, handler.connections().size());
    }

    @Test
    void theIgnorePolicyPassesAcceptableInitialsOn() throws Exception {
        start(AcceptPolicy.ignore());
        assertPassedOn(peerInitial());
        assertEquals(List.of(), handler.connections());
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void theAcceptPolicyKeepsTheConnectionAndRoutesItsRetransmissionsToIt() throws Exception {
        start(AcceptPolicy.accept());
        byte[] initial = peerInitial();
        ch.writeInbound(datagram(initial, OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, server.state());
        assertEquals(new NetworkPath(SERVER, OTHER_CLIENT), server.path());
        assertEquals(PEER_ODCID, server.originalDestinationConnectionId());
        assertEquals(PEER_SCID, server.destinationConnectionId());
        ch.writeInbound(datagram(initial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "the retransmission belongs to the accepted connection");
        assertEquals(List.of(server), handler.connections());
        assertEquals(2400, server.bytesReceived());
        assertEquals(List.of(), drainOutbound(ch));
    }

    @Test
    void anUnsupportedVersionForAnExistingConnectionGoesToItNotToVersionNegotiation() throws Exception {
        // RFC 9000 §5.2: packets matched to an existing connection "are discarded if ... they indicate a different
        // protocol version than that of the connection"; only a packet for no connection is negotiated (§5.2.2)
        start(AcceptPolicy.accept());
        ch.writeInbound(datagram(peerInitial(), OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        drainOutbound(ch);
        byte[] badVersion = peerInitial();
        badVersion[4] = 0x2a;
        ch.writeInbound(datagram(badVersion, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "the connection's datagram");
        assertEquals(List.of(), drainOutbound(ch), "no Version Negotiation for a connection's DCID");
        assertEquals(List.of(server), handler.connections());
    }

    @Test
    void theAcceptPolicyDeliversCryptoDataToTheListenerMadeForTheConnection() throws Exception {
        StringBuilder seen = new StringBuilder();
        start(AcceptPolicy.accept(scid -> (level, offset, data) -> seen.append(scid).append(' ').append(level)
                .append(' ').append(offset).append(' ').append(data.remaining())));
        ch.writeInbound(datagram(peerInitial(), OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        assertEquals(server.sourceConnectionId() + " INITIAL 0 " + ConnectionFixtures.CLIENT_HELLO.length,
                seen.toString());
    }

    /**
     * The application's CRYPTO data listener (its TLS layer) throws on a hostile ClientHello: only that connection is
     * concerned. It closes with INTERNAL_ERROR and the failure reaches the next handlers as a
     * {@link QuicConnectionException} naming it; the connections accepted before stay open. (Rethrown, the exception
     * would reach the handler's own exceptionCaught, which closes every connection.)
     */
    @Test
    void aListenerThatThrowsClosesOnlyItsOwnConnection() throws Exception {
        IllegalArgumentException boom = new IllegalArgumentException("bad ClientHello");
        ConnectionId[] first = new ConnectionId[1];
        start(AcceptPolicy.accept(scid -> (level, offset, data) -> {
            if (first[0] == null) {
                first[0] = scid;
            } else if (!first[0].equals(scid)) {
                throw boom;
            }
        }));
        ch.writeInbound(datagram(client(1).firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection good = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        recorder.clear();

        Client bad = client(2);
        ch.writeInbound(datagram(bad.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "one close, for the failed connection only");
        var close = sent.get(0).initialClose(bad.connection.originalDestinationConnectionId());
        assertEquals(TransportErrorCode.INTERNAL_ERROR, close.errorCode());
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.LOCAL, ended.initiator());
        assertEquals(TransportErrorCode.INTERNAL_ERROR, ended.error().errorCode());
        assertEquals(1, recorder.exceptions.size());
        QuicConnectionException reported = (QuicConnectionException) recorder.exceptions.get(0);
        assertEquals(ended.connectionId(), reported.connectionId());
        assertSame(boom, reported.getCause());
        recorder.exceptions.clear();
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, good.state(), "the other connection stays open");
        assertEquals(List.of(good), handler.connections());
        assertEquals(2, handler.connectionCount(), "the failed one runs its closing period as a closing record");
    }

    /**
     * A close command the CRYPTO data listener fires while an open connection reads a datagram (a TLS layer refusing
     * the rest of the ClientHello, say) sends the close once: the datagram that made it close is not one of the closing
     * period's, which re-sends the close on the 1st, 2nd, 4th... datagram received after it.
     */
    @Test
    void aCloseCommandFromTheCryptoListenerOfAnOpenConnectionSendsTheCloseOnce() throws Exception {
        start(AcceptPolicy.accept(scid -> (level, offset, data) -> {
            if (offset > 0) {
                ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, REFUSED));
            }
        }));
        Client peer = client(1);
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        assertEquals(List.of(), drainOutbound(ch));

        // the rest of the ClientHello, in a second Initial
        peer.connection.submitCryptoData(dev.quicj.core.EncryptionLevel.INITIAL, new byte[100]);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = peer.connection.writePacket(null, null, b, now(ch));
        ch.writeInbound(datagram(Arrays.copyOf(b.array(), n), OTHER_CLIENT, SERVER));
        assertEquals(dev.quicj.core.conn.ConnectionState.CLOSING, server.state());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "the close, once");
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);

        // the next datagram is the closing period's first: the close is re-sent
        ch.writeInbound(datagram(shortHeader(server.sourceConnectionId(), 60), OTHER_CLIENT, SERVER));
        assertEquals(1, drainOutbound(ch).size());
    }

    @Test
    void theRejectPolicyClosesAtOnceAndKeepsTheConnectionForItsClosingPeriod() throws Exception {
        start(AcceptPolicy.reject(REFUSED));
        ch.writeInbound(datagram(peerInitial(), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(OTHER_CLIENT, sent.get(0).recipient());
        assertEquals(SERVER, sent.get(0).sender());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "full");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.LOCAL, ended.initiator());
        assertEquals(REFUSED, ended.error());
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class));
        // kept for its closing period as its closing record: reachable by both IDs, its close cached, no connection
        assertTrue(handler.registered(PEER_ODCID));
        assertTrue(handler.registered(ended.connectionId()));
        assertEquals(1, handler.connectionCount());
        assertEquals(1, handler.cachedCloseDatagrams().size());
        assertNull(handler.connection(ended.connectionId()));
        assertEquals(List.of(), handler.connections());
    }

    @Test
    void theStatelessRejectPolicyAnswersEveryInitialAndKeepsNothing() throws Exception {
        start(AcceptPolicy.rejectStateless(REFUSED));
        byte[] initial = peerInitial();
        for (int round = 1; round <= 2; round++) {
            // a retransmitted Initial is refused again: there is no state that remembers the first
            ch.writeInbound(datagram(initial.clone(), OTHER_CLIENT, SERVER));
            assertNull(ch.readInbound(), "consumed");
            List<Sent> sent = drainOutbound(ch);
            assertEquals(1, sent.size());
            assertEquals(OTHER_CLIENT, sent.get(0).recipient());
            assertEquals(SERVER, sent.get(0).sender());
            assertEquals(Ecn.NOT_ECT, sent.get(0).ecn());
            InspectedPacket p = sent.get(0).packets(PEER_ODCID).get(0);
            assertEquals("server Initial", p.keys());
            assertEquals(PEER_SCID, p.dcid());
            assertEquals(0, p.packetNumber());
            assertEquals(handler.config().localConnectionIdLength(), p.scid().length());
            assertTrue(sent.get(0).bytes().length < 1200 / 3, "far below the amplification limit");
            assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT,
                    TransportErrorCode.CONNECTION_REFUSED, 0, "full");
            assertEquals(round, recorder.events(QuicConnectionEndedEvent.class).size());
            assertEquals(QuicCloseResult.SENT, recorder.events(QuicConnectionEndedEvent.class).get(round - 1).result());
            assertEquals(List.of(), handler.connections());
            assertEquals(List.of(), handler.cachedCloseDatagrams());
        }
        assertEquals(List.of(), recorder.events(QuicConnectionFreedEvent.class), "nothing was kept to be freed");
    }

    private static final String FITS_IN_1200 = "f".repeat(1100);
    private static final String TOO_LONG_FOR_1200 = "t".repeat(1300);

    /**
     * A stateless refusal knows nothing of the path: its datagram stays within 1200 bytes, as quic-core's closes do
     * until path MTU discovery (close-spec §3.1), and a reason phrase too long for that is dropped, the code still
     * sent, as for a connection's close; the ended event reports what was sent.
     */
    private void assertStatelessRefusalWithin1200(AcceptPolicy policy, String expectedReason) throws Exception {
        start(policy);
        ch.writeInbound(datagram(peerInitial(), OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).bytes().length <= 1200, sent.get(0).bytes().length + " bytes");
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, expectedReason);
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(expectedReason.length(), ended.error().reasonLength(), "the event reports what was sent");
    }

    @Test
    void aStatelessRefusalKeepsAReasonThatFitsIn1200Bytes() throws Exception {
        assertStatelessRefusalWithin1200(AcceptPolicy.rejectStateless(
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, FITS_IN_1200)), FITS_IN_1200);
    }

    @Test
    void aStatelessRefusalDropsAReasonTooLongFor1200Bytes() throws Exception {
        assertStatelessRefusalWithin1200(AcceptPolicy.rejectStatelessUnauthenticated(
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, TOO_LONG_FOR_1200)), "");
    }

    @Test
    void aRefusalAtMaxConnectionsStaysWithin1200Bytes() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.reject(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0,
                        TOO_LONG_FOR_1200)))
                .maxConnections(1).build());
        ch = channel(handler, recorder);
        ch.writeInbound(datagram(client(1).firstInitial, OTHER_CLIENT, SERVER));
        ch.writeInbound(datagram(client(2).firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size(), "the first kept for its closing period, the second refused statelessly");
        for (Sent one : sent) {
            assertTrue(one.bytes().length <= 1200, one.bytes().length + " bytes");
        }
        assertClose(sent.get(1).initialClose(client(2).connection.originalDestinationConnectionId()),
                CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0, "");
    }

    /** A distinct client's first Initial: its own original DCID (9 bytes, ending in {@code n}) and SCID. */
    private Client client(int n) throws Exception {
        ConnectionId odcid = ConnectionId.fromHex(String.format("0dc1d0000000000%03x", n).substring(0, 18));
        ConnectionId scid = ConnectionId.fromHex(String.format("5c1d%04x", n));
        return new Client(odcid, scid, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
    }

    /** Client {@code n} of {@link #client(int)}, of QUIC v2 when {@code n} is even and v1 otherwise. */
    private Client clientOfEitherVersion(int n) throws Exception {
        QuicVersion version = n % 2 == 0 ? QuicVersion.V2 : QuicVersion.V1;
        return new Client(version, client(n).connection.originalDestinationConnectionId(),
                ConnectionId.fromHex(String.format("5c1d%04x", n)), new NetworkPath(OTHER_CLIENT, SERVER), now(ch),
                Settings.defaults());
    }

    /**
     * Sends the client's first Initial and checks the one datagram that answers it: a server Initial of the client's
     * version to the client's SCID, opened with the keys of the client's own DCID, carrying CONNECTION_REFUSED.
     */
    private Sent assertRefusedWithItsOwnKeys(Client c, int n) {
        ConnectionId odcid = c.connection.originalDestinationConnectionId();
        ch.writeInbound(datagram(c.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "client " + n);
        InspectedPacket p = sent.get(0).packets(odcid).get(0);
        assertEquals("server Initial", p.keys(), "client " + n);
        assertEquals(c.connection.version(), p.version(), "client " + n);
        assertEquals(c.connection.sourceConnectionId(), p.dcid(), "client " + n);
        assertClose(sent.get(0).initialClose(odcid), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "full");
        return sent.get(0);
    }

    /**
     * The reject policy's connections borrow Initial keys re-keyed from those of earlier refused connections once
     * these have closed: a run of distinct clients of QUIC v1 and v2 in turn each gets a close of its version sealed
     * with its own DCID's keys, and each connection's cached close still answers its client's retransmission; and
     * only the first refusal builds protections, the next ones re-key them.
     */
    @Test
    void consecutiveRejectsEachUseTheirOwnClientsKeys() throws Exception {
        CountingProvider crypto = new CountingProvider();
        start(AcceptPolicy.reject(REFUSED), crypto.settings());
        List<Client> clients = new ArrayList<>();
        List<byte[]> closes = new ArrayList<>();
        for (int n = 1; n <= 8; n++) {
            Client c = clientOfEitherVersion(n);
            closes.add(assertRefusedWithItsOwnKeys(c, n).bytes());
            assertTrue(handler.registered(c.connection.originalDestinationConnectionId()));
            assertEquals(n, handler.connectionCount());
            clients.add(c);
        }
        // the first client's retransmitted Initial gets its connection's cached close, byte for byte
        ch.writeInbound(datagram(clients.get(0).firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> again = drainOutbound(ch);
        assertEquals(1, again.size());
        assertArrayEquals(closes.get(0), again.get(0).bytes());
        assertEquals(8, handler.connectionCount());
        assertEquals(8, handler.cachedCloseDatagrams().size());
        assertEquals(2, crypto.built, "protections built for 8 refusals (the first refusal's two, then re-keyed)");
        assertEquals(16, crypto.asked);
    }

    /** {@link CryptoProvider#jca()}, counting the protections asked for and those built rather than re-keyed. */
    private static final class CountingProvider implements CryptoProvider {
        int asked;
        int built;

        /** The default settings with this provider. */
        Settings settings() {
            return Settings.defaults().toBuilder().cryptoProvider(this).build();
        }

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            return rekeyPacketProtection(null, version, suite, secret);
        }

        @Override
        public PacketProtection rekeyPacketProtection(PacketProtection previous, QuicVersion version,
                CipherSuite suite, byte[] secret) throws CryptoException {
            asked++;
            PacketProtection p = CryptoProvider.jca().rekeyPacketProtection(previous, version, suite, secret);
            if (p != previous) {
                built++;
            }
            return p;
        }
    }

    @Test
    void beyondMaxConnectionsTheRejectPolicyRefusesWithoutState() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED))
                .maxConnections(2).build());
        ch = channel(handler, recorder);
        Client[] clients = {client(1), client(2), client(3), client(4)};
        for (int i = 0; i < clients.length; i++) {
            ch.writeInbound(datagram(clients[i].firstInitial, OTHER_CLIENT, SERVER));
            assertNull(ch.readInbound(), "consumed");
            List<Sent> sent = drainOutbound(ch);
            assertEquals(1, sent.size());
            ConnectionId odcid = clients[i].connection.originalDestinationConnectionId();
            assertClose(sent.get(0).initialClose(odcid), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                    0, "full");
            assertEquals(Math.min(i + 1, 2), handler.connectionCount(), "connections after Initial " + (i + 1));
            // the first two are kept for their closing period; the others were refused statelessly (pn 0, no state)
            assertEquals(i < 2, handler.registered(odcid), "Initial " + (i + 1) + " made a connection");
        }
        assertEquals(4, recorder.events(QuicConnectionEndedEvent.class).size(), "every refusal is reported");
        assertEquals(2, handler.cachedCloseDatagrams().size());

        // once the closing periods are over (3 PTO without an RTT sample: 9 initial RTTs) there is room again
        advance(ch, Settings.defaults().initialRtt().multipliedBy(9).toNanos());
        assertEquals(0, handler.connectionCount());
        Client again = client(5);
        ch.writeInbound(datagram(again.firstInitial, OTHER_CLIENT, SERVER));
        assertEquals(1, drainOutbound(ch).size());
        assertTrue(handler.registered(again.connection.originalDestinationConnectionId()));
    }

    @Test
    void beyondMaxConnectionsTheAcceptPolicyRefusesWithConnectionRefused() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .maxConnections(1).build());
        ch = channel(handler, recorder);
        Client first = client(1);
        ch.writeInbound(datagram(first.firstInitial, OTHER_CLIENT, SERVER));
        assertEquals(List.of(), drainOutbound(ch), "the first is accepted and answered by nobody yet");
        assertEquals(1, recorder.events(QuicConnectionAcceptedEvent.class).size());

        Client second = client(2);
        ch.writeInbound(datagram(second.firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        ConnectionId odcid = second.connection.originalDestinationConnectionId();
        InspectedPacket p = sent.get(0).packets(odcid).get(0);
        assertEquals("server Initial", p.keys());
        assertEquals(0, p.packetNumber());
        assertClose(sent.get(0).initialClose(odcid), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0,
                "");
        assertNull(handler.connection(odcid));
        assertEquals(1, handler.connections().size());
        assertEquals(1, recorder.events(QuicConnectionAcceptedEvent.class).size(), "no second connection");
        QuicConnectionEndedEvent ended = recorder.events(QuicConnectionEndedEvent.class).get(0);
        assertEquals(QuicCloseInitiator.LOCAL, ended.initiator());
        assertEquals(QuicCloseResult.SENT, ended.result());
    }

    /**
     * README: a connection is freed 3 x PTO after its close "to the nanosecond", and maxConnections bounds the
     * connections the handler holds. An Initial read once the only connection's closing period has ended, before the
     * timer task ran (an event loop reads before it runs due tasks), finds the handler holding nothing: accepted.
     */
    @Test
    void anInitialReadAfterTheClosingPeriodOfTheOnlyConnectionEndedIsAcceptedUnderMaxConnections() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .maxConnections(1).build());
        ch = channel(handler, recorder);
        Client first = client(1);
        ch.writeInbound(datagram(first.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection accepted = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        ch.pipeline().fireUserEventTriggered(
                QuicCloseCommand.closeConnection(accepted.sourceConnectionId(), REFUSED));
        assertEquals(1, drainOutbound(ch).size());
        ch.advanceTimeBy(accepted.closingPeriod().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);

        Client second = client(2);
        ch.writeInbound(datagram(second.firstInitial, OTHER_CLIENT, SERVER));
        assertEquals(List.of(), drainOutbound(ch), "accepted, not refused as if the handler were full");
        assertEquals(2, recorder.events(QuicConnectionAcceptedEvent.class).size());
        assertTrue(recorder.freed(accepted.sourceConnectionId()));
        assertEquals(1, handler.connectionCount());
    }

    /**
     * With one-byte connection IDs (localConnectionIdLength(1), allowed) there are 256 of them: once every one is held
     * (here by refused connections in their closing period), the next Initial is refused without state, as when the
     * handler is full, instead of looking for a free ID forever on the event loop.
     */
    @Test
    void whenEveryConnectionIdOfTheConfiguredLengthIsTakenTheNextInitialIsRefusedStatelessly() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED))
                .localConnectionIdLength(1).build());
        ch = channel(handler, recorder);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 256; i++) {
                ch.writeInbound(datagram(client(i).firstInitial, OTHER_CLIENT, SERVER));
                assertEquals(1, drainOutbound(ch).size());
            }
            assertEquals(256, handler.connectionCount());
            Client last = client(256);
            ch.writeInbound(datagram(last.firstInitial, OTHER_CLIENT, SERVER));
            List<Sent> sent = drainOutbound(ch);
            assertEquals(1, sent.size());
            ConnectionId odcid = last.connection.originalDestinationConnectionId();
            assertEquals(0, sent.get(0).packets(odcid).get(0).packetNumber());
            assertClose(sent.get(0).initialClose(odcid), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                    0, "full");
            assertEquals(256, handler.connectionCount(), "nothing kept for the last one");
        });
    }

    @Test
    void theStatelessRejectPolicyPassesOnAnInitialThatDoesNotAuthenticate() throws Exception {
        start(AcceptPolicy.rejectStateless(REFUSED));
        byte[] forged = peerInitial();
        forged[forged.length - 1] ^= 1;
        assertPassedOn(forged);
        assertEquals(List.of(), recorder.events);
    }

    /**
     * Two client Initials coalesced in one 1200-byte datagram (RFC 9000 §12.2), both sealed with the client Initial
     * keys of {@link #PEER_ODCID}, the first addressed to it, the second to {@code secondDcid}; either may be
     * corrupted (its last byte flipped).
     */
    private static byte[] coalescedInitials(boolean firstBad, boolean secondBad, ConnectionId secondDcid)
            throws Exception {
        PacketProtection keys = ConnectionFixtures.peerProtection(Settings.defaults(),
                InitialSecrets.clientSecret(QuicVersion.V1, PEER_ODCID.toByteArray()));
        byte[] crypto = ByteBufUtil.decodeHexDump("0600" + "04" + "01020304");
        byte[] first = ConnectionFixtures.peerLongPacket(keys, LongPacketType.INITIAL, PEER_ODCID, PEER_SCID, 0, crypto,
                0);
        byte[] second = ConnectionFixtures.peerLongPacket(keys, LongPacketType.INITIAL, secondDcid, PEER_SCID, 1,
                crypto, 1200 - first.length);
        if (firstBad) {
            first[first.length - 1] ^= 1;
        }
        if (secondBad) {
            second[second.length - 1] ^= 1;
        }
        byte[] dg = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, dg, first.length, second.length);
        assertEquals(1200, dg.length);
        return dg;
    }

    /**
     * RFC 9000 §12.2: a packet that does not decrypt does not stop the ones coalesced after it. A datagram whose first
     * Initial is corrupt but whose second authenticates is refused, as a connection (the reject policy) would read it.
     */
    @Test
    void theStatelessRejectPolicyAuthenticatesAnyOfTheCoalescedInitials() throws Exception {
        start(AcceptPolicy.rejectStateless(REFUSED));
        ch.writeInbound(datagram(coalescedInitials(true, false, PEER_ODCID), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "full");
        recorder.assertEnded(recorder.onlyEnded().connectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
    }

    @Test
    void theStatelessRejectPolicyPassesOnADatagramNoneOfWhoseInitialsAuthenticates() throws Exception {
        start(AcceptPolicy.rejectStateless(REFUSED));
        assertPassedOn(coalescedInitials(true, true, PEER_ODCID));
        // an Initial for another DCID is not part of the datagram's connection (RFC 9000 §12.2), whatever its keys
        assertPassedOn(coalescedInitials(true, false, ConnectionId.fromHex("d1d2d3d4d5d6d7d8d9")));
        assertEquals(List.of(), recorder.events);
    }

    /**
     * The stateless refusals re-key one set of Initial keys per client DCID: a run of distinct clients of QUIC v1 and
     * v2 in turn, with Initials that do not authenticate in between, each gets a close of its version sealed with its
     * own DCID's server keys; only the first refusal builds protections (two, or the server's one unauthenticated).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void consecutiveStatelessRefusalsEachUseTheirOwnClientsKeys(boolean authenticated) throws Exception {
        CountingProvider crypto = new CountingProvider();
        start(authenticated ? AcceptPolicy.rejectStateless(REFUSED)
                : AcceptPolicy.rejectStatelessUnauthenticated(REFUSED), crypto.settings());
        int answered = 0;
        for (int n = 1; n <= 8; n++) {
            Client c = clientOfEitherVersion(n);
            if (authenticated && n % 3 == 0) {
                byte[] forged = c.firstInitial.clone();
                forged[forged.length - 1] ^= 1;
                assertPassedOn(forged);
            }
            assertRefusedWithItsOwnKeys(c, n);
            answered++;
        }
        assertEquals(answered, recorder.events(QuicConnectionEndedEvent.class).size());
        assertEquals(List.of(), handler.connections());
        assertEquals(authenticated ? 2 : 1, crypto.built, "protections built, the rest re-keyed");
    }

    @Test
    void theUnauthenticatedStatelessRejectPolicyAnswersTheSameCloseAsTheAuthenticatedOne() throws Exception {
        start(AcceptPolicy.rejectStatelessUnauthenticated(REFUSED));
        assertFalse(AcceptPolicy.rejectStatelessUnauthenticated(REFUSED).authenticatesInitials());
        assertTrue(AcceptPolicy.rejectStateless(REFUSED).authenticatesInitials());
        byte[] initial = peerInitial();
        ch.writeInbound(datagram(initial.clone(), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(OTHER_CLIENT, sent.get(0).recipient());
        InspectedPacket p = sent.get(0).packets(PEER_ODCID).get(0);
        assertEquals("server Initial", p.keys());
        assertEquals(PEER_SCID, p.dcid());
        assertEquals(0, p.packetNumber());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "full");
        assertEquals(QuicCloseResult.SENT, recorder.events(QuicConnectionEndedEvent.class).get(0).result());
        assertEquals(List.of(), handler.connections());
    }

    @Test
    void theUnauthenticatedStatelessRejectPolicyAnswersAnInitialThatDoesNotAuthenticate() throws Exception {
        start(AcceptPolicy.rejectStatelessUnauthenticated(REFUSED));
        byte[] forged = peerInitial();
        forged[forged.length - 1] ^= 1;
        ch.writeInbound(datagram(forged, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed: only the header was looked at");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "full");
        // what it still passes on: anything that is not an acceptable client Initial
        assertPassedOn(Arrays.copyOf(peerInitial(), 1199));
        byte[] badVersion = peerInitial();
        badVersion[4] = 0x2a;
        assertVersionNegotiation(badVersion);
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size());
    }

    @Test
    void beyondMaxConnectionsTheRejectPolicyStillAuthenticates() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED))
                .maxConnections(1).build());
        ch = channel(handler, recorder);
        ch.writeInbound(datagram(client(1).firstInitial, OTHER_CLIENT, SERVER));
        assertEquals(1, drainOutbound(ch).size());
        byte[] forged = client(2).firstInitial;
        forged[forged.length - 1] ^= 1;
        assertPassedOn(forged);
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size());
    }

    @Test
    void anInitialThatDoesNotAuthenticateCreatesNothingAndPassesOnUnchanged() throws Exception {
        start(AcceptPolicy.reject(REFUSED));
        byte[] forged = peerInitial();
        forged[forged.length - 1] ^= 1;
        assertPassedOn(forged);
        assertEquals(List.of(), handler.connections());
        assertEquals(List.of(), recorder.events);
    }

    /**
     * A datagram of a version this library does not speak is consumed and answered with Version Negotiation (the
     * packet itself: QuicCloseHandlerVersionNegotiationTest), nothing else.
     */
    private void assertVersionNegotiation(byte[] bytes) {
        ch.writeInbound(datagram(bytes, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(0, java.nio.ByteBuffer.wrap(sent.get(0).bytes(), 1, 4).getInt(), "version 0");
    }

    @Test
    void datagramsThatCannotOpenAConnectionPassOn() throws Exception {
        start(AcceptPolicy.reject(REFUSED));
        byte[] initial = peerInitial();
        assertPassedOn(Arrays.copyOf(initial, 1199));
        byte[] badVersion = initial.clone();
        badVersion[4] = 0x2a;
        assertVersionNegotiation(badVersion);
        // RFC 9000 §7.2: a client's first DCID is at least 8 bytes
        ConnectionId sevenBytes = ConnectionId.fromHex("01020304050607");
        byte[] sevenByteDcid = ConnectionFixtures.peerLongPacket(
                InitialSecrets.clientProtection(CryptoProvider.jca(), QuicVersion.V1, sevenBytes.toByteArray()),
                LongPacketType.INITIAL, sevenBytes, PEER_SCID, 0, new byte[] {(byte) FrameType.PING},
                QuicConnection.MIN_INITIAL_DATAGRAM_SIZE);
        assertPassedOn(sevenByteDcid);
        assertEquals(List.of(), handler.connections());
    }

    @Test
    void anInitialThatBreaksTheProtocolClosesItsNewConnectionWithThatError() throws Exception {
        start(AcceptPolicy.accept());
        // a STREAM frame is not allowed in an Initial packet (RFC 9000 §12.4)
        byte[] frames = {(byte) FrameType.STREAM, 0x00, 0x61};
        byte[] initial = ConnectionFixtures.peerLongPacket(
                InitialSecrets.clientProtection(CryptoProvider.jca(), QuicVersion.V1, PEER_ODCID.toByteArray()),
                LongPacketType.INITIAL, PEER_ODCID, PEER_SCID, 0, frames, QuicConnection.MIN_INITIAL_DATAGRAM_SIZE);
        ch.writeInbound(datagram(initial, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        var close = sent.get(0).initialClose(PEER_ODCID);
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, close.errorCode());
        assertEquals(FrameType.STREAM, close.frameType());
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class));
        recorder.assertEnded(recorder.onlyEnded().connectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        // the application never saw it: the handler keeps only its closing record, which answers the retransmission
        assertEquals(List.of(), handler.connections());
        assertEquals(1, handler.connectionCount());
        assertTrue(handler.registered(PEER_ODCID));
        ch.writeInbound(datagram(initial, OTHER_CLIENT, SERVER));
        List<Sent> again = drainOutbound(ch);
        assertEquals(1, again.size());
        assertArrayEquals(sent.get(0).bytes(), again.get(0).bytes());
    }

    @Test
    void aPeerThatBreaksTheProtocolOnAnOpenConnectionIsClosedWithThatError() throws Exception {
        start(AcceptPolicy.ignore());
        QuicConnection client = ConnectionFixtures.client(Settings.defaults());
        handler.addConnection(client);
        byte[] frames = {(byte) FrameType.STREAM, 0x00, 0x61};
        byte[] serverInitial = ConnectionFixtures.peerLongPacket(
                InitialSecrets.serverProtection(CryptoProvider.jca(), QuicVersion.V1,
                        ConnectionFixtures.CLIENT_ODCID.toByteArray()),
                LongPacketType.INITIAL, ConnectionFixtures.CLIENT_SCID, ConnectionFixtures.SERVER_SCID, 0, frames, 0);
        ch.writeInbound(datagram(serverInitial, SERVER, CLIENT));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(SERVER, sent.get(0).recipient());
        var close = sent.get(0).initialClose(ConnectionFixtures.CLIENT_ODCID);
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, close.errorCode());
        assertEquals(FrameType.STREAM, close.frameType());
        assertEquals(ConnectionState.CLOSING, client.state());
    }

    @Test
    void shortHeadersAreRoutedByEveryConnectionIdLengthInUse() throws Exception {
        start(AcceptPolicy.ignore());
        QuicConnection client = ConnectionFixtures.client(Settings.defaults());
        handler.addConnection(client);
        assertEquals(18, client.sourceConnectionId().length());
        assertEquals(8, handler.config().localConnectionIdLength());
        ch.writeInbound(datagram(shortHeader(client.sourceConnectionId(), 60), SERVER, CLIENT));
        assertNull(ch.readInbound(), "routed to the 18-byte connection ID");
        assertEquals(60, client.bytesReceived());
        assertPassedOn(shortHeader(ConnectionId.fromHex("00112233445566778899aabbccddeeff0011"), 60));
    }

    private QuicConnection addedClient(ConnectionId scid) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().originalDestinationConnectionId(PEER_ODCID)
                .sourceConnectionId(scid).path(new NetworkPath(CLIENT, SERVER)).build(ConnectionFixtures.T0);
        ConnectionFixtures.sentFirstInitial(c);
        handler.addConnection(c);
        return c;
    }

    @Test
    void aShortHeaderGoesToTheLongestConnectionIdItStartsWith() throws Exception {
        // short headers carry no DCID length: a 4-byte ID that is a prefix of a 9-byte one must not take its datagrams
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().localConnectionIdLength(10).build());
        ch = channel(handler, recorder);
        QuicConnection shortId = addedClient(ConnectionId.fromHex("aabbccdd"));
        QuicConnection longId = addedClient(ConnectionId.fromHex("aabbccdd0011223344"));
        QuicConnection empty = addedClient(ConnectionId.empty());
        ch.writeInbound(datagram(shortHeader(longId.sourceConnectionId(), 60), SERVER, CLIENT));
        assertNull(ch.readInbound());
        assertEquals(60, longId.bytesReceived(), "routed by its 9-byte DCID");
        assertEquals(0, shortId.bytesReceived());
        ch.writeInbound(datagram(shortHeader(shortId.sourceConnectionId(), 50), SERVER, CLIENT));
        assertEquals(50, shortId.bytesReceived(), "routed by its 4-byte DCID, not to the empty one");
        assertEquals(0, empty.bytesReceived());
        assertEquals(List.of(), drainOutbound(ch));
    }

    @Test
    void anAddedLongerIdStartingWithAServerIdOfTheConfiguredLengthGetsItsOwnDatagrams() throws Exception {
        // the configured length is not tried first: a server connection's 8-byte ID that is a prefix of an added
        // client's 12-byte ID must not take the client's datagrams
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .localConnectionIdLength(8).build());
        ch = channel(handler, recorder);
        ch.writeInbound(datagram(peerInitial(), OTHER_CLIENT, SERVER));
        QuicConnection server = handler.connection(PEER_ODCID);
        ConnectionId serverId = server.sourceConnectionId();
        assertEquals(8, serverId.length());
        long serverBytes = server.bytesReceived();
        byte[] longer = Arrays.copyOf(serverId.toByteArray(), 12);
        longer[8] = (byte) 0xa1;
        longer[9] = (byte) 0xa2;
        longer[10] = (byte) 0xa3;
        longer[11] = (byte) 0xa4;
        QuicConnection client = addedClient(ConnectionId.of(longer, 0, 12));
        ch.writeInbound(datagram(shortHeader(client.sourceConnectionId(), 60), SERVER, CLIENT));
        assertNull(ch.readInbound());
        assertEquals(60, client.bytesReceived(), "routed by its whole 12-byte DCID");
        assertEquals(serverBytes, server.bytesReceived());
        // a datagram for the 8-byte ID (what follows it is not the rest of the longer ID) still reaches the server
        ch.writeInbound(datagram(shortHeader(serverId, 50), OTHER_CLIENT, SERVER));
        assertEquals(serverBytes + 50, server.bytesReceived());
        assertEquals(60, client.bytesReceived());
    }

    @Test
    void aZeroLengthConnectionIdOnlyTakesDatagramsFromItsOwnPath() throws Exception {
        // RFC 9000 §5.2: a zero-length DCID belongs to a connection only if the addressing information matches
        start(AcceptPolicy.ignore());
        QuicConnection empty = addedClient(ConnectionId.empty());
        ch.writeInbound(datagram(shortHeader(ConnectionId.empty(), 40), SERVER, CLIENT));
        assertNull(ch.readInbound());
        assertEquals(40, empty.bytesReceived());
        assertPassedOn(shortHeader(ConnectionId.empty(), 40), datagram(shortHeader(ConnectionId.empty(), 40),
                OTHER_CLIENT, CLIENT));
        assertEquals(40, empty.bytesReceived());
    }

    @Test
    void addConnectionRefusesTakenIdsAndClosedConnections() throws Exception {
        start(AcceptPolicy.ignore());
        QuicConnection client = ConnectionFixtures.client(Settings.defaults());
        handler.addConnection(client);
        assertThrows(IllegalArgumentException.class, () -> handler.addConnection(client));
        assertThrows(IllegalArgumentException.class,
                () -> handler.addConnection(ConnectionFixtures.client(Settings.defaults())));
        QuicConnection closing = QuicConnection.clientBuilder().originalDestinationConnectionId(PEER_ODCID)
                .sourceConnectionId(PEER_SCID).path(new NetworkPath(CLIENT, SERVER)).build(ConnectionFixtures.T0);
        ConnectionFixtures.sentFirstInitial(closing);
        assertEquals(CloseOutcome.WRITTEN, closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.noError(), ConnectionFixtures.T0));
        assertThrows(IllegalArgumentException.class, () -> handler.addConnection(closing));
        assertEquals(List.of(client), handler.connections());
        assertNotNull(handler.connection(ConnectionFixtures.CLIENT_SCID));
        ch.close();
        assertThrows(IllegalStateException.class,
                () -> handler.addConnection(ConnectionFixtures.clientWithHandshakeKeys(Settings.defaults())));
        drainOutbound(ch);
    }
    /** The start-up warm-up refuses one client Initial of each kind and leaves nothing behind (the leak gate checks). */
    @Test
    void warmUpRunsEveryRefusalAndCanBeRepeated() {
        QuicCloseHandler.warmUp();
        QuicCloseHandler.warmUp();
    }
}
