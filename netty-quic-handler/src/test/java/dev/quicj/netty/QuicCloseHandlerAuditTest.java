package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.FailingWrites;
import dev.quicj.netty.TestSupport.HeldWrites;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Regressions found by an audit of the handler's event order, promises and buffers. */
class QuicCloseHandlerAuditTest {
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

    /** The kinds of the ended and freed events of {@code id}, in the order they were fired. */
    private List<String> lifecycle(ConnectionId id) {
        List<String> order = new ArrayList<>();
        for (Object e : recorder.events) {
            if (e instanceof QuicConnectionEndedEvent ended && ended.connectionId().equals(id)) {
                order.add("ended " + ended.result());
            } else if (e instanceof QuicConnectionFreedEvent freed && freed.connectionId().equals(id)) {
                order.add("freed");
            }
        }
        return order;
    }

    @Test
    void aCloseWhoseWriteFailsAtOnceAndWhoseFailureClosesTheChannelIsEndedBeforeItIsFreed() throws Exception {
        handler = new QuicCloseHandler();
        ChannelInboundHandlerAdapter closeOnError = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                ctx.channel().close();
            }
        };
        ch = channel(new FailingWrites(), handler, closeOnError, recorder);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.noError()));
        ch.runPendingTasks();
        assertTrue(!ch.isOpen(), "the failure's handler closed the channel");
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID), () -> "events: " + recorder.events);
        assertEquals(1, recorder.exceptions.size(), () -> "exceptions: " + recorder.exceptions);
    }

    @Test
    void aCloseWhoseWriteFailsAtOnceAndWhoseFailureRemovesTheHandlerIsEndedBeforeItIsFreed() throws Exception {
        handler = new QuicCloseHandler();
        ChannelInboundHandlerAdapter removeOnError = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                if (ctx.pipeline().context(handler) != null) {
                    ctx.pipeline().remove(handler);
                }
            }
        };
        ch = channel(new FailingWrites(), handler, removeOnError, recorder);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.noError()));
        ch.runPendingTasks();
        assertEquals(null, ch.pipeline().context(handler), "the failure's handler removed the close handler");
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID), () -> "events: " + recorder.events);
        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), handler.cachedCloseDatagrams());
    }

    @Test
    void aConnectionFreedFromAListenerOfTheEndedEventFiredAsItIsFreedIsFreedOnce() throws Exception {
        handler = new QuicCloseHandler();
        ChannelInboundHandlerAdapter reactor = new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.fireExceptionCaught(cause);
                ctx.channel().close();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                ctx.fireUserEventTriggered(evt);
                if (evt instanceof QuicConnectionEndedEvent && ctx.pipeline().context(handler) != null) {
                    ctx.pipeline().remove(handler);
                }
            }
        };
        ch = channel(new FailingWrites(), handler, reactor, recorder);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.noError()));
        ch.runPendingTasks();
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID), () -> "events: " + recorder.events);
    }

    @Test
    void aChannelCloseWaitingForAnUnfinishedWriteCompletesWhenTheHandlerIsRemoved() throws Exception {
        HeldWrites writes = new HeldWrites();
        handler = new QuicCloseHandler();
        ch = channel(writes, handler, recorder);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        io.netty.channel.ChannelFuture first = ch.pipeline().close();
        io.netty.channel.ChannelFuture second = ch.pipeline().close();
        assertEquals(1, writes.held.size());
        assertTrue(!first.isDone() && !second.isDone(), "the close waits for the close datagram's write");
        ch.pipeline().remove(handler);
        ch.runPendingTasks();
        assertTrue(first.isSuccess(), () -> "first close: " + first);
        assertTrue(second.isSuccess(), () -> "second close: " + second);
        assertTrue(!ch.isOpen());
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID));
    }

    @Test
    void aChannelCloseWaitingForAnUnfinishedWriteClosesAtItsTimeout() throws Exception {
        HeldWrites writes = new HeldWrites();
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .closeTimeout(java.time.Duration.ofMillis(500)).build());
        ch = channel(writes, handler, recorder);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        io.netty.channel.ChannelFuture closed = ch.pipeline().close();
        TestSupport.advance(ch, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500) - 1);
        assertTrue(!closed.isDone(), "not before the timeout");
        TestSupport.advance(ch, 1);
        assertTrue(closed.isSuccess(), () -> "close: " + closed);
        assertTrue(!ch.isOpen());
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID));
    }

    @Test
    void aHandlerAddedToAnActiveChannelClosesItsConnectionsWithTheChannel() throws Exception {
        ch = channel(recorder);
        handler = new QuicCloseHandler();
        ch.pipeline().addFirst(handler);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        assertTrue(ch.close().isSuccess());
        List<TestSupport.Sent> sent = TestSupport.drainOutbound(ch);
        assertEquals(1, sent.size());
        assertEquals(CLIENT, sent.get(0).sender());
        assertEquals(SERVER, sent.get(0).recipient());
        assertEquals(List.of("ended SENT", "freed"), lifecycle(SCID));
    }

    @Test
    void anAddressedEnvelopeThatIsNotADatagramPacketPassesOnUntouchedAndAReadOnlyDatagramIsConsumedOnce()
            throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.reject(CloseError.transport(
                        dev.quicj.core.TransportErrorCode.CONNECTION_REFUSED))).build());
        ch = channel(handler, recorder);
        byte[] initial = new Client(ODCID, SCID, new NetworkPath(TestSupport.OTHER_CLIENT, SERVER), now(ch))
                .firstInitial;
        // the same client Initial, as an envelope of another type: not the handler's
        io.netty.buffer.ByteBuf content = io.netty.buffer.ByteBufAllocator.DEFAULT.buffer().writeBytes(initial);
        io.netty.channel.DefaultAddressedEnvelope<io.netty.buffer.ByteBuf, java.net.InetSocketAddress> envelope =
                new io.netty.channel.DefaultAddressedEnvelope<>(content, SERVER, TestSupport.OTHER_CLIENT);
        ch.writeInbound(envelope);
        Object passed = ch.readInbound();
        try {
            assertTrue(passed == envelope, "passed on as it came");
            assertEquals(1, content.refCnt(), "neither released nor retained");
        } finally {
            ReferenceCountUtil.release(passed);
        }
        assertEquals(0, handler.connectionCount());
        assertEquals(List.of(), TestSupport.drainOutbound(ch));

        // as a DatagramPacket whose content is a read-only view: refused, consumed and released once
        io.netty.buffer.ByteBuf backing = io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer().writeBytes(initial);
        ch.writeInbound(new io.netty.channel.socket.DatagramPacket(backing.asReadOnly(), SERVER,
                TestSupport.OTHER_CLIENT));
        assertTrue(ch.readInbound() == null, "consumed");
        assertEquals(0, backing.refCnt(), "released by the handler");
        assertEquals(1, TestSupport.drainOutbound(ch).size());
        assertEquals(1, handler.connectionCount());
    }
}
