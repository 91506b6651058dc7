package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.assertClose;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.FailingCryptoProvider;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.FailingWrites;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a close can fail or be silent is reported with a typed event or exception, and every buffer involved is
 * released (the leak gate checks after each test).
 */
class QuicCloseHandlerFailuresTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("0a0b0c0d0e0f1011");
    private static final ConnectionId SCID = ConnectionId.fromHex("a0a1a2a3a4a5a6a7");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private void start(io.netty.channel.ChannelHandler... before) {
        handler = new QuicCloseHandler();
        List<io.netty.channel.ChannelHandler> all = new ArrayList<>(List.of(before));
        all.add(handler);
        all.add(recorder);
        ch = channel(all.toArray(new io.netty.channel.ChannelHandler[0]));
    }

    private void closeAll(CloseError error) {
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(error));
    }

    private void assertEndedAndFreed(ConnectionId id, QuicCloseInitiator initiator, QuicCloseResult result) {
        assertEquals(List.of(), drainOutbound(ch));
        recorder.assertEnded(id, initiator, result);
        assertTrue(recorder.freed(id), "freed at once: nothing was sent, no closing period");
        assertNull(handler.connection(id));
        assertEquals(List.of(), handler.cachedCloseDatagrams());
    }

    @Test
    void aSealingFailureIsReportedAsProtectionFailed() throws Exception {
        start();
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.jca());
        QuicConnection c = QuicConnection.clientBuilder().originalDestinationConnectionId(ODCID).sourceConnectionId(SCID)
                .path(new NetworkPath(CLIENT, SERVER)).settings(Settings.builder().cryptoProvider(crypto).build())
                .build(ConnectionFixtures.T0);
        ConnectionFixtures.sentFirstInitial(c);
        handler.addConnection(c);
        crypto.fail(FailingCryptoProvider.Failure.SEAL);
        closeAll(CloseError.noError());
        assertEndedAndFreed(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.PROTECTION_FAILED);
        assertEquals(CloseError.noError(), recorder.onlyEnded().error());
    }

    @Test
    void aClientThatNeverSentAnythingCannotCloseAndIsReportedAsInvalidState() throws Exception {
        start();
        QuicConnection fresh = QuicConnection.clientBuilder().originalDestinationConnectionId(ODCID)
                .sourceConnectionId(SCID).path(new NetworkPath(CLIENT, SERVER)).build(now(ch));
        handler.addConnection(fresh);
        ch.close();
        assertEndedAndFreed(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.INVALID_STATE);
        assertFalse(ch.isOpen());
    }

    @Test
    void aServerGivenKeysBeforeItReadAnyInitialIsReportedAsInvalidState() throws Exception {
        // keys installed out of order: quic-core once threw NullPointerException (no Destination Connection ID),
        // which ended the connection as FAILED; it cannot close yet, as a server that read nothing
        start();
        QuicConnection s = QuicConnection.serverBuilder().sourceConnectionId(SCID)
                .path(new NetworkPath(SERVER, CLIENT)).build(now(ch));
        s.installTxKey(dev.quicj.core.EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE,
                ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        handler.addConnection(s);
        ch.close();
        assertEndedAndFreed(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.INVALID_STATE);
        assertEquals(List.of(), recorder.exceptions);
    }

    @Test
    void aReasonThatDoesNotFitIsDroppedAndTheCodeStillSent() throws Exception {
        start();
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(c);
        // a 1200-byte client Initial holds at most 1200 - 29 - 16 - 5 = 1150 reason bytes with 8-byte CIDs
        closeAll(CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x1c, "x".repeat(1151)));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(ODCID), CloseType.TRANSPORT, TransportErrorCode.PROTOCOL_VIOLATION, 0x1c,
                "");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x1c, (byte[]) null), ended.error(),
                "the event tells what was sent");
    }

    @Test
    void aReasonThatFitsExactlyIsKept() throws Exception {
        start();
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(c);
        String reason = "y".repeat(1150);
        closeAll(CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x1c, reason));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(ODCID), CloseType.TRANSPORT, TransportErrorCode.PROTOCOL_VIOLATION, 0x1c,
                reason);
    }

    @Test
    void aFailedWriteIsReportedAsAQuicConnectionExceptionAndTheChannelStillCloses() throws Exception {
        FailingWrites failing = new FailingWrites();
        start(failing);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        assertTrue(ch.close().isSuccess());
        assertEquals(1, failing.failed);
        assertEquals(1, recorder.exceptions.size());
        QuicConnectionException e = assertInstanceOf(QuicConnectionException.class, recorder.exceptions.get(0));
        assertEquals(SCID, e.connectionId());
        assertInstanceOf(IOException.class, e.getCause());
        assertNull(e.quicException());
        assertEquals(List.of(), handler.cachedCloseDatagrams(), "the cached copy was released at channelInactive");
    }

    @Test
    void anIdleCloseSendsNothing() throws Exception {
        start();
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.idleClose()));
        assertEndedAndFreed(SCID, QuicCloseInitiator.IDLE, QuicCloseResult.NOTHING_TO_SEND);
        assertEquals(CloseError.Type.IDLE_CLOSE, recorder.onlyEnded().error().type());
    }

    @Test
    void aVersionNegotiationThatRulesOutOurVersionEndsTheClientSilently() throws Exception {
        start();
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        // RFC 9000 §17.2.1: version 0, DCID = the client's SCID, SCID = the client's DCID, then the versions
        ByteBuffer vn = ByteBuffer.allocate(64);
        vn.put((byte) 0x80).putInt(0);
        vn.put((byte) SCID.length()).put(SCID.toByteArray());
        vn.put((byte) ODCID.length()).put(ODCID.toByteArray());
        vn.putInt(0x0a0a0a0a);
        byte[] bytes = java.util.Arrays.copyOf(vn.array(), vn.position());
        ch.writeInbound(datagram(bytes, SERVER, CLIENT));
        assertEndedAndFreed(SCID, QuicCloseInitiator.VERSION_NEGOTIATION, QuicCloseResult.NOTHING_TO_SEND);
    }

    @Test
    void aChannelThatBecomesInactiveWithoutCloseReportsItsLiveConnections() throws Exception {
        ChannelOutboundHandlerAdapter head = new ChannelOutboundHandlerAdapter();
        start(head);
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(c);
        // closed from a handler before this one: close() never passes through it
        ch.pipeline().context(head).close();
        ch.runPendingTasks();
        assertFalse(ch.isActive());
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseResult.CHANNEL_INACTIVE, ended.result());
        assertNull(ended.error());
        assertTrue(recorder.freed(SCID));
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    @Test
    void removingTheHandlerClosesItsConnectionsAndFreesEverything() throws Exception {
        start();
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(c);
        ch.pipeline().remove(handler);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(ODCID), CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
        recorder.assertEnded(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        assertTrue(recorder.freed(SCID));
        assertEquals(List.of(), handler.cachedCloseDatagrams());
        assertTrue(ch.isOpen());
    }

    @Test
    void socketTosModeOnATransportWithoutIpTosStillSendsWithTheMetadata() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS).build());
        ch = channel(handler, recorder);
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        c.setEcnState(dev.quicj.core.conn.EcnState.CAPABLE);
        handler.addConnection(c);
        ch.close();
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(Ecn.ECT_0, sent.get(0).ecn());
        recorder.assertNoExceptions();
    }

    /** An EmbeddedChannel whose config keeps IP_TOS, as NIO and epoll datagram channels do. */
    private static final class TosChannel extends EmbeddedChannel {
        private TosConfig tosConfig;

        TosChannel(ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        public ChannelConfig config() {
            if (tosConfig == null) {
                tosConfig = new TosConfig(this);
            }
            return tosConfig;
        }
    }

    private static final class TosConfig extends DefaultChannelConfig {
        int tos;

        TosConfig(Channel channel) {
            super(channel);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(ChannelOption<T> option) {
            return option == ChannelOption.IP_TOS ? (T) Integer.valueOf(tos) : super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            if (option == ChannelOption.IP_TOS) {
                tos = (Integer) value;
                return true;
            }
            return super.setOption(option, value);
        }
    }

    /** Records, for each datagram flushed, its ECN metadata and the socket's ECN bits when it was flushed. */
    private static final class TosProbe extends ChannelOutboundHandlerAdapter {
        private final List<Ecn> unflushed = new ArrayList<>();
        final List<String> onTheWire = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            unflushed.add(((QuicDatagramPacket) msg).ecn());
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            int bits = ctx.channel().config().getOption(ChannelOption.IP_TOS) & 0x03;
            for (Ecn ecn : unflushed) {
                onTheWire.add("metadata " + ecn.codepoint() + ", socket " + bits);
            }
            unflushed.clear();
            ctx.flush();
        }
    }

    @Test
    void socketTosModeMarksAStatelessRefusalAsItsMetadataSaysAfterAnEct0Close() throws Exception {
        TosProbe probe = new TosProbe();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS)
                .acceptPolicy(AcceptPolicy.rejectStateless(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED)))
                .build());
        ch = new TosChannel(probe, handler, recorder);
        ch.freezeTime();
        ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
        // a client on an ECN-capable path closes: ECT(0), so the handler sets the socket's ECN bits to 2
        QuicConnection c = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        c.setEcnState(dev.quicj.core.conn.EcnState.CAPABLE);
        handler.addConnection(c);
        closeAll(CloseError.noError());
        // then another client's Initial is refused statelessly: a NOT-ECT datagram
        byte[] initial = new Client(ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8"), ConnectionId.fromHex("5c5c5c5c"),
                new NetworkPath(TestSupport.OTHER_CLIENT, SERVER), now(ch)).firstInitial;
        ch.writeInbound(datagram(initial, TestSupport.OTHER_CLIENT, SERVER));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(2, sent.size());
        assertEquals(Ecn.ECT_0, sent.get(0).ecn());
        assertEquals(Ecn.NOT_ECT, sent.get(1).ecn());
        assertEquals(List.of("metadata 2, socket 2", "metadata 0, socket 0"), probe.onTheWire,
                "EcnMode.SOCKET_TOS: the socket's ECN bits are set before a datagram whose codepoint differs");
        recorder.assertNoExceptions();
    }

    /**
     * EcnMode.SOCKET_TOS: a handler that answers a failed close write by closing every connection (a QuicCloseCommand
     * fired from the pipeline) re-enters the handler inside applyEcn's flush, and that nested event's flush gives the
     * socket its own TOS back. The outer applyEcn must not then take the ECT(0) it read before its flush for the
     * socket's own byte: the socket ends with its own ECN bits, not ECT(0).
     */
    @Test
    void aCloseCommandFromAFailedWriteInsideAnEcnFlushLeavesTheSocketItsOwnTos() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS).build());
        ChannelInboundHandlerAdapter closeAllOnError = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                ctx.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(CloseError.noError()));
            }
        };
        closeEctThenNotEctFailingTheFirstAtFlush(closeAllOnError);
        ch.runPendingTasks();
        assertEquals(1, drainOutbound(ch).size(), "the first close failed at its flush, the second was written");
        assertEquals(0, ch.config().getOption(ChannelOption.IP_TOS) & 0x03,
                "the socket's own ECN bits (Not-ECT) once the handler flushed, not the ECT(0) of the failed close");
        recorder.exceptions.clear();
    }

    /**
     * On a {@link TosChannel} whose first datagram fails at its flush, with {@code onError} after the handler: an
     * ECN-capable client (ECT(0)) and a plain one (Not-ECT) are closed together, so the socket's bits change, and
     * flush, in between.
     */
    private void closeEctThenNotEctFailingTheFirstAtFlush(ChannelInboundHandlerAdapter onError) throws Exception {
        ch = new TosChannel(new FailFirstAtFlush(), handler, onError, recorder);
        ch.freezeTime();
        ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
        QuicConnection capable = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        capable.setEcnState(dev.quicj.core.conn.EcnState.CAPABLE);
        Client plain = new Client(ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8"), ConnectionId.fromHex("5c5c5c5c"),
                new NetworkPath(CLIENT, SERVER), now(ch));
        handler.addConnection(capable);
        handler.addConnection(plain.connection);
        closeAll(CloseError.noError());
    }

    /** Fails the first datagram written when it is flushed; passes every other one on. */
    private static final class FailFirstAtFlush extends ChannelOutboundHandlerAdapter {
        private Object held;
        private ChannelPromise heldPromise;
        private boolean failed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!failed && held == null) {
                held = msg;
                heldPromise = promise;
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (held != null && !failed) {
                failed = true;
                ReferenceCountUtil.release(held);
                heldPromise.setFailure(new IOException("sendto failed"));
            }
            ctx.flush();
        }
    }

    /**
     * EcnMode.SOCKET_TOS flushes before changing the socket's ECN bits, inside the write of the next close. A write
     * failing in that flush reaches the next handlers, and one that closes the channel on any error re-enters the
     * handler's close(): the close being written must still be waited for, written, and reported, with nothing
     * freed under it.
     */
    @Test
    void aChannelClosedFromAFailedWriteInsideAnEcnFlushStillGetsTheCloseBeingWritten() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS).build());
        ChannelInboundHandlerAdapter closeOnError = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                ctx.close();
            }
        };
        closeEctThenNotEctFailingTheFirstAtFlush(closeOnError);
        ch.runPendingTasks();
        ch.checkException();
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "the first close failed at its flush, the second was written");
        assertEquals(Ecn.NOT_ECT, sent.get(0).ecn());
        assertClose(sent.get(0).initialClose(GOOD_ODCID), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "");
        assertEquals(2, recorder.events(QuicConnectionEndedEvent.class).size());
        assertEquals(1, recorder.exceptions.size());
        assertTrue(recorder.exceptions.get(0) instanceof QuicConnectionException);
        recorder.exceptions.clear();
        assertFalse(ch.isOpen(), "closed once the second close was written");
        assertEquals(List.of(), handler.cachedCloseDatagrams());
    }

    @Test
    void aCloseFreedByAHandlerRemovalInsideItsEcnFlushIsEndedUnsentBeforeItIsFreed() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS).build());
        ChannelInboundHandlerAdapter removeOnError = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                if (ctx.pipeline().context(handler) != null) {
                    ctx.pipeline().remove(handler);
                }
            }
        };
        ch = new TosChannel(new FailFirstAtFlush(), handler, removeOnError, recorder);
        ch.freezeTime();
        ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
        // the ECN-capable client's close (ECT(0)) is held; the plain one's (Not-ECT) flushes it first, and its failure
        // removes the handler before the plain close is written
        QuicConnection capable = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        capable.setEcnState(dev.quicj.core.conn.EcnState.CAPABLE);
        ConnectionId plainId = ConnectionId.fromHex("5c5c5c5c");
        Client plain = new Client(ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8"), plainId,
                new NetworkPath(CLIENT, SERVER), now(ch));
        handler.addConnection(capable);
        handler.addConnection(plain.connection);
        closeAll(CloseError.noError());
        ch.runPendingTasks();
        assertEquals(List.of(), drainOutbound(ch), "the first close failed, the second was never written");
        List<String> order = new ArrayList<>();
        for (Object e : recorder.events) {
            if (e instanceof QuicConnectionEndedEvent ended && ended.connectionId().equals(plainId)) {
                // QuicConnectionEndedEvent.error(): a CHANNEL_INACTIVE close that quic-core had written carries its
                // error (only a connection still live, no close attempted, has none)
                assertEquals(CloseError.noError(), ended.error(), ended::toString);
                assertEquals(QuicCloseInitiator.LOCAL, ended.initiator(), ended::toString);
                order.add("ended " + ended.result());
            } else if (e instanceof QuicConnectionFreedEvent freed && freed.connectionId().equals(plainId)) {
                order.add("freed");
            }
        }
        assertEquals(List.of("ended CHANNEL_INACTIVE", "freed"), order, () -> "events: " + recorder.events);
        assertEquals(List.of(), handler.cachedCloseDatagrams());
        recorder.exceptions.clear();
    }

    @Test
    void theDatagramWrittenIsADirectBufferOfTheCloseLengthSharedWithTheCachedCopy() throws Exception {
        start();
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        closeAll(CloseError.noError());
        QuicDatagramPacket p = ch.readOutbound();
        try {
            ByteBuf content = p.content();
            assertTrue(content.isDirect());
            assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, content.readableBytes());
            ByteBuf cached = handler.cachedCloseDatagrams().get(0);
            assertEquals(content, cached, "the cached datagram holds the same bytes");
            // the buffer the closing period keeps is exactly the datagram, not a maxUdpPayloadSize buffer
            assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, cached.capacity());
            assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, cached.maxCapacity());
            // the channel got a retained duplicate of the buffer the handler keeps: no second buffer
            assertEquals(2, cached.refCnt(), "the handler's reference and the written duplicate's");
            assertNotSame(cached, content);
        } finally {
            p.release();
        }
        assertNull(ch.readOutbound());
    }
    // ---------------------------------------------------------------------------------------------------------
    // a connection on another clock than the channel's

    @Test
    void aConnectionAheadOfTheChannelsClockIsRefusedByAddConnection() throws Exception {
        start();
        // built on a clock 5 s ahead, as System.nanoTime() is of a Netty event loop's ticker
        QuicConnection ahead = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER),
                now(ch) + TimeUnit.SECONDS.toNanos(5)).connection;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> handler.addConnection(ahead));
        assertTrue(e.getMessage().contains("ticker"), e.getMessage());
        assertNull(handler.connection(SCID));
        assertEquals(0, handler.connectionCount());
        // a connection on the channel's clock is still welcome
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        assertEquals(1, handler.connectionCount());
    }

    private static final ConnectionId GOOD_ODCID = ConnectionId.fromHex("c0c1c2c3c4c5c6c7c8");
    private static final ConnectionId GOOD_ID = ConnectionId.fromHex("5c5c5c5c");

    /**
     * addConnection's clock check, for connections added before the handler is in a pipeline (no clock to compare
     * with then): it is made once the handler is added. The connection ahead of the channel's clock ends as FAILED,
     * is freed and is reported to the handlers added after this one, naming it, with the reason addConnection gives;
     * the one on the channel's clock is kept. Without the check the skewed connection was held silently, its idle
     * deadline on the wrong clock, until a datagram or a close found it out.
     */
    @Test
    void aConnectionAheadOfTheChannelsClockAddedBeforeTheHandlerFailsAloneWhenTheHandlerIsAdded() throws Exception {
        ch = channel();
        handler = new QuicCloseHandler();
        QuicConnection ahead = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER),
                now(ch) + TimeUnit.SECONDS.toNanos(5)).connection;
        QuicConnection good = new Client(GOOD_ODCID, GOOD_ID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(ahead);
        handler.addConnection(good);
        assertEquals(2, handler.connectionCount(), "no clock to check against yet");

        ch.pipeline().addLast(handler, recorder);
        ch.runPendingTasks();
        assertEndedAndFreed(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.FAILED);
        assertEquals(1, recorder.exceptions.size(), () -> "exceptions: " + recorder.exceptions);
        QuicConnectionException reported = assertInstanceOf(QuicConnectionException.class,
                recorder.exceptions.get(0));
        assertEquals(SCID, reported.connectionId());
        assertTrue(reported.getMessage().contains("ticker"), reported::getMessage);
        assertInstanceOf(IllegalArgumentException.class, reported.getCause());
        recorder.exceptions.clear();
        assertEquals(List.of(good), handler.connections());
        assertEquals(1, handler.connectionCount());
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size(), () -> "events " + recorder.events);
    }

    /**
     * Starts the channel with two connections, SCID and GOOD_ID (added in that order, or the other way round), and
     * drives SCID's clock 5 s ahead of the channel's; returns the good one.
     */
    private QuicConnection skewedAndGood(boolean goodFirst) throws Exception {
        start();
        QuicConnection skewed = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        QuicConnection good = new Client(GOOD_ODCID, GOOD_ID, new NetworkPath(CLIENT, SERVER), now(ch)).connection;
        handler.addConnection(goodFirst ? good : skewed);
        handler.addConnection(goodFirst ? skewed : good);
        skewed.writePacket(null, null, ByteBuffer.allocate(1500), now(ch) + TimeUnit.SECONDS.toNanos(5));
        return good;
    }

    /** The one exception that reached the end of the pipeline: SCID's failure, from quic-core's clock check. */
    private QuicConnectionException onlyFailureOfTheSkewedConnection() {
        assertEquals(1, recorder.exceptions.size(), () -> "exceptions: " + recorder.exceptions);
        QuicConnectionException reported = assertInstanceOf(QuicConnectionException.class,
                recorder.exceptions.get(0));
        assertEquals(SCID, reported.connectionId());
        assertInstanceOf(IllegalArgumentException.class, reported.getCause());
        recorder.exceptions.clear();
        return reported;
    }

    /**
     * The application drives a connection it handed over on another clock: quic-core refuses the close ("timestamp
     * went backwards"). That connection alone ends, as FAILED, and the others still get their closes.
     */
    @Test
    void aConnectionThatMovedAheadOfTheChannelsClockFailsAloneWhenAllClose() throws Exception {
        skewedAndGood(false);

        closeAll(CloseError.transport(TransportErrorCode.NO_ERROR));
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "the other connection's close");
        assertClose(sent.get(0).initialClose(GOOD_ODCID), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "");
        recorder.assertEnded(GOOD_ID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        recorder.assertEnded(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.FAILED);
        assertTrue(recorder.freed(SCID), "freed at once: nothing was sent");
        assertNull(handler.connection(SCID));
        onlyFailureOfTheSkewedConnection();
        assertEquals(1, handler.cachedCloseDatagrams().size(), "only the sent close is kept for its closing period");
    }

    @Test
    void aChannelCloseStillClosesTheOthersPastAConnectionOnAnotherClock() throws Exception {
        skewedAndGood(false);

        ch.close();
        assertEquals(1, drainOutbound(ch).size(), "the other connection's close");
        recorder.assertEnded(GOOD_ID, QuicCloseInitiator.LOCAL, QuicCloseResult.SENT);
        recorder.assertEnded(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.FAILED);
        onlyFailureOfTheSkewedConnection();
        assertFalse(ch.isOpen());
    }

    @Test
    void aDatagramForAConnectionOnAnotherClockIsOneTypedFailureOfThatConnection() throws Exception {
        QuicConnection good = skewedAndGood(true);

        ch.writeInbound(datagram(TestSupport.shortHeader(SCID, 100), SERVER, CLIENT));
        assertNull(ch.readInbound(), "consumed by its connection");
        assertEquals(List.of(), drainOutbound(ch), "its close cannot be written either");
        assertEquals(1, recorder.events(QuicConnectionEndedEvent.class).size(), () -> "events: " + recorder.events);
        recorder.assertEnded(SCID, QuicCloseInitiator.LOCAL, QuicCloseResult.FAILED);
        assertTrue(recorder.freed(SCID));
        QuicConnectionException reported = onlyFailureOfTheSkewedConnection();
        assertEquals(1, reported.getSuppressed().length, "the close's own failure, suppressed");
        assertSame(good, handler.connection(GOOD_ID), "the other connection is untouched");
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, good.state());
    }
}
