package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Edge cases an audit found the handler getting wrong: user code re-entering it from its events and listeners (during
 * acceptance, removal and inactivity), a datagram racing the idle timer, a connection the application closed itself.
 */
class QuicCloseHandlerEdgeCasesTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final ConnectionId OTHER_ODCID = ConnectionId.fromHex("0d0d0d0d0d0d0d0d");
    private static final ConnectionId OTHER_SCID = ConnectionId.fromHex("abababab");
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** RFC 9000 §10.1 / README "Idle timeout": a datagram read after the deadline must not revive the connection. */
    @Test
    void aDatagramReadAfterTheIdleDeadlineDoesNotReviveTheConnection() throws Exception {
        Settings idle5s = Settings.defaults().toBuilder().maxIdleTimeout(Duration.ofSeconds(5)).build();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .settings(idle5s).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();

        // the deadline passes (by 1 ms) while the event loop is busy: a read is processed before the timer task
        ch.advanceTimeBy(5 * SECOND + 1_000_000, TimeUnit.NANOSECONDS);
        assertTrue(server.isIdleTimeoutExpired(now(ch)));
        peer.connection.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1, 2, 3});
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = peer.connection.writePacket(null, null, b, now(ch));
        ch.writeInbound(datagram(Arrays.copyOf(b.array(), n), OTHER_CLIENT, SERVER));
        ch.runScheduledPendingTasks();

        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
    }

    /** QuicCloseCommand doc: a command is ignored only for a connection that already ended. */
    @Test
    void aCloseCommandFromTheCryptoListenerDuringTheFirstInitialIsNotLost() throws Exception {
        CloseError noAlpn = CloseError.tlsAlert(120, null);
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(scid ->
                (level, offset, data) -> ch.pipeline().fireUserEventTriggered(
                        QuicCloseCommand.closeConnection(scid, noAlpn)))).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));

        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), () -> "the CRYPTO_ERROR close the TLS layer asked for; events " + recorder.events
                + ", live: " + handler.connections());
        assertEquals(OTHER_CLIENT, sent.get(0).recipient());
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(noAlpn, ended.error());
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class), "closed before it was accepted");
        // it runs its closing period: registered, and answering a repeat of the Initial with its close
        assertTrue(handler.registered(ended.connectionId()));
        assertFalse(recorder.freed(ended.connectionId()));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        assertEquals(1, drainOutbound(ch).size(), "the close re-sent for the first datagram of the closing period");
        recorder.assertNoExceptions();
    }

    /** addConnection's contract: refused after the handler was removed; a removed handler holds nothing. */
    @Test
    void addConnectionFromAnEventDuringHandlerRemovalIsRefused() throws Exception {
        handler = new QuicCloseHandler();
        Client[] reconnect = new Client[1];
        RuntimeException[] refused = new RuntimeException[1];
        ch = channel(handler, new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionFreedEvent && reconnect[0] != null) {
                    QuicConnection c = reconnect[0].connection;
                    reconnect[0] = null;
                    try {
                        handler.addConnection(c); // "reconnect when a connection is freed"
                    } catch (IllegalStateException e) {
                        refused[0] = e;
                    }
                }
                ctx.fireUserEventTriggered(evt);
            }
        }, recorder);
        handler.addConnection(new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        reconnect[0] = new Client(OTHER_ODCID, OTHER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));

        ch.pipeline().remove(handler);
        drainOutbound(ch);

        assertEquals(0, handler.connectionCount(), () -> "a removed handler still holds " + handler.connections()
                + "; addConnection refused: " + refused[0]);
    }

    /** README "The closing period": when the channel becomes inactive every connection is freed, none is closed. */
    @Test
    void aCloseAllFromAnEventWhileTheChannelGoesInactiveIsNotReportedAsSent() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, new ChannelInboundHandlerAdapter() {
            boolean fired;

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                ctx.fireUserEventTriggered(evt);
                if (evt instanceof QuicConnectionEndedEvent && !fired) {
                    fired = true;
                    ctx.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(CloseError.noError()));
                }
            }
        }, recorder);
        handler.addConnection(new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        handler.addConnection(new Client(OTHER_ODCID, OTHER_SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);

        // the transport closes the socket by itself (a read error, say): channelInactive without close()
        ch.unsafe().close(ch.voidPromise());

        for (QuicConnectionEndedEvent e : recorder.events(QuicConnectionEndedEvent.class)) {
            assertEquals(QuicCloseResult.CHANNEL_INACTIVE, e.result(), () -> e + "; exceptions " + recorder.exceptions);
        }
        recorder.assertNoExceptions();
    }

    /** README: a throwing CRYPTO listener closes only its connection; its factory must not close every one. */
    @Test
    void aListenerFactoryThatThrowsForANewConnectionDoesNotCloseTheOthers() throws Exception {
        int[] made = {0};
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(scid -> {
            if (made[0]++ > 0) {
                throw new IllegalStateException("the application cannot take another connection");
            }
            return (level, offset, data) -> { };
        })).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection first = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();

        Client other = new Client(OTHER_ODCID, OTHER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(other.firstInitial, CLIENT, SERVER));

        List<Sent> sent = drainOutbound(ch);
        List<Sent> toFirstPeer = sent.stream().filter(x -> x.recipient().equals(OTHER_CLIENT)).toList();
        assertEquals(List.of(), toFirstPeer, () -> "events " + recorder.events);
        assertFalse(first.state().isClosed(), first::toString);
        // the new one alone is refused, statelessly, and the failure is reported naming it
        assertEquals(1, sent.size(), () -> "sent " + sent);
        assertEquals(CLIENT, sent.get(0).recipient());
        assertEquals(1, handler.connectionCount());
        assertEquals(1, recorder.exceptions.size(), () -> "exceptions " + recorder.exceptions);
        QuicConnectionException e = (QuicConnectionException) recorder.exceptions.get(0);
        assertEquals("the application cannot take another connection", e.getCause().getMessage());
        recorder.exceptions.clear();
    }

    /**
     * addConnection doc / README: a connection closed behind the handler's back is reported with the close it
     * sent and freed after its closing period (as closedElsewhere does); a later close command must not change that.
     */
    @Test
    void aCloseCommandForAConnectionClosedBehindTheHandlersBackKeepsItsClosingPeriodAndError() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Client c = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        handler.addConnection(c.connection);
        CloseError refused = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED);
        assertEquals(CloseOutcome.WRITTEN, c.connection.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                refused, now(ch)));

        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(CloseError.noError()));

        assertEquals(List.of(), drainOutbound(ch));
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(refused, ended.error(), "the close the peer got");
        assertFalse(recorder.freed(PEER_SCID), "freed after the closing period, not at once");
        assertTrue(handler.registered(PEER_SCID));
    }

    /** README: a close command the CRYPTO data listener fires during the first Initial closes that connection. */
    @Test
    void aCloseAllCommandFromTheCryptoListenerDuringTheFirstInitialClosesTheConnectionBeingAccepted()
            throws Exception {
        CloseError refused = CloseError.tlsAlert(120, null);
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(scid ->
                (level, offset, data) -> ch.pipeline().fireUserEventTriggered(
                        QuicCloseCommand.closeAll(refused)))).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));

        List<Sent> sent = drainOutbound(ch);
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class),
                () -> "accepted although every connection was closed; live: " + handler.connections());
        assertEquals(1, sent.size(), "the close of the connection being accepted");
        assertEquals(refused, recorder.onlyEnded().error());
        assertEquals(QuicCloseResult.SENT, recorder.onlyEnded().result());
    }

    /** README: channel.close() closes every live connection with CONNECTION_CLOSE; no connection accepted after. */
    @Test
    void channelCloseFromTheCryptoListenerDuringTheFirstInitialClosesTheConnectionBeingAccepted() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(scid ->
                (level, offset, data) -> ch.close())).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));

        List<Sent> sent = drainOutbound(ch);
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class),
                () -> "accepted during channel close; events " + recorder.events);
        assertEquals(1, sent.size(), () -> "the peer gets a CONNECTION_CLOSE; events " + recorder.events);
        assertEquals(QuicCloseResult.SENT, recorder.onlyEnded().result());
        assertFalse(ch.isOpen());
    }

    /** addConnection's contract / existing test: a removed handler holds nothing, and nothing is accepted after. */
    @Test
    void handlerRemovalFromTheCryptoListenerDuringTheFirstInitialLeavesNoConnectionBehind() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(scid ->
                (level, offset, data) -> ch.pipeline().remove(handler))).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        drainOutbound(ch);

        assertEquals(0, handler.connectionCount(), () -> "a removed handler still holds " + handler.connections()
                + "; events " + recorder.events);
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class));
    }

    /**
     * QuicCloseHandlerConfig.closeTimeout accepts any positive Duration; close() must still close the channel (here
     * once the held write completes) and complete its promise with the channel's close, not fail it.
     */
    @Test
    void aVeryLongCloseTimeoutDoesNotBreakClose() throws Exception {
        List<ChannelPromise> held = new ArrayList<>();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .closeTimeout(ChronoUnit.FOREVER.getDuration()).build());
        ch = channel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                // a socket that has not written the datagram yet
                ReferenceCountUtil.release(msg);
                held.add(promise);
            }
        }, handler, recorder);
        handler.addConnection(new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);

        ChannelFuture closed = ch.close();
        assertEquals(1, held.size());
        assertFalse(closed.isDone() && !closed.isSuccess(), () -> "close() failed: " + closed.cause());
        held.get(0).setSuccess();
        ch.runPendingTasks();
        assertTrue(closed.isSuccess(), () -> "close " + closed + " cause " + closed.cause());
        assertFalse(ch.isOpen());
    }

    /**
     * RFC 9000 §10.1 / README "Idle timeout": past its idle deadline a connection is closed silently, even when the
     * timer task has not run yet (the fix made for datagrams); a channel close in that window must not send a
     * CONNECTION_CLOSE for it.
     */
    @Test
    void aChannelCloseAfterTheIdleDeadlineBeforeTheTimerRanSendsNothingForThatConnection() throws Exception {
        Duration five = Duration.ofSeconds(5);
        QuicConnection server = acceptWithIdleTimeout(five);

        ch.advanceTimeBy(five.toNanos() + 1_000_000, TimeUnit.NANOSECONDS);
        assertTrue(server.isIdleTimeoutExpired(now(ch)));
        // from the event loop before it runs its due tasks (EmbeddedChannel.close() would run them first)
        ch.pipeline().close();

        assertEquals(List.of(), drainOutbound(ch), () -> "events " + recorder.events);
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
    }

    /**
     * The same window as above, ended by the socket going away instead of a channel close: the connection's end is
     * its idle timeout, as handler removal and a channel close report it, not CHANNEL_INACTIVE.
     */
    @Test
    void aChannelGoingInactiveAfterTheIdleDeadlineBeforeTheTimerRanReportsTheIdleTimeout() throws Exception {
        QuicConnection idleServer = acceptWithIdleTimeout(Duration.ofSeconds(5));

        // a second connection, accepted 3 s later (writeInbound runs the due tasks: none yet), is still live when the
        // socket goes
        ch.advanceTimeBy(3, TimeUnit.SECONDS);
        Client fresh = new Client(OTHER_ODCID, OTHER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(fresh.firstInitial, CLIENT, SERVER));
        QuicConnection freshServer = recorder.events(QuicConnectionAcceptedEvent.class).get(1).connection();
        drainOutbound(ch);
        ch.advanceTimeBy(2_001, TimeUnit.MILLISECONDS);
        assertTrue(idleServer.isIdleTimeoutExpired(now(ch)));
        assertFalse(freshServer.isIdleTimeoutExpired(now(ch)));
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class), "no timer ran yet");

        // from the event loop before it runs its due tasks
        ch.pipeline().fireChannelInactive();

        assertEquals(List.of(), drainOutbound(ch), () -> "events " + recorder.events);
        recorder.assertEnded(idleServer.sourceConnectionId(), QuicCloseInitiator.IDLE,
                QuicCloseResult.NOTHING_TO_SEND);
        recorder.assertEnded(freshServer.sourceConnectionId(), QuicCloseInitiator.LOCAL,
                QuicCloseResult.CHANNEL_INACTIVE);
        assertEquals(0, handler.connectionCount());
    }

    /**
     * A datagram that reaches the handler after the channel went inactive (fired into the pipeline by hand, or by a
     * handler before this one) makes no connection: nothing could ever free it, since the socket's end already freed
     * every connection. It is passed on, as every datagram the handler does not consume.
     */
    @Test
    void anInitialReadAfterTheChannelWentInactiveMakesNoConnection() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        ch = channel(handler, recorder);
        ch.pipeline().fireChannelInactive();
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));

        ch.pipeline().fireChannelRead(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));

        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class));
        assertEquals(List.of(), drainOutbound(ch));
        DatagramPacket passedOn = ch.readInbound();
        try {
            assertNotNull(passedOn, "the datagram is passed on");
        } finally {
            ReferenceCountUtil.release(passedOn);
        }
    }

    /** A handler accepting connections with this idle timeout, and the one it accepted from the peer's first Initial. */
    private QuicConnection acceptWithIdleTimeout(Duration idleTimeout) throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .settings(Settings.defaults().toBuilder().maxIdleTimeout(idleTimeout).build()).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        drainOutbound(ch);
        return server;
    }
}
