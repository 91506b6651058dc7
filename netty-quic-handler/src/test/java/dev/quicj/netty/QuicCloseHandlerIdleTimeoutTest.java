package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.advance;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §10.1 in the handler: a live connection whose idle timeout expires is closed silently (nothing sent), its
 * end reported as IDLE, and freed at once. Closing and draining connections follow their closing period instead.
 */
class QuicCloseHandlerIdleTimeoutTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final ConnectionId CLIENT_ODCID = ConnectionId.fromHex("d0d1d2d3d4d5d6d7");
    private static final ConnectionId CLIENT_SCID = ConnectionId.fromHex("e0e1e2e3e4e5e6e7");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    // above three PTOs (2 997 ms at the default 333 ms initial RTT), so it is the timeout in force
    private static final Settings IDLE_5S = Settings.defaults().toBuilder().maxIdleTimeout(Duration.ofSeconds(5))
            .build();

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;
    private Client peer;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** A server handler accepting connections with {@code settings}; a peer client sends its first Initial. */
    private QuicConnection accepted(Settings settings) throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .settings(settings).build());
        ch = channel(handler, recorder);
        peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        List<QuicConnectionAcceptedEvent> accepted = recorder.events(QuicConnectionAcceptedEvent.class);
        assertEquals(1, accepted.size(), () -> "events: " + recorder.events);
        return accepted.get(0).connection();
    }

    /** Another Initial from the peer client, with new CRYPTO data: a packet the server processes. */
    private byte[] nextPeerInitial() throws Exception {
        peer.connection.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1, 2, 3});
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = peer.connection.writePacket(null, null, b, now(ch));
        assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, n);
        return java.util.Arrays.copyOf(b.array(), n);
    }

    private void assertIdledOut(ConnectionId id) {
        recorder.assertEnded(id, QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(CloseError.Type.IDLE_CLOSE, ended.error().type());
        assertTrue(recorder.freed(id), "freed at once: " + recorder.events);
        assertNull(handler.connection(id));
        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), drainOutbound(ch), "an idle close is silent");
        recorder.assertNoExceptions();
    }

    private void assertLive(ConnectionId id) {
        assertTrue(recorder.events(QuicConnectionEndedEvent.class).isEmpty(), () -> "events: " + recorder.events);
        assertEquals(1, handler.connectionCount());
        assertEquals(id, handler.connections().get(0).sourceConnectionId());
    }

    /** Asserts the connection is live {@code nanos - 1} from now and idles out silently {@code nanos} from now. */
    private void assertIdlesOutIn(ConnectionId id, long nanos) {
        advance(ch, nanos - 1);
        assertLive(id);
        advance(ch, 1);
        assertIdledOut(id);
    }

    @Test
    void anAcceptedConnectionIdlesOutSilentlyExactlyAtItsTimeout() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        assertEquals(Duration.ofSeconds(5), server.idleTimeout());
        assertIdlesOutIn(server.sourceConnectionId(), 5 * SECOND);
    }

    @Test
    void aProcessedDatagramRestartsTheTimer() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, 3 * SECOND);
        ch.writeInbound(datagram(nextPeerInitial(), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "the datagram belongs to the connection");
        assertIdlesOutIn(server.sourceConnectionId(), 5 * SECOND);
    }

    @Test
    void aDatagramThatDoesNotAuthenticateDoesNotRestartTheTimer() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, 3 * SECOND);
        byte[] corrupt = nextPeerInitial();
        corrupt[corrupt.length - 1] ^= 1;
        ch.writeInbound(datagram(corrupt, OTHER_CLIENT, SERVER));
        advance(ch, 2 * SECOND);
        assertIdledOut(server.sourceConnectionId());
    }

    @Test
    void activityTheHandlerDoesNotSeeIsFoundWhenTheTimerFires() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, 3 * SECOND);
        // the application sends the server's first flight itself: the first ack-eliciting packet after the
        // client's Initial restarts the idle timer (RFC 9000 §10.1)
        server.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {9, 9, 9});
        assertTrue(server.writePacket(null, null, ByteBuffer.allocate(1500), now(ch)) > 0);
        assertEquals(now(ch), server.idleTimerStart());
        advance(ch, 2 * SECOND);
        assertLive(server.sourceConnectionId());
        assertIdlesOutIn(server.sourceConnectionId(), 3 * SECOND);
    }

    @Test
    void withoutAnIdleTimeoutALiveConnectionIsKept() throws Exception {
        QuicConnection server = accepted(Settings.defaults());
        advance(ch, TimeUnit.HOURS.toNanos(1));
        assertLive(server.sourceConnectionId());
        assertEquals(List.of(), drainOutbound(ch));
    }

    @Test
    void aClosedConnectionFollowsItsClosingPeriodNotItsIdleTimeout() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, SECOND);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(server.sourceConnectionId(),
                CloseError.transport(TransportErrorCode.NO_ERROR)));
        assertEquals(1, drainOutbound(ch).size());
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        long closingPeriod = server.closingPeriod().toNanos();
        advance(ch, closingPeriod - 1);
        assertFalse(recorder.freed(server.sourceConnectionId()));
        advance(ch, 1);
        assertTrue(recorder.freed(server.sourceConnectionId()));
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size(), "ended once, as LOCAL");
        recorder.assertNoExceptions();
    }

    /**
     * The application closed the connection with its own {@code writeConnectionClose} while the idle timer was armed:
     * when the timer fires the handler finds the close, reports it and runs the closing period (and does not spin on
     * a deadline that stays in the past).
     */
    @Test
    void aConnectionClosedBehindTheHandlersBackEndsWhenItsTimerFires() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, SECOND);
        assertEquals(CloseOutcome.WRITTEN, server.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.application(7), now(ch)));
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> advance(ch, 10 * SECOND));
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.NOTHING_TO_SEND);
        assertEquals(CloseError.application(7), recorder.onlyEnded().error());
        assertFalse(recorder.freed(server.sourceConnectionId()), "its closing period runs from when it was found");
        advance(ch, server.closingPeriod().toNanos());
        assertTrue(recorder.freed(server.sourceConnectionId()));
        assertEquals(List.of(), drainOutbound(ch), "the handler has no copy of that close to send");
    }

    /** The same with the peer's close, which the application fed to the connection itself: it drains. */
    @Test
    void aConnectionDrainingBehindTheHandlersBackEndsWhenItsTimerFires() throws Exception {
        QuicConnection server = accepted(IDLE_5S);
        advance(ch, SECOND);
        ByteBuffer close = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, peer.connection.writeConnectionClose(null, null, close,
                CloseError.transport(0x0a), now(ch)));
        close.flip();
        assertEquals(ReceiveStatus.DRAINING, server.receive(close, new NetworkPath(SERVER, OTHER_CLIENT), now(ch)));
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> advance(ch, 10 * SECOND));
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.PEER, QuicCloseResult.NOTHING_TO_SEND);
        advance(ch, server.closingPeriod().toNanos());
        assertTrue(recorder.freed(server.sourceConnectionId()));
        assertEquals(List.of(), drainOutbound(ch));
    }

    /**
     * A held 1-RTT CONNECTION_CLOSE processed by {@code handshakeCompleted()} called outside {@code receive} (an
     * asynchronous TLS layer): the connection drains behind the handler's back, which finds it when the idle timer
     * fires.
     */
    @Test
    void aConnectionDrainedByAHeldCloseOutsideReceiveEndsWhenItsTimerFires() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Settings settings = Settings.defaults().toBuilder().maxIdleTimeout(Duration.ofSeconds(60)).build();
        Client client = new Client(CLIENT_ODCID, CLIENT_SCID, new NetworkPath(CLIENT, SERVER), now(ch), settings);
        QuicConnection c = client.connection;
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        handler.addConnection(c);
        byte[] close = ConnectionFixtures.peerShortPacket(settings, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID,
                0, Hex.decode("1c000000"));
        ch.writeInbound(datagram(close, SERVER, CLIENT));
        assertEquals(dev.quicj.core.conn.DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, c.lastDropReason());
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        assertTrue(c.isInDrainingPeriod());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> advance(ch, 60 * SECOND));
        recorder.assertEnded(CLIENT_SCID, QuicCloseInitiator.PEER, QuicCloseResult.NOTHING_TO_SEND);
        advance(ch, c.closingPeriod().toNanos());
        assertTrue(recorder.freed(CLIENT_SCID));
        assertEquals(List.of(), drainOutbound(ch));
    }

    /**
     * A listener that reacts to the idle end by closing every connection: the idle one, whose end was already
     * reported, sends nothing (it "is silently closed"); only the other one closes.
     */
    @Test
    void aCloseAllFiredFromTheIdleEndedEventDoesNotMakeTheIdleConnectionSendAClose() throws Exception {
        handler = new QuicCloseHandler();
        ChannelInboundHandlerAdapter reactor = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionEndedEvent
                        && ((QuicConnectionEndedEvent) evt).initiator() == QuicCloseInitiator.IDLE) {
                    ctx.channel().pipeline().fireUserEventTriggered(
                            QuicCloseCommand.closeAll(CloseError.transport(TransportErrorCode.NO_ERROR)));
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
        ch = channel(handler, reactor, recorder);
        Client idler = new Client(CLIENT_ODCID, CLIENT_SCID, new NetworkPath(CLIENT, SERVER), now(ch), IDLE_5S);
        Client other = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        handler.addConnection(idler.connection);
        handler.addConnection(other.connection);
        advance(ch, 5 * SECOND);
        List<TestSupport.Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), () -> "sent: " + sent);
        assertEquals(OTHER_CLIENT, sent.get(0).sender(), "the other client's close");
        recorder.assertEnded(CLIENT_SCID, QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
        recorder.assertEnded(PEER_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        assertEquals(2, recorder.events(QuicConnectionEndedEvent.class).size());
    }

    @Test
    void anAddedConnectionIdlesOutEvenWhenAddedBeforeTheHandlerJoinedThePipeline() throws Exception {
        ch = channel(recorder);
        handler = new QuicCloseHandler();
        Client client = new Client(CLIENT_ODCID, CLIENT_SCID, new NetworkPath(CLIENT, SERVER), now(ch), IDLE_5S);
        handler.addConnection(client.connection);
        ch.pipeline().addFirst(handler);
        assertIdlesOutIn(CLIENT_SCID, 5 * SECOND);
    }

    /**
     * The server's shorter max_idle_timeout counts once the handshake completed (quic-core follows ngtcp2 there:
     * learnt before, it changes nothing), and the handler reads it with the next datagram when an asynchronous TLS
     * layer completes the handshake outside {@code receive}.
     */
    @Test
    void aShorterTimeoutFromThePeersTransportParametersTakesEffectWithTheNextDatagramOnceTheHandshakeCompleted()
            throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Client client = new Client(CLIENT_ODCID, CLIENT_SCID, new NetworkPath(CLIENT, SERVER), now(ch), IDLE_5S);
        QuicConnection c = client.connection;
        handler.addConnection(c);
        advance(ch, SECOND);
        // the TLS layer learnt the server's max_idle_timeout of 3.5 s, then a PING from the server was processed
        c.setPeerTransportParameters(TransportParameters.builder().maxIdleTimeoutMillis(3500).build());
        byte[] ping = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(Settings.defaults(),
                        InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, ConnectionId.fromHex("5e5e5e5e"), 0, Hex.decode("01"), 0);
        ch.writeInbound(datagram(ping, SERVER, CLIENT));
        assertEquals(now(ch), c.idleTimerStart());
        assertEquals(Duration.ofSeconds(5), c.idleTimeout(), "not in force before the handshake completed");
        advance(ch, SECOND);
        // the handshake completes outside receive, then a 1-RTT PING from the server is processed
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        assertEquals(Duration.ofMillis(3500), c.idleTimeout());
        byte[] ping1Rtt = ConnectionFixtures.peerShortPacket(IDLE_5S, ConnectionFixtures.SERVER_1RTT_SECRET,
                CLIENT_SCID, 0, Hex.decode("01"));
        ch.writeInbound(datagram(ping1Rtt, SERVER, CLIENT));
        assertEquals(now(ch), c.idleTimerStart(), () -> "dropped: " + c.lastDropReason());
        advance(ch, 3500 * TimeUnit.MILLISECONDS.toNanos(1) - 1);
        assertLive(CLIENT_SCID);
        advance(ch, 1);
        recorder.assertEnded(CLIENT_SCID, QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
        assertTrue(recorder.freed(CLIENT_SCID));
        // the ACKs the client owes the server are not sent: nothing is sent once idle
        assertEquals(List.of(), drainOutbound(ch));
    }

    /** A server with a 5 s idle timeout that read the client's Initial and spent its amplification budget. */
    private QuicConnection exhaustedServer() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        long t = now(ch);
        peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), t);
        NetworkPath path = new NetworkPath(SERVER, CLIENT);
        QuicConnection s = QuicConnection.serverBuilder().sourceConnectionId(CLIENT_SCID).path(path)
                .settings(IDLE_5S).build(t);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(peer.firstInitial.clone()), path, t));
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[5000]);
        while (s.writePacket(null, null, ByteBuffer.allocate(1500), t) > 0) {
            // send until the budget is spent
        }
        assertTrue(s.amplificationBudget() < 49, () -> "budget left: " + s.amplificationBudget());
        handler.addConnection(s);
        // closed 4 s in: held back by the amplification limit
        advance(ch, 4 * SECOND);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(CLIENT_SCID,
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED)));
        assertEquals(List.of(), drainOutbound(ch), "held back by the amplification limit");
        assertTrue(recorder.events(QuicConnectionEndedEvent.class).isEmpty());
        return s;
    }

    /**
     * RFC 9000 §10.1: "silently closed and its state is discarded" past the idle timeout. A close held back by the
     * amplification limit whose connection idles out before a datagram buys its budget is not sent by that datagram:
     * the connection ended silently (found by review: the datagram sent the close 0.5 s after the idle deadline).
     */
    @Test
    void aHeldBackCloseIsNotSentOnceTheConnectionIdledOut() throws Exception {
        QuicConnection s = exhaustedServer();
        long idleDeadline = s.idleTimerStart() + s.idleTimeoutNanos();
        // past the idle deadline (5 s), before the held-back close's wait (3 PTO from the command) ends
        advance(ch, idleDeadline - now(ch) + SECOND / 2);
        assertTrue(s.closingPeriod().toNanos() > SECOND, "the wait still runs");
        // 29 bytes from the client: enough budget for the close
        ch.writeInbound(datagram(TestSupport.shortHeader(CLIENT_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        assertIdledOut(CLIENT_SCID);
    }

    /** With no datagram at all, the wait that passes the idle deadline ends as IDLE, not AMPLIFICATION_LIMITED. */
    @Test
    void aHeldBackCloseWhoseConnectionIdlesOutEndsAsIdle() throws Exception {
        QuicConnection s = exhaustedServer();
        advance(ch, s.closingPeriod().toNanos());
        assertIdledOut(CLIENT_SCID);
    }

    /** Before the idle deadline the held-back close is still sent when a datagram buys its budget. */
    @Test
    void aHeldBackCloseBeforeTheIdleDeadlineIsStillSent() throws Exception {
        exhaustedServer();
        advance(ch, SECOND / 2);
        ch.writeInbound(datagram(TestSupport.shortHeader(CLIENT_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        recorder.assertEnded(CLIENT_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        assertEquals(1, drainOutbound(ch).size());
    }
}
