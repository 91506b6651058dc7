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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.FailingCryptoProvider;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The closing and draining periods of close-spec §5.3 and case E25 on EmbeddedChannel's clock: the re-send schedule,
 * the 3x budget on an unvalidated path, expiry after three PTOs, silence while draining, and closes held back by the
 * amplification limit.
 */
class QuicCloseHandlerClosingPeriodTest {
    private static final ConnectionId PEER_ODCID = ConnectionId.fromHex("8394c8f03e515708");
    private static final ConnectionId PEER_SCID = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId SERVER_SCID = ConnectionId.fromHex("f067a5502a4262b5");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED);
    // long header 1 + version 4 + DCID 1+8 + SCID 1+8 + token length 1 + Length 4 + pn 1 = 29
    private static final int SERVER_INITIAL_HEADER = 29;
    private static final int AEAD_TAG = 16;

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** A REJECT handler that refused PEER's first Initial; returns the first close datagram. */
    private Sent rejected(CloseError error) throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(error)).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        return sent.get(0);
    }

    /**
     * The source connection ID of the connection {@link #rejected} refused, which the handler keeps for its closing
     * period as a closing record: registered under that ID and the client's original DCID, its close cached, no
     * {@code QuicConnection} left to show.
     */
    private ConnectionId rejectedServer() {
        ConnectionId scid = recorder.onlyEnded().connectionId();
        assertTrue(handler.registered(scid));
        assertTrue(handler.registered(PEER_ODCID));
        assertNull(handler.connection(scid), "a refused connection is kept only as its closing record");
        assertEquals(List.of(), handler.connections());
        assertEquals(1, handler.connectionCount());
        assertEquals(1, handler.cachedCloseDatagrams().size());
        return scid;
    }

    /** The closing period of a server that read one client Initial: 3 PTO with no RTT sample, 3 * 3 initial RTT. */
    private static long closingPeriodWithoutRttSample() {
        return Settings.defaults().initialRtt().multipliedBy(9).toNanos();
    }

    /** Delivers {@code count} copies of a datagram one by one; returns how many datagrams were written after each. */
    private int[] deliver(byte[] bytes, int count, Sent first) {
        return deliver(bytes, count, first, OTHER_CLIENT, SERVER);
    }

    /** What {@link #deliver} returns when the close is re-sent on exactly the given (1-based) datagrams. */
    private static int[] resendsOn(int count, int... datagrams) {
        int[] expected = new int[count];
        for (int n : datagrams) {
            expected[n - 1] = 1;
        }
        return expected;
    }

    /** The same from {@code from} to {@code to}. */
    private int[] deliver(byte[] bytes, int count, Sent first, InetSocketAddress from, InetSocketAddress to) {
        int[] written = new int[count];
        for (int i = 0; i < count; i++) {
            ch.writeInbound(datagram(bytes, from, to));
            List<Sent> sent = drainOutbound(ch);
            written[i] = sent.size();
            for (Sent s : sent) {
                assertArrayEquals(first.bytes(), s.bytes(), "a re-send repeats the same bytes");
                assertEquals(first.recipient(), s.recipient());
                assertEquals(first.sender(), s.sender());
                assertEquals(Ecn.NOT_ECT, s.ecn(), "re-sends go out with ECN 0");
            }
        }
        return written;
    }

    @Test
    void theCloseIsResentOnThe1st2nd4th8thAnd16thDatagram() throws Exception {
        Sent first = rejected(REFUSED);
        // header + 1c 02 00 00 + tag
        assertEquals(SERVER_INITIAL_HEADER + 4 + AEAD_TAG, first.bytes().length);
        assertClose(first.initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0, "");
        // the client retransmits its Initial: 1200 bytes each, the 3x budget never binds
        Client again = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        int[] written = deliver(again.firstInitial, 16, first);
        int[] expected = new int[16];
        for (int n : new int[] {1, 2, 4, 8, 16}) {
            expected[n - 1] = 1;
        }
        assertArrayEquals(expected, written, Arrays.toString(written));
        assertEquals(1, handler.cachedCloseDatagrams().size());
        assertEquals(1, handler.cachedCloseDatagrams().get(0).refCnt(), "every re-sent duplicate was released");
    }

    /**
     * close-spec §5.2: a closed server answers CLOSING whatever the datagram's path (only a client checks it first).
     * The handler answers only datagrams from the path its close was written for, and counts only those: RFC 9000
     * §8.1 bounds what goes to an unvalidated address by what came from it, so datagrams from another address must
     * not buy re-sends towards the peer (here a 1150-byte close, which 1200-byte datagrams from elsewhere would
     * otherwise have re-sent to the peer beyond three times its one Initial). Here a refused connection's closing
     * record; the next test, an accepted connection the application closed.
     */
    @Test
    void aRefusedConnectionAnswersOnlyDatagramsFromItsOwnPath() throws Exception {
        Sent refused = rejected(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "r".repeat(1100)));
        ConnectionId scid = rejectedServer();
        assertEquals(List.of(), drainOutbound(ch));
        int[] elsewhere = deliver(shortHeader(scid, 1200), 8, refused, CLIENT, SERVER);
        assertArrayEquals(new int[8], elsewhere, Arrays.toString(elsewhere));
        // the peer's own datagrams are counted from the first
        int[] ownPath = deliver(shortHeader(scid, 1200), 2, refused, OTHER_CLIENT, SERVER);
        assertArrayEquals(resendsOn(2, 1, 2), ownPath, Arrays.toString(ownPath));
    }

    @Test
    void aClosedAcceptedConnectionAnswersOnlyDatagramsFromItsOwnPath() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        QuicConnection accepted = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(accepted.sourceConnectionId(), REFUSED));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertSame(accepted, handler.connection(accepted.sourceConnectionId()), "the application's connection stays");
        int[] elsewhere = deliver(shortHeader(accepted.sourceConnectionId(), 1200), 4, sent.get(0), CLIENT, SERVER);
        assertArrayEquals(new int[4], elsewhere, Arrays.toString(elsewhere));
        // quic-core counted them for the connection (close-spec §5.2), the handler did not answer them
        assertEquals(4 * 1200 + peer.firstInitial.length, accepted.bytesReceived());
        int[] ownPath = deliver(shortHeader(accepted.sourceConnectionId(), 1200), 1, sent.get(0), OTHER_CLIENT,
                SERVER);
        assertArrayEquals(resendsOn(1, 1), ownPath, Arrays.toString(ownPath));
    }

    @Test
    void onAnUnvalidatedPathTheBudgetHoldsBackResendsUntilThreeTimesTheBytesArrived() throws Exception {
        String reason = "r".repeat(100);
        Sent first = rejected(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, reason));
        // header + (type 1 + code 1 + frame type 1 + reason length 2 + reason 100) + tag = 150
        int closeLength = SERVER_INITIAL_HEADER + 1 + 1 + 1 + 2 + reason.length() + AEAD_TAG;
        assertEquals(closeLength, first.bytes().length);
        ConnectionId scid = rejectedServer();
        // the smallest datagram that reaches the server: a short header carrying its 8-byte connection ID
        byte[] tiny = shortHeader(scid, 1 + scid.length());
        int[] written = deliver(tiny, 32, first);
        // datagram 1: 3*9 < 150; 2: 54 < 150; 4: 108 < 150; 8: 216 >= 150; 16: 432 >= 300; 32: 864 >= 450
        assertArrayEquals(resendsOn(32, 8, 16, 32), written, Arrays.toString(written));
    }

    /** A default handler holding one client, PEER_SCID on CLIENT -> SERVER, added by the application. */
    private Client addedClient() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Client c = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        handler.addConnection(c.connection);
        return c;
    }

    @Test
    void aValidatedPathHasTheSameBudget() throws Exception {
        // close-spec E25 and §5.3 (ngtcp2's examples/server.cc): the 3x check applies on every path, not only where
        // RFC 9000 §8.1 demands it; it also rate-limits the closing state (RFC 9000 §10.2.1)
        Client c = addedClient();
        assertTrue(c.connection.isPathValidated(), "a client's path has no amplification limit");
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(REFUSED));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        Sent first = sent.get(0);
        assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, first.bytes().length);
        byte[] tiny = shortHeader(PEER_SCID, 1 + PEER_SCID.length());
        int[] written = deliver(tiny, 256, first, SERVER, CLIENT);
        // 9-byte datagrams against a 1200-byte close: 1..32 fall short (3 * 288 = 864 < 1200); 64: 1728 >= 1200;
        // 128: 3456 >= 2400; 256: 6912 >= 3600
        assertArrayEquals(resendsOn(256, 64, 128, 256), written, Arrays.toString(written));
    }

    /**
     * A connection the application closed with its own writeConnectionClose, bypassing the handler: the handler
     * notices it on the next datagram (quic-core answers CLOSING), reports the end, sends nothing (it has no copy of
     * that close) and frees the connection after the closing period, instead of holding it as live forever.
     */
    @Test
    void aConnectionClosedWithoutTheHandlerIsEndedAndFreedAfterItsClosingPeriod() throws Exception {
        Client c = addedClient();
        assertEquals(CloseOutcome.WRITTEN, c.connection.writeConnectionClose(null, null,
                java.nio.ByteBuffer.allocate(1500), REFUSED, now(ch)));
        ch.writeInbound(datagram(shortHeader(PEER_SCID, 40), SERVER, CLIENT));
        assertEquals(List.of(), drainOutbound(ch), "no copy of that close to send");
        recorder.assertEnded(PEER_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.NOTHING_TO_SEND);
        assertEquals(REFUSED, recorder.onlyEnded().error());
        advance(ch, c.connection.closingPeriod().toNanos());
        assertTrue(recorder.freed(PEER_SCID));
        assertEquals(0, handler.connectionCount());
    }

    @Test
    void noConnectionCanBeAddedOnceTheChannelIsInactive() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        ch.pipeline().fireChannelInactive();
        Client c = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        assertThrows(IllegalStateException.class, () -> handler.addConnection(c.connection));
        assertEquals(0, handler.connectionCount());
    }

    @Test
    void resendsAreNotEcnMarkedEvenWhenTheFirstCloseWas() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        QuicConnection capable = TestSupport.ecnCapableClient();
        handler.addConnection(capable);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(REFUSED));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(Ecn.ECT_0, sent.get(0).ecn(), "the close itself carries what quic-core chose");
        // datagrams large enough for the budget: every power of two re-sends, with ECN 0 (deliver checks it)
        byte[] large = shortHeader(capable.sourceConnectionId(), 600);
        int[] written = deliver(large, 4, sent.get(0), capable.path().remote(), capable.path().local());
        assertArrayEquals(new int[] {1, 1, 0, 1}, written, Arrays.toString(written));
    }

    @Test
    void theConnectionIsFreedThreePtosAfterTheClose() throws Exception {
        Sent first = rejected(REFUSED);
        ConnectionId scid = rejectedServer();
        long period = closingPeriodWithoutRttSample();
        recorder.clear();

        advance(ch, period - 1);
        assertTrue(handler.registered(scid), "still closing one nanosecond before the end");
        assertFalse(recorder.freed(scid));
        assertEquals(1, deliver(shortHeader(scid, 40), 1, first)[0], "and still answering");

        advance(ch, 1);
        assertTrue(recorder.freed(scid));
        assertFalse(handler.registered(scid));
        assertFalse(handler.registered(PEER_ODCID));
        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), handler.cachedCloseDatagrams());
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class), "ended was fired at the close");

        // the ID is unknown now: its datagrams pass on unchanged
        ch.writeInbound(datagram(shortHeader(scid, 40), OTHER_CLIENT, SERVER));
        DatagramPacket passed = ch.readInbound();
        try {
            assertNotNull(passed);
            assertEquals(1, passed.refCnt());
        } finally {
            passed.release();
        }
        assertEquals(List.of(), drainOutbound(ch));
    }

    /**
     * An event loop reads before it runs its due tasks: a datagram read once the closing period has ended, before the
     * timer task ran, finds a connection that is over. It is not answered (the period ended "to the nanosecond"), the
     * connection is freed, and the datagram belongs to no connection, as it would once the task had run.
     */
    @Test
    void aDatagramReadAfterTheClosingPeriodEndedBeforeTheTimerRanIsNotAnswered() throws Exception {
        rejected(REFUSED);
        ConnectionId scid = rejectedServer();
        long period = closingPeriodWithoutRttSample();
        recorder.clear();

        ch.advanceTimeBy(period, TimeUnit.NANOSECONDS);
        ch.writeInbound(datagram(shortHeader(scid, 40), OTHER_CLIENT, SERVER));
        assertEquals(List.of(), drainOutbound(ch), "the closing period is over: nothing is re-sent");
        assertTrue(recorder.freed(scid));
        assertEquals(0, handler.connectionCount());
        DatagramPacket passed = ch.readInbound();
        try {
            assertNotNull(passed, "the ID is unknown once the closing period ended: the datagram passes on");
            assertEquals(1, passed.refCnt());
        } finally {
            if (passed != null) {
                passed.release();
            }
        }
    }

    @Test
    void aServersCloseIsKeptInABufferOfItsOwnLength() throws Exception {
        Sent first = rejected(REFUSED);
        ByteBuf cached = handler.cachedCloseDatagrams().get(0);
        assertEquals(first.bytes().length, cached.readableBytes());
        assertEquals(first.bytes().length, cached.capacity(), "not a maxUdpPayloadSize buffer per closing connection");
        assertTrue(cached.isDirect());
    }

    @Test
    void connectionsClosedAtDifferentTimesAreEachFreedAtTheirOwnDeadline() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        int n = 12;
        ConnectionId[] ids = new ConnectionId[n];
        QuicConnection[] conns = new QuicConnection[n];
        for (int i = 0; i < n; i++) {
            byte[] scid = new byte[8];
            scid[0] = (byte) 0xc0;
            scid[7] = (byte) i;
            ids[i] = ConnectionId.of(scid);
            byte[] odcid = scid.clone();
            odcid[0] = (byte) 0x0d;
            conns[i] = new Client(ConnectionId.of(odcid), ids[i], new NetworkPath(CLIENT, SERVER), now(ch)).connection;
            handler.addConnection(conns[i]);
        }
        // close them in a scrambled order, 1 ms apart: each deadline is its close time plus its closing period
        int[] order = {5, 0, 11, 3, 8, 1, 10, 6, 2, 9, 4, 7};
        long[] deadline = new long[n];
        for (int k = 0; k < n; k++) {
            int i = order[k];
            ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(ids[i], REFUSED));
            deadline[i] = now(ch) + conns[i].closingPeriod().toNanos();
            advance(ch, 1_000_000);
        }
        assertEquals(n, drainOutbound(ch).size());
        for (int k = 0; k < n; k++) {
            int i = order[k];
            advance(ch, deadline[i] - 1 - now(ch));
            for (int j = 0; j < n; j++) {
                assertEquals(deadline[j] <= now(ch), recorder.freed(ids[j]),
                        "connection " + j + " one nanosecond before connection " + i + "'s deadline");
            }
            advance(ch, 1);
            assertTrue(recorder.freed(ids[i]), "connection " + i + " at its deadline");
            assertNull(handler.connection(ids[i]));
        }
        assertEquals(List.of(), handler.connections());
        assertEquals(List.of(), handler.cachedCloseDatagrams());

        // the handler's timer starts again for the next connection
        Client again = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        handler.addConnection(again.connection);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(PEER_SCID, REFUSED));
        assertEquals(1, drainOutbound(ch).size());
        advance(ch, again.connection.closingPeriod().toNanos() - 1);
        assertFalse(recorder.freed(PEER_SCID));
        advance(ch, 1);
        assertTrue(recorder.freed(PEER_SCID));
    }

    /** A client the handler holds, and the server's CONNECTION_CLOSE for it. */
    private byte[] peerCloseFor(Client c, CloseError error) throws Exception {
        long t = now(ch);
        QuicConnection peer = QuicConnection.serverBuilder().sourceConnectionId(SERVER_SCID)
                .path(new NetworkPath(SERVER, CLIENT)).build(t);
        assertEquals(ReceiveStatus.PROCESSED,
                peer.receive(ByteBuffer.wrap(c.firstInitial.clone()), new NetworkPath(SERVER, CLIENT), t));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, peer.writeConnectionClose(null, null, out, error, t));
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void thePeersCloseStartsASilentDrainingPeriod() throws Exception {
        Client c = addedClient();
        CloseError peerError = CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x06, "peer says no");
        byte[] close = peerCloseFor(c, peerError);

        ch.writeInbound(datagram(close, SERVER, CLIENT));
        assertEquals(List.of(), drainOutbound(ch), "RFC 9000 §10.2.2: no packets while draining");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(PEER_SCID, ended.connectionId());
        assertEquals(QuicCloseInitiator.PEER, ended.initiator());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        assertEquals(peerError, ended.error());
        assertEquals(CloseError.Type.TRANSPORT, ended.error().type());
        assertEquals(0x06, ended.error().frameType());
        assertEquals(ConnectionState.DRAINING, c.connection.state());

        // more datagrams, a close command, an exception, a channel-wide close-all: still silent
        for (int i = 0; i < 4; i++) {
            ch.writeInbound(datagram(close, SERVER, CLIENT));
        }
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(PEER_SCID, REFUSED));
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(REFUSED));
        ch.pipeline().fireExceptionCaught(new IllegalStateException("ignored by a draining connection"));
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size());

        advance(ch, c.connection.closingPeriod().toNanos() - 1);
        assertFalse(recorder.freed(PEER_SCID));
        advance(ch, 1);
        assertTrue(recorder.freed(PEER_SCID));
        assertNull(handler.connection(PEER_SCID));
        assertEquals(List.of(), drainOutbound(ch));
    }

    @Test
    void aStatelessResetStartsASilentDrainingPeriod() throws Exception {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Client c = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) 0x7e);
        c.connection.addStatelessResetToken(token);
        handler.addConnection(c.connection);
        // RFC 9000 §10.3: looks like a short header (here with the fixed bit clear), ends with the token
        byte[] reset = new byte[40];
        byte[] id = PEER_SCID.toByteArray();
        System.arraycopy(id, 0, reset, 1, id.length);
        System.arraycopy(token, 0, reset, reset.length - token.length, token.length);

        ch.writeInbound(datagram(reset, SERVER, CLIENT));
        assertEquals(List.of(), drainOutbound(ch));
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.STATELESS_RESET, ended.initiator());
        assertNull(ended.error());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        advance(ch, c.connection.closingPeriod().toNanos());
        assertTrue(recorder.freed(PEER_SCID));
    }

    /**
     * A server the application added after spending its whole amplification budget on its handshake flight: a
     * close must wait for the client's next bytes.
     */
    private QuicConnection exhaustedServer(Client peer) throws Exception {
        return exhaustedServer(peer, Settings.defaults());
    }

    private QuicConnection exhaustedServer(Client peer, Settings settings) throws Exception {
        long t = now(ch);
        NetworkPath path = new NetworkPath(SERVER, CLIENT);
        QuicConnection s = QuicConnection.serverBuilder().sourceConnectionId(SERVER_SCID).path(path)
                .settings(settings).build(t);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(peer.firstInitial.clone()), path, t));
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[5000]);
        while (s.writePacket(null, null, ByteBuffer.allocate(1500), t) > 0) {
            // send until the budget is spent
        }
        assertTrue(s.amplificationBudget() < SERVER_INITIAL_HEADER + 4 + AEAD_TAG,
                () -> "budget left: " + s.amplificationBudget());
        handler.addConnection(s);
        return s;
    }

    private Client pendingSetUp(QuicCloseHandlerConfig config) throws Exception {
        handler = new QuicCloseHandler(config);
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        QuicConnection s = exhaustedServer(peer);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SERVER_SCID, REFUSED));
        assertEquals(List.of(), drainOutbound(ch), "NOBUF_AMPLIFICATION_LIMIT: nothing may be sent yet");
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        return peer;
    }

    @Test
    void aCloseHeldBackByTheAmplificationLimitIsSentOnceTheClientsBytesArrive() throws Exception {
        Client peer = pendingSetUp(QuicCloseHandlerConfig.defaults());
        // from another address: quic-core does not count it for this path
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        // too short to be a packet (no header protection sample): not counted either
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8), CLIENT, SERVER));
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class));

        // 29 bytes from the client's address raise the budget by 87, enough for the 49-byte close
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(CLIENT, sent.get(0).recipient());
        assertEquals(SERVER, sent.get(0).sender());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "");
        recorder.assertEnded(SERVER_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        assertEquals(ConnectionState.CLOSING, handler.connection(SERVER_SCID).state());
    }

    /**
     * The amplification budget holds back the close with its reason phrase but not the close without it: the peer
     * gets the error code now, as when the reason does not fit the buffer, instead of nothing until (and unless) it
     * sends more.
     */
    @Test
    void aReasonTheBudgetCannotCarryIsDroppedAndTheCodeSentAtOnce() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.defaults());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        QuicConnection s = exhaustedServer(peer);
        CloseError withReason = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "x".repeat(200));
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SERVER_SCID, withReason));
        assertEquals(List.of(), drainOutbound(ch), "the budget is spent: nothing may be sent yet");

        // 29 bytes from the client's address raise the budget by 87: enough for the 49-byte close, not for 249 bytes
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED), ended.error(), "what was sent");
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    @Test
    void aCloseHeldBackUntilTheClosingPeriodEndsIsReportedAndFreed() throws Exception {
        pendingSetUp(QuicCloseHandlerConfig.defaults());
        QuicConnection s = handler.connection(SERVER_SCID);
        advance(ch, s.closingPeriod().toNanos());
        assertEquals(List.of(), drainOutbound(ch));
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.AMPLIFICATION_LIMITED, ended.result());
        assertEquals(REFUSED, ended.error());
        assertTrue(recorder.freed(SERVER_SCID));
        assertNull(handler.connection(SERVER_SCID));
    }

    /**
     * README: a held-back close "is given up (and reported) when the closing period has passed". A datagram that
     * would raise the budget, read after that moment but before the timer task ran, must not send the close late.
     */
    @Test
    void aHeldBackCloseWhosePeriodEndedBeforeTheTimerRanIsGivenUpNotSentByALateDatagram() throws Exception {
        pendingSetUp(QuicCloseHandlerConfig.defaults());
        QuicConnection s = handler.connection(SERVER_SCID);
        ch.advanceTimeBy(s.closingPeriod().toNanos(), TimeUnit.NANOSECONDS);
        // enough bytes from the client's address for the close, had they come in time
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        assertEquals(List.of(), drainOutbound(ch), "given up when the closing period passed");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.AMPLIFICATION_LIMITED, ended.result());
        assertEquals(REFUSED, ended.error());
        assertTrue(recorder.freed(SERVER_SCID));
        assertNull(handler.connection(SERVER_SCID));
        Object passed = ch.readInbound();
        ReferenceCountUtil.release(passed);
    }

    @Test
    void channelCloseWaitsForAHeldBackCloseUntilTheTimeoutAndEveryPromiseFollows() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        pendingSetUp(QuicCloseHandlerConfig.builder().closeTimeout(timeout).build());
        ChannelFuture first = ch.pipeline().close();
        ChannelFuture second = ch.pipeline().close();
        assertTrue(ch.isOpen());
        assertFalse(first.isDone());
        assertFalse(second.isDone());

        advance(ch, timeout.toNanos() - 1);
        assertTrue(ch.isOpen());
        advance(ch, 1);
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
        assertTrue(first.isSuccess());
        assertTrue(second.isSuccess());
        assertEquals(List.of(), drainOutbound(ch));
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.AMPLIFICATION_LIMITED, ended.result());
        assertTrue(recorder.freed(SERVER_SCID));
        ChannelFuture late = ch.pipeline().close();
        assertTrue(late.isSuccess(), "a close after the channel closed completes at once");
    }

    @Test
    void channelCloseHappensAsSoonAsTheHeldBackCloseIsWritten() throws Exception {
        Client peer = pendingSetUp(QuicCloseHandlerConfig.defaults());
        ChannelFuture closed = ch.pipeline().close();
        assertFalse(closed.isDone());
        ch.writeInbound(datagram(peer.firstInitial, CLIENT, SERVER));
        ch.runPendingTasks();
        assertTrue(closed.isSuccess());
        assertFalse(ch.isOpen());
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(PEER_ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED,
                0, "");
    }

    @Test
    void repeatedChannelClosesWriteOnceAndAllSucceed() throws Exception {
        rejected(REFUSED);
        handler.addConnection(new Client(ConnectionId.fromHex("1111111111111111"), ConnectionId.fromHex("22222222"),
                new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ChannelFuture first = ch.close();
        ChannelFuture second = ch.close();
        assertTrue(first.isSuccess());
        assertTrue(second.isSuccess());
        assertEquals(1, drainOutbound(ch).size(), "only the live client closes; the rejected server already did");
    }

    @Test
    void channelCloseWaitingForAHeldBackCloseThatFailsForGoodClosesAtOnce() throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.jca());
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        exhaustedServer(peer, Settings.builder().cryptoProvider(crypto).build());
        ChannelFuture closed = ch.pipeline().close();
        assertFalse(closed.isDone(), "waiting for the held-back close");
        assertEquals(List.of(), drainOutbound(ch));
        // the client's bytes raise the budget, but sealing the close now fails: nothing is left to wait for
        crypto.fail(FailingCryptoProvider.Failure.SEAL);
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        ch.runPendingTasks();
        recorder.assertEnded(SERVER_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.PROTECTION_FAILED);
        assertTrue(recorder.freed(SERVER_SCID));
        assertEquals(List.of(), drainOutbound(ch));
        assertFalse(ch.isOpen(), "the channel closes once no close is left to wait for, not at the timeout");
        assertTrue(closed.isSuccess());
    }

    /**
     * A held-back close that is finally sent starts its own closing period (RFC 9000 §10.2: at least three PTOs after
     * the close was sent), not the remainder of the wait that began with the close command.
     */
    @Test
    void aHeldBackCloseSentLateGetsAWholeClosingPeriodFromItsSend() throws Exception {
        pendingSetUp(QuicCloseHandlerConfig.defaults());
        long period = handler.connection(SERVER_SCID).closingPeriod().toNanos();
        advance(ch, period / 2);
        ch.writeInbound(datagram(shortHeader(SERVER_SCID, 1 + 8 + 4 + 16), CLIENT, SERVER));
        assertEquals(1, drainOutbound(ch).size());
        recorder.assertEnded(SERVER_SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);

        advance(ch, period - period / 2);
        assertFalse(recorder.freed(SERVER_SCID), "the wait's deadline no longer applies");
        assertTrue(handler.registered(SERVER_SCID));
        advance(ch, period / 2 - 1);
        assertFalse(recorder.freed(SERVER_SCID), "one nanosecond before three PTOs after the send");
        advance(ch, 1);
        assertTrue(recorder.freed(SERVER_SCID));
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size());
    }

    /**
     * The peer's CONNECTION_CLOSE arriving while the close is held back: the connection drains (RFC 9000 §10.2.2,
     * nothing is sent, not even the held-back close the client's bytes would now pay for), it is reported as the
     * peer's close, and a channel close that waited for the held-back close goes ahead at once.
     */
    @Test
    void thePeersCloseWhileTheCloseIsHeldBackDrainsSilentlyAndReleasesAWaitingChannelClose() throws Exception {
        Client peer = pendingSetUp(QuicCloseHandlerConfig.defaults());
        ChannelFuture closed = ch.pipeline().close();
        assertFalse(closed.isDone(), "waiting for the held-back close");
        CloseError peerError = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "client gives up");
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, peer.connection.writeConnectionClose(null, null, out, peerError, now(ch)));
        ch.writeInbound(datagram(Arrays.copyOf(out.array(), out.position()), CLIENT, SERVER));
        ch.runPendingTasks();
        assertEquals(List.of(), drainOutbound(ch), "draining: nothing is sent");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.PEER, ended.initiator());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        assertEquals(peerError, ended.error());
        assertTrue(closed.isSuccess(), "nothing is left to wait for");
        assertFalse(ch.isOpen());
    }

    /**
     * The channel going inactive under a channel close that waits only for a held-back close: the close is given up
     * (reported as amplification-limited) and the waiting channel close completes at once, not at its timeout.
     */
    @Test
    void theChannelGoingInactiveReleasesAChannelCloseWaitingForAHeldBackClose() throws Exception {
        pendingSetUp(QuicCloseHandlerConfig.defaults());
        ChannelFuture closed = ch.pipeline().close();
        assertFalse(closed.isDone(), "waiting for the held-back close");
        ch.pipeline().fireChannelInactive();
        ch.runPendingTasks();
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(QuicCloseResult.AMPLIFICATION_LIMITED, recorder.onlyEnded().result());
        assertTrue(recorder.freed(SERVER_SCID));
        assertTrue(closed.isSuccess(), "nothing is left to wait for");
        assertFalse(ch.isOpen());
    }

    /** Removing the handler gives up a held-back close: reported as amplification-limited, freed, nothing sent. */
    @Test
    void removingTheHandlerGivesUpAHeldBackClose() throws Exception {
        pendingSetUp(QuicCloseHandlerConfig.defaults());
        ch.pipeline().remove(handler);
        assertEquals(List.of(), drainOutbound(ch));
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.AMPLIFICATION_LIMITED, ended.result());
        assertEquals(REFUSED, ended.error());
        assertTrue(recorder.freed(SERVER_SCID));
        assertEquals(0, handler.connectionCount());
        assertTrue(ch.isOpen(), "removal does not close the channel");
    }

    /**
     * A client whose first datagram to the server is its Initial CONNECTION_CLOSE (its first Initial was lost, say):
     * the connection the accept policy makes for it drains at once (close-spec §5.1: a received CONNECTION_CLOSE moves
     * any state to DRAINING). It is reported as the peer's close, sends nothing (§5.3, RFC 9000 §10.2.2), takes the
     * client's retransmissions for its draining period instead of making a new connection (and listener) for each,
     * and is freed three PTOs later; the datagram is the connection's, not passed on.
     */
    @Test
    void aClientInitialThatClosesTheConnectionItOpensStartsASilentDrainingPeriod() throws Exception {
        List<ConnectionId> listenersMade = new ArrayList<>();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept(id -> {
            listenersMade.add(id);
            return null;
        })).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        CloseError peerError = CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0, "client gives up");
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, peer.connection.writeConnectionClose(null, null, out, peerError, now(ch)));
        byte[] close = Arrays.copyOf(out.array(), out.position());

        ch.writeInbound(datagram(close, OTHER_CLIENT, SERVER));
        assertNothingPassedOn();
        assertEquals(List.of(), drainOutbound(ch), "draining: nothing is sent");
        assertEquals(1, listenersMade.size());
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(listenersMade.get(0), ended.connectionId());
        assertEquals(QuicCloseInitiator.PEER, ended.initiator());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        assertEquals(peerError, ended.error());
        assertEquals(List.of(), recorder.events(QuicConnectionAcceptedEvent.class), "never accepted");
        // never seen by the application, so not listed: the handler keeps only its draining record
        assertNull(handler.connection(ended.connectionId()));
        assertEquals(List.of(), handler.connections());

        // the client retransmits its close: the draining connection takes it, silently
        ch.writeInbound(datagram(close, OTHER_CLIENT, SERVER));
        assertNothingPassedOn();
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(1, listenersMade.size(), "no second connection");
        assertEquals(1, handler.connectionCount());
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size());

        advance(ch, closingPeriodWithoutRttSample() - 1);
        assertFalse(recorder.freed(ended.connectionId()));
        advance(ch, 1);
        assertTrue(recorder.freed(ended.connectionId()));
        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), drainOutbound(ch));
    }

    /** The same under the reject policy: the client's close is not answered with the refusal, and nothing is listed. */
    @Test
    void aClientInitialThatClosesTheConnectionARejectingServerOpensDrainsSilently() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.reject(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0,
                        "busy"))).build());
        ch = channel(handler, recorder);
        Client peer = new Client(PEER_ODCID, PEER_SCID, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, peer.connection.writeConnectionClose(null, null, out,
                CloseError.transport(TransportErrorCode.NO_ERROR, 0, ""), now(ch)));
        byte[] close = Arrays.copyOf(out.array(), out.position());

        ch.writeInbound(datagram(close, OTHER_CLIENT, SERVER));
        assertNothingPassedOn();
        assertEquals(List.of(), drainOutbound(ch), "draining: nothing is sent");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.PEER, ended.initiator());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        assertNull(handler.connection(ended.connectionId()), "a refused connection is not listed");
        assertEquals(List.of(), handler.connections());
        assertEquals(1, handler.connectionCount());

        ch.writeInbound(datagram(close, OTHER_CLIENT, SERVER));
        assertNothingPassedOn();
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(1, handler.connectionCount());

        advance(ch, closingPeriodWithoutRttSample());
        assertTrue(recorder.freed(ended.connectionId()));
        QuicConnectionFreedEvent freed = recorder.events(QuicConnectionFreedEvent.class).get(0);
        assertEquals(OTHER_CLIENT, freed.remoteAddress(), "the freed event names the peer of its path");
        assertEquals(0, handler.connectionCount());
    }

    private void assertNothingPassedOn() {
        DatagramPacket passed = ch.readInbound();
        if (passed != null) {
            passed.release();
            fail("the datagram was passed on as belonging to no connection");
        }
    }
}
