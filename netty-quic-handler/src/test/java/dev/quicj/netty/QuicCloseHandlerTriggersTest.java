package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.assertClose;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every trigger that closes connections: the channel's close, exceptions, and close commands. Each test holds two
 * connections, a client the application added and a server the handler accepted, and asserts exactly the datagrams
 * written: addressing, ECN metadata, and the CONNECTION_CLOSE frame decrypted with the Initial keys.
 */
class QuicCloseHandlerTriggersTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("0011223344556677");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("a1a2a3a4a5a6a7a8");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;
    // added by the application: fixture client, path CLIENT -> SERVER, Initial keys only
    private QuicConnection client;
    // accepted by the handler from PEER's first Initial, path SERVER -> OTHER_CLIENT
    private QuicConnection server;

    private void start(QuicCloseHandlerConfig.Builder config) throws Exception {
        handler = new QuicCloseHandler(config.acceptPolicy(AcceptPolicy.accept()).build());
        ch = channel(handler, recorder);
        client = ConnectionFixtures.client(Settings.defaults());
        handler.addConnection(client);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        assertFalse(ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER)));
        List<QuicConnectionAcceptedEvent> accepted = recorder.events(QuicConnectionAcceptedEvent.class);
        assertEquals(1, accepted.size(), () -> "events: " + recorder.events);
        server = accepted.get(0).connection();
        assertEquals(List.of(), drainOutbound(ch), "accepting writes nothing");
        recorder.clear();
    }

    private void start() throws Exception {
        start(QuicCloseHandlerConfig.builder());
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** The client's close: one 1200-byte Initial to the server, DCID = its original DCID, SCID = its own. */
    private static InspectedFrame.ConnectionClose clientClose(Sent s) {
        assertEquals(SERVER, s.recipient());
        assertEquals(CLIENT, s.sender());
        assertEquals(Ecn.NOT_ECT, s.ecn());
        assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, s.bytes().length, "a client Initial is padded");
        InspectedPacket p = s.packets(ConnectionFixtures.CLIENT_ODCID).get(0);
        assertEquals(PacketForm.INITIAL, p.form());
        assertEquals(ConnectionFixtures.CLIENT_ODCID, p.dcid());
        assertEquals(ConnectionFixtures.CLIENT_SCID, p.scid());
        return s.initialClose(ConnectionFixtures.CLIENT_ODCID);
    }

    /** The server's close: one Initial to the peer, DCID = the peer's SCID, SCID = the server's. */
    private InspectedFrame.ConnectionClose serverClose(Sent s) {
        assertEquals(OTHER_CLIENT, s.recipient());
        assertEquals(SERVER, s.sender());
        assertEquals(Ecn.NOT_ECT, s.ecn());
        InspectedPacket p = s.packets(PEER_ODCID).get(0);
        assertEquals(PacketForm.INITIAL, p.form());
        assertEquals(PEER_SCID, p.dcid());
        assertEquals(server.sourceConnectionId(), p.scid());
        return s.initialClose(PEER_ODCID);
    }

    @Test
    void channelCloseWritesEveryCloseWithNoErrorThenCloses() throws Exception {
        start();
        ChannelFuture closed = ch.close();
        assertTrue(closed.isSuccess());
        assertFalse(ch.isOpen());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
        recorder.assertEnded(client.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        assertEquals(CloseError.noError(), recorder.events(QuicConnectionEndedEvent.class).get(0).error());
        assertTrue(recorder.freed(client.sourceConnectionId()), "freed when the channel became inactive");
        assertTrue(recorder.freed(server.sourceConnectionId()));
        assertEquals(List.of(), handler.connections());
        assertEquals(List.of(), handler.cachedCloseDatagrams());
        recorder.assertNoExceptions();
    }

    @Test
    void channelCloseWaitsForEveryConnectionEvenWhenAListenerFlushesInBetween() throws Exception {
        start();
        // a listener that flushes the channel when a connection ends: the first close completes while close() is
        // still writing the second one, which must not make the handler close the channel early
        ch.pipeline().addAfter(ch.pipeline().context(handler).name(), "flusher",
                new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionEndedEvent) {
                    ctx.channel().flush();
                }
                ctx.fireUserEventTriggered(evt);
            }
        });
        ChannelFuture closed = ch.close();
        assertTrue(closed.isSuccess());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        recorder.assertNoExceptions();
    }

    @Test
    void channelCloseUsesTheConfiguredDefaultError() throws Exception {
        start(QuicCloseHandlerConfig.builder()
                .defaultCloseError(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0x1e, "maintenance")));
        ch.close();
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0x1e,
                "maintenance");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0x1e,
                "maintenance");
    }

    @Test
    void anApplicationDefaultErrorBecomesApplicationErrorInInitialPackets() throws Exception {
        start(QuicCloseHandlerConfig.builder().defaultCloseError(CloseError.application(0x4242, "bye")));
        ch.close();
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        // RFC 9000 §10.2.3: in Initial packets an application close is 0x1c APPLICATION_ERROR without reason
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR, 0, "");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR, 0, "");
        QuicConnectionEndedEvent e = recorder.events(QuicConnectionEndedEvent.class).get(0);
        assertEquals(CloseError.application(0x4242, "bye"), e.error(), "the event carries the error asked for");
    }

    @Test
    void aQuicConnectionExceptionClosesItsConnectionWithTheProtocolErrorAndIsPassedOn() throws Exception {
        start();
        QuicException protocolError = new QuicException(TransportErrorCode.PROTOCOL_VIOLATION, 0x08, "bad frame");
        QuicConnectionException e = new QuicConnectionException(server.sourceConnectionId(), protocolError);
        ch.pipeline().fireExceptionCaught(e);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(serverClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.PROTOCOL_VIOLATION, 0x08,
                "bad frame");
        assertEquals(List.of(e), recorder.exceptions, "the exception travels on");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(server.sourceConnectionId(), ended.connectionId());
        assertEquals(OTHER_CLIENT, ended.remoteAddress());
        assertEquals(CloseError.fromException(protocolError), ended.error());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, client.state(), "the other connection stays open");
        assertEquals(ConnectionState.CLOSING, server.state());
    }

    @Test
    void aBareQuicExceptionClosesEveryConnectionWithItsCodeAndFrameType() throws Exception {
        start();
        QuicException e = new QuicException(TransportErrorCode.FRAME_ENCODING_ERROR, 0x06, "truncated CRYPTO");
        ch.pipeline().fireExceptionCaught(e);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.FRAME_ENCODING_ERROR, 0x06,
                "truncated CRYPTO");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.FRAME_ENCODING_ERROR, 0x06,
                "truncated CRYPTO");
        assertEquals(List.of(e), recorder.exceptions);
        assertTrue(ch.isOpen(), "an exception closes connections, not the channel");
    }

    @Test
    void anyOtherExceptionClosesEveryConnectionWithInternalErrorAndNoDetails() throws Exception {
        start();
        IllegalStateException e = new IllegalStateException("secret internal detail");
        ch.pipeline().fireExceptionCaught(e);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.INTERNAL_ERROR, 0, "");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.INTERNAL_ERROR, 0, "");
        assertEquals(List.of(e), recorder.exceptions);
    }

    @Test
    void aQuicConnectionExceptionWithAnotherCauseClosesItsConnectionWithInternalError() throws Exception {
        start();
        QuicConnectionException e = new QuicConnectionException(client.sourceConnectionId(), new IOException("tls"));
        assertNull(e.quicException());
        ch.pipeline().fireExceptionCaught(e);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.INTERNAL_ERROR, 0, "");
        assertEquals(List.of(e), recorder.exceptions);
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, server.state());
    }

    @Test
    void anExceptionForAConnectionThatIsAlreadyClosingSendsNothingMore() throws Exception {
        start();
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(CloseError.noError()));
        assertEquals(2, drainOutbound(ch).size());
        recorder.clear();
        ch.pipeline().fireExceptionCaught(new RuntimeException("late"));
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class), "ended is fired once");
    }

    @Test
    void aCloseCommandClosesOneConnection() throws Exception {
        start();
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "go away");
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(server.sourceConnectionId(), error));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(serverClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0,
                "go away");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.LOCAL, ended.initiator());
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(error, ended.error());
        assertTrue(recorder.events(QuicCloseCommand.class).isEmpty(), "the handler consumes the command");
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, client.state());
    }

    @Test
    void aCloseCommandCanNameAServerByTheClientsOriginalDcid() throws Exception {
        start();
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(PEER_ODCID,
                CloseError.transport(TransportErrorCode.INVALID_TOKEN)));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(serverClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.INVALID_TOKEN, 0, "");
    }

    @Test
    void aCloseAllCommandClosesEveryConnection() throws Exception {
        start();
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(
                CloseError.transport(TransportErrorCode.NO_ERROR, 0, "restart")));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertClose(clientClose(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "restart");
        assertClose(serverClose(sent.get(1)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "restart");
        assertTrue(ch.isOpen());
        assertEquals(2, handler.connections().size(), "closing connections are kept for their closing period");
        assertEquals(2, handler.cachedCloseDatagrams().size());
    }

    @Test
    void aCloseCommandForAnUnknownConnectionDoesNothing() throws Exception {
        start();
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(ConnectionId.fromHex("deadbeef"),
                CloseError.noError()));
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void otherUserEventsArePassedOn() throws Exception {
        start();
        Object event = "an unrelated event";
        ch.pipeline().fireUserEventTriggered(event);
        assertEquals(List.of(event), recorder.events);
    }

    @Test
    void anApplicationCloseOfAConfirmedClientCarriesCodeAndReasonInOneRttPacket() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Settings settings = Settings.defaults();
        QuicConnection confirmed = ConnectionFixtures.clientConfirmed(settings);
        handler.addConnection(confirmed);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(confirmed.sourceConnectionId(),
                CloseError.application(0x3fffffffffffffffL, "app shutdown")));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        List<InspectedPacket> packets = ConnectionFixtures.inspect(ByteBuffer.wrap(sent.get(0).bytes()),
                ConnectionFixtures.Side.CLIENT, settings);
        assertEquals(1, packets.size(), packets::toString);
        assertEquals(PacketForm.ONE_RTT, packets.get(0).form());
        List<InspectedFrame.ConnectionClose> closes = packets.get(0).frames(InspectedFrame.ConnectionClose.class);
        assertEquals(1, closes.size());
        assertClose(closes.get(0), CloseType.APPLICATION, 0x3fffffffffffffffL, 0, "app shutdown");
        assertEquals(SERVER, sent.get(0).recipient());
        assertEquals(CLIENT, sent.get(0).sender());
    }

    @Test
    void anEcnCapablePathMarksTheCloseEct0InTheMetadata() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        QuicConnection capable = TestSupport.ecnCapableClient();
        handler.addConnection(capable);
        ch.close();
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(Ecn.ECT_0, sent.get(0).ecn());
        assertClose(clientClose0(sent.get(0)), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
    }

    private static InspectedFrame.ConnectionClose clientClose0(Sent s) {
        assertEquals(SERVER, s.recipient());
        assertEquals(CLIENT, s.sender());
        return s.initialClose(ConnectionFixtures.CLIENT_ODCID);
    }

    @Test
    void theAcceptedServerIsReachableByBothIds() throws Exception {
        start();
        assertSame(server, handler.connection(server.sourceConnectionId()));
        assertSame(server, handler.connection(PEER_ODCID));
        assertSame(client, handler.connection(ConnectionFixtures.CLIENT_SCID));
        assertEquals(List.of(client, server), handler.connections());
        assertNotNull(server.originalDestinationConnectionId());
        assertEquals(QuicCloseHandlerConfig.DEFAULT_LOCAL_CONNECTION_ID_LENGTH, server.sourceConnectionId().length());
    }
}
