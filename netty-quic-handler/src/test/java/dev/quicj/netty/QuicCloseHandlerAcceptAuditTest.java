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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The accept and routing paths: refusals, accepted connections and what routes to them. */
class QuicCloseHandlerAcceptAuditTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("5c5c5c5c");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "full");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

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

    /**
     * RFC 9000 §12.2 and §7.2: a datagram whose first Initial was damaged in transit (here in its Source Connection
     * ID, which the AEAD covers, so it does not authenticate) and whose second Initial authenticates is refused, and
     * the refusal is addressed to the Source Connection ID of the Initial that authenticated, as the connection the
     * reject policy makes addresses its close: a close sent to the damaged ID is dropped by the client.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRefusalOfCoalescedInitialsGoesToTheSourceConnectionIdOfTheOneThatAuthenticated(boolean stateless)
            throws Exception {
        start(stateless ? AcceptPolicy.rejectStateless(REFUSED) : AcceptPolicy.reject(REFUSED));
        PacketProtection keys = ConnectionFixtures.peerProtection(Settings.defaults(),
                InitialSecrets.clientSecret(QuicVersion.V1, PEER_ODCID.toByteArray()));
        byte[] crypto = ByteBufUtil.decodeHexDump("0600" + "04" + "01020304");
        ConnectionId damaged = ConnectionId.fromHex("5c5c5c5d");
        byte[] first = ConnectionFixtures.peerLongPacket(keys, LongPacketType.INITIAL, PEER_ODCID, PEER_SCID, 0, crypto,
                0);
        // the damage: one bit of the SCID field (long header: 1 + 4 + 1 + DCID + 1), so the first does not authenticate
        int scidOffset = 1 + 4 + 1 + PEER_ODCID.length() + 1;
        first[scidOffset + PEER_SCID.length() - 1] ^= 1;
        byte[] second = ConnectionFixtures.peerLongPacket(keys, LongPacketType.INITIAL, PEER_ODCID, PEER_SCID, 1,
                crypto, 1200 - first.length);
        byte[] dg = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, dg, first.length, second.length);
        assertEquals(damaged, ConnectionId.of(Arrays.copyOfRange(dg, scidOffset, scidOffset + 4)));

        ch.writeInbound(datagram(dg, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        InspectedPacket p = sent.get(0).packets(PEER_ODCID).get(0);
        assertEquals(PEER_SCID, p.dcid(), "addressed to the SCID of the Initial that authenticated");
        assertEquals(PEER_SCID, recorder.onlyEnded().peerConnectionId());
    }

    /**
     * The CRYPTO data listener of a connection being accepted gets the ClientHello while the connection reads its
     * first Initial; a TLS layer answering it needs the connection, which it finds by the ID its factory was given.
     * {@code connection(id)} must return it then, not null, under the ID the factory got and under the client's
     * original DCID.
     */
    @Test
    void theListenerFindsItsConnectionWhileTheFirstInitialIsRead() throws Exception {
        List<QuicConnection> bySourceId = new ArrayList<>();
        List<QuicConnection> byOriginalDcid = new ArrayList<>();
        start(AcceptPolicy.accept(scid -> (level, offset, data) -> {
            bySourceId.add(handler.connection(scid));
            byOriginalDcid.add(handler.connection(PEER_ODCID));
        }));
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection accepted = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        assertFalse(bySourceId.isEmpty(), "the listener got the ClientHello");
        for (QuicConnection c : bySourceId) {
            assertSame(accepted, c);
        }
        for (QuicConnection c : byOriginalDcid) {
            assertSame(accepted, c);
        }
        assertNull(handler.connection(ConnectionId.fromHex("0badc0de")), "no other ID finds it");
    }

    /**
     * README "What closes connections": when the listener factory of {@code accept(listeners)} throws, the Initial is
     * refused statelessly and the failure is reported as a {@link QuicConnectionException} naming the new ID: the ID
     * of that refusal, which its {@link QuicConnectionEndedEvent} carries, so the application can tell which refusal
     * the failure caused.
     */
    @Test
    void aListenerFactoryFailureNamesTheIdOfTheRefusalItCaused() throws Exception {
        IllegalStateException full = new IllegalStateException("the application cannot take another connection");
        start(AcceptPolicy.accept(scid -> {
            throw full;
        }));
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        InspectedPacket p = sent.get(0).packets(PEER_ODCID).get(0);
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(ended.connectionId(), p.scid(), "the refusal's SCID is the ID its ended event names");
        assertEquals(1, recorder.exceptions.size());
        QuicConnectionException e = (QuicConnectionException) recorder.exceptions.get(0);
        assertSame(full, e.getCause());
        assertEquals(ended.connectionId(), e.connectionId(), "the failure names the refusal it caused");
    }

    /**
     * README "Idle timeout" and "What it does with inbound datagrams": an accepted connection past its idle deadline is
     * over even before the timer task runs (an event loop reads before it runs due tasks), and the datagram read then
     * is routed as if the connection were already freed, as one read after a closing period ended is. Here the
     * client, whose own idle timeout is longer, re-sends its first Initial: whether or not the timer task has run, it
     * opens a new connection rather than vanishing into the idled-out one.
     */
    @Test
    void anInitialReadAfterTheIdleDeadlineBeforeTheTimerRanIsAcceptedAsIfTheConnectionWereFreed() throws Exception {
        Settings idle5s = Settings.defaults().toBuilder().maxIdleTimeout(Duration.ofSeconds(5)).build();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .settings(idle5s).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection first = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();

        // the idle deadline passes by a nanosecond; the timer task has not run when the re-sent Initial is read
        ch.advanceTimeBy(TimeUnit.SECONDS.toNanos(5) + 1, TimeUnit.NANOSECONDS);
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        recorder.assertEnded(first.sourceConnectionId(), QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
        List<QuicConnectionAcceptedEvent> accepted = recorder.events(QuicConnectionAcceptedEvent.class);
        assertEquals(2, accepted.size(), () -> "events " + recorder.events);
        QuicConnection second = accepted.get(1).connection();
        assertNotSame(first, second);
        assertEquals(List.of(second), handler.connections());
        assertSame(second, handler.connection(PEER_ODCID));
        assertEquals(List.of(), drainOutbound(ch), "an idle close sends nothing");
    }

    /**
     * QuicCloseCommand.closeConnection: a command names a connection by its source connection ID "or a server's
     * original destination connection ID during the handshake", and one that does nothing names a connection that
     * already ended. A TLS layer refusing the ClientHello from the CRYPTO data listener, naming the connection by the
     * client's original DCID, closes the connection being accepted as it does when it names its SCID.
     */
    @Test
    void aCloseCommandFromTheCryptoListenerNamingTheOriginalDcidClosesTheConnectionBeingAccepted() throws Exception {
        CloseError noAlpn = CloseError.tlsAlert(120, null);
        start(AcceptPolicy.accept(scid -> (level, offset, data) -> ch.pipeline().fireUserEventTriggered(
                QuicCloseCommand.closeConnection(PEER_ODCID, noAlpn))));
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), () -> "the close the TLS layer asked for; events " + recorder.events);
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class), "closed before it was accepted");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(noAlpn, ended.error());
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(List.of(), handler.connections());
    }

    /**
     * AcceptPolicy: an Initial that does not authenticate creates nothing and is passed on unchanged, like any
     * datagram for no connection. When the listener factory of {@code accept(listeners)} throws for it, nothing is
     * refused, so no failure is reported either: a {@link QuicConnectionException} naming an ID that no connection or
     * refusal ever had would reach the application for every forged Initial. An Initial that authenticates is still
     * refused and its failure reported.
     */
    @Test
    void aListenerFactoryFailureForAnInitialThatDoesNotAuthenticateIsNotReported() throws Exception {
        start(AcceptPolicy.accept(scid -> {
            throw new IllegalStateException("the application cannot take another connection");
        }));
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        byte[] forged = peer.firstInitial.clone();
        forged[forged.length - 1] ^= 1;
        io.netty.channel.socket.DatagramPacket packet = datagram(forged, OTHER_CLIENT, SERVER);
        ch.writeInbound(packet);
        Object out = ch.readInbound();
        try {
            assertSame(packet, out, "passed on as belonging to no connection");
        } finally {
            io.netty.util.ReferenceCountUtil.release(out);
        }
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(List.of(), recorder.events);
        assertEquals(List.of(), recorder.exceptions, "nothing was refused: no failure to report");

        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        assertEquals(1, drainOutbound(ch).size(), "the authenticated Initial is refused");
        assertEquals(1, recorder.exceptions.size());
        assertEquals(recorder.onlyEnded().connectionId(),
                ((QuicConnectionException) recorder.exceptions.get(0)).connectionId());
    }

    /**
     * RFC 9000 §5.2: a packet is matched to a connection by its Destination Connection ID, so a copy of an accepted
     * client's Initial from another address (same DCID: a spoofer, or a client that moved before its handshake, which
     * RFC 9000 §9 forbids) belongs to that connection and opens no second one. The connection does not move to the
     * new address or answer it (nothing was validated there, RFC 9000 §8.1), and the datagram is consumed.
     */
    @Test
    void anAcceptedClientsInitialFromAnotherAddressOpensNothingAndLeavesTheConnectionWhereItWas() throws Exception {
        start(AcceptPolicy.accept());
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        long received = server.bytesReceived();
        recorder.clear();

        ch.writeInbound(datagram(peer.firstInitial, CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed by the connection its DCID names");
        assertEquals(List.of(), drainOutbound(ch), "nothing goes to an address nothing was received from before");
        assertEquals(List.of(), recorder.events, "no second connection");
        assertEquals(List.of(server), handler.connections());
        assertEquals(1, handler.connectionCount());
        assertSame(server, handler.connection(PEER_ODCID));
        assertEquals(new NetworkPath(SERVER, OTHER_CLIENT), server.path(), "the connection stays on its path");
        assertEquals(received, server.bytesReceived(), "bytes from another address count for nothing");
    }

    /**
     * AcceptPolicy.rejectStateless: each refusal is a server Initial with a fresh source connection ID, and its
     * {@link QuicConnectionEndedEvent} names that ID (the ID the client would have used to reach the connection),
     * with the client's original DCID and SCID as the original DCID and peer connection ID.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachStatelessRefusalHasAFreshSourceConnectionIdThatItsEndedEventNames(boolean authenticated)
            throws Exception {
        start(authenticated ? AcceptPolicy.rejectStateless(REFUSED)
                : AcceptPolicy.rejectStatelessUnauthenticated(REFUSED));
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ConnectionId[] scids = new ConnectionId[2];
        for (int round = 0; round < 2; round++) {
            ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
            List<Sent> sent = drainOutbound(ch);
            assertEquals(1, sent.size());
            scids[round] = sent.get(0).packets(PEER_ODCID).get(0).scid();
            QuicConnectionEndedEvent ended = recorder.onlyEnded();
            assertEquals(scids[round], ended.connectionId(), "the ended event names the refusal's SCID");
            assertEquals(PEER_ODCID, ended.originalDestinationConnectionId());
            assertEquals(PEER_SCID, ended.peerConnectionId());
            assertEquals(OTHER_CLIENT, ended.remoteAddress());
            assertNotEquals(PEER_ODCID, scids[round]);
            recorder.clear();
        }
        assertNotEquals(scids[0], scids[1], "a fresh SCID for each refusal");
    }

    /** How a connection the accept policy made ends in the read that made it, before the application was handed it. */
    enum UnseenEnd {
        /** AcceptPolicy.reject: refused with its closing period. */
        REFUSED,
        /** The client's first Initial carries its own CONNECTION_CLOSE: drained. */
        CLIENT_CLOSED,
        /** Its CRYPTO data listener throws: closed with INTERNAL_ERROR and reported as a QuicConnectionException. */
        LISTENER_FAILED,
        /** Its CRYPTO data listener refuses the ClientHello with a close command. */
        LISTENER_CLOSED
    }

    /**
     * connection(id) and connections(): a connection the handler closed before the application saw it (no
     * {@link QuicConnectionAcceptedEvent} was fired for it) is never returned, also not while its
     * {@link QuicConnectionEndedEvent}, its {@link QuicConnectionException} or its {@link QuicConnectionFreedEvent}
     * is handled, before the handler reduced it to its closing record; connectionCount() counts it until it is freed.
     * It was returned from those listeners, as a closed QuicConnection the application had never been given.
     */
    @ParameterizedTest
    @EnumSource(UnseenEnd.class)
    void aConnectionClosedBeforeTheApplicationSawItIsNeverReturnedButIsCounted(UnseenEnd end) throws Exception {
        AcceptPolicy policy;
        switch (end) {
            case REFUSED:
            case CLIENT_CLOSED:
                policy = AcceptPolicy.reject(REFUSED);
                break;
            case LISTENER_FAILED:
                policy = AcceptPolicy.accept(scid -> (level, offset, data) -> {
                    throw new IllegalStateException("the TLS layer failed");
                });
                break;
            default:
                policy = AcceptPolicy.accept(scid -> (level, offset, data) -> ch.pipeline().fireUserEventTriggered(
                        QuicCloseCommand.closeConnection(scid, REFUSED)));
                break;
        }
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(policy).build());
        List<String> seen = new ArrayList<>();
        ChannelInboundHandlerAdapter probe = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionEndedEvent) {
                    look("ended", ((QuicConnectionEndedEvent) evt).connectionId());
                } else if (evt instanceof QuicConnectionFreedEvent) {
                    look("freed", ((QuicConnectionFreedEvent) evt).connectionId());
                }
                ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (cause instanceof QuicConnectionException) {
                    look("exception", ((QuicConnectionException) cause).connectionId());
                }
                ctx.fireExceptionCaught(cause);
            }

            private void look(String when, ConnectionId id) {
                seen.add(when + ": connection(id) " + handler.connection(id) + ", connection(odcid) "
                        + handler.connection(PEER_ODCID) + ", connections() " + handler.connections());
            }
        };
        ch = channel(handler, probe, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        byte[] first = peer.firstInitial;
        if (end == UnseenEnd.CLIENT_CLOSED) {
            ByteBuffer out = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.WRITTEN, peer.connection.writeConnectionClose(null, null, out,
                    CloseError.transport(TransportErrorCode.NO_ERROR, 0, ""), now(ch)));
            first = Arrays.copyOf(out.array(), out.position());
        }

        ch.writeInbound(datagram(first, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        drainOutbound(ch);
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class), "never accepted");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        String none = "connection(id) null, connection(odcid) null, connections() []";
        List<String> expected = new ArrayList<>(List.of("ended: " + none));
        if (end == UnseenEnd.LISTENER_FAILED) {
            expected.add("exception: " + none);
        }
        assertEquals(expected, seen);
        assertNull(handler.connection(ended.connectionId()));
        assertNull(handler.connection(PEER_ODCID));
        assertEquals(List.of(), handler.connections());
        assertEquals(1, handler.connectionCount(), "held for its closing or draining period");

        seen.clear();
        advance(ch, TimeUnit.SECONDS.toNanos(10));
        assertTrue(recorder.freed(ended.connectionId()));
        assertEquals(List.of("freed: " + none), seen);
        assertEquals(0, handler.connectionCount());
    }

    /**
     * QuicConnectionException: a stateless refusal whose close cannot be written is reported as one, naming the
     * refusal's source connection ID (the ID its ended event carries), with the write failure as the cause.
     */
    @Test
    void aStatelessRefusalWhoseCloseCannotBeWrittenIsReportedNamingTheRefusal() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.rejectStateless(REFUSED)).build());
        TestSupport.FailingWrites failing = new TestSupport.FailingWrites();
        ch = channel(failing, handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        assertEquals(1, failing.failed);
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(1, recorder.exceptions.size(), () -> "exceptions " + recorder.exceptions);
        QuicConnectionException e = (QuicConnectionException) recorder.exceptions.get(0);
        assertEquals(ended.connectionId(), e.connectionId());
        assertEquals("network is unreachable", e.getCause().getMessage());
    }
}
