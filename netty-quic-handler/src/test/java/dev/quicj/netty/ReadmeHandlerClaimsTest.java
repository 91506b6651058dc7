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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Claims of README "The Netty handler: QuicCloseHandler" and of the javadoc of QuicCloseHandler,
 * QuicCloseHandlerConfig and AcceptPolicy that no other test checked directly (found by a documentation review).
 */
class ReadmeHandlerClaimsTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("0a0b0c0d0e0f1011");
    private static final ConnectionId SCID = ConnectionId.fromHex("a0a1a2a3a4a5a6a7");
    private static final ConnectionId ODCID2 = ConnectionId.fromHex("1a1b1c1d1e1f2021");
    private static final ConnectionId SCID2 = ConnectionId.fromHex("b0b1b2b3b4b5b6b7");
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED);

    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** README "What closes connections": "handler removed from an active channel | every live one | the configured default". */
    @Test
    void handlerRemovalClosesWithTheConfiguredDefaultError() throws Exception {
        QuicCloseHandler handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .defaultCloseError(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "bye")).build());
        ch = channel(handler);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        ch.pipeline().remove(handler);
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        assertClose(sent.get(0).initialClose(ODCID), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0,
                "bye");
    }

    /**
     * README: "When the handler is full (maxConnections), such an Initial [one that authenticates and carries the
     * client's own CONNECTION_CLOSE] is answered statelessly like any other".
     */
    @Test
    void aClientsCloseInitialIsAnsweredStatelesslyWhenTheHandlerIsFull() throws Exception {
        Order order = new Order();
        QuicCloseHandler handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.accept()).maxConnections(1).build());
        ch = channel(handler, order);
        Client first = new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(first.firstInitial, CLIENT, SERVER));
        assertEquals(1, handler.connectionCount());
        assertEquals(List.of(), drainOutbound(ch));

        Client closing = new Client(ODCID2, SCID2, new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, closing.connection.writeConnectionClose(null, null, out,
                CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0, "client gives up"), now(ch)));
        ch.writeInbound(datagram(Arrays.copyOf(out.array(), out.position()), OTHER_CLIENT, SERVER));
        DatagramPacket passed = ch.readInbound();
        ReferenceCountUtil.release(passed);
        assertNull(passed, "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size(), "answered statelessly");
        assertEquals(OTHER_CLIENT, sent.get(0).recipient());
        assertClose(sent.get(0).initialClose(ODCID2), CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0,
                "");
        assertEquals(1, handler.connectionCount(), "nothing kept");
    }

    /** README: "Exceptions are always passed on with ctx.fireExceptionCaught after the connections are closed." */
    @Test
    void exceptionsArePassedOnAfterTheConnectionsAreClosed() throws Exception {
        Order order = new Order();
        QuicCloseHandler handler = new QuicCloseHandler();
        ch = channel(handler, order);
        handler.addConnection(new Client(ODCID, SCID, new NetworkPath(CLIENT, SERVER), now(ch)).connection);
        RuntimeException boom = new RuntimeException("boom");
        ch.pipeline().fireExceptionCaught(boom);
        assertEquals(2, order.seen.size(), order.seen::toString);
        assertTrue(order.seen.get(0) instanceof QuicConnectionEndedEvent, order.seen::toString);
        assertEquals(boom, order.seen.get(1));
        QuicConnectionEndedEvent ended = (QuicConnectionEndedEvent) order.seen.get(0);
        assertEquals(TransportErrorCode.INTERNAL_ERROR, ended.error().errorCode());
        assertEquals(0, ended.error().reasonLength(), "no reason phrase");
        assertEquals(1, drainOutbound(ch).size());
    }

    /** The javadoc's argument checks: nulls are NullPointerExceptions, silent close types IllegalArgumentExceptions. */
    @Test
    void argumentChecks() throws Exception {
        assertThrows(NullPointerException.class, () -> new QuicCloseHandler(null));
        QuicCloseHandler handler = new QuicCloseHandler();
        assertThrows(NullPointerException.class, () -> handler.connection(null));
        assertThrows(NullPointerException.class, () -> handler.addConnection(null));
        assertThrows(NullPointerException.class, () -> AcceptPolicy.reject(null));
        assertThrows(NullPointerException.class, () -> AcceptPolicy.rejectStateless(null));
        assertThrows(NullPointerException.class, () -> AcceptPolicy.rejectStatelessUnauthenticated(null));
        for (CloseError silent : new CloseError[] {CloseError.idleClose(), CloseError.retry(),
                CloseError.dropConnection(), CloseError.versionNegotiation()}) {
            assertThrows(IllegalArgumentException.class, () -> AcceptPolicy.reject(silent));
            assertThrows(IllegalArgumentException.class, () -> AcceptPolicy.rejectStateless(silent));
            assertThrows(IllegalArgumentException.class, () -> AcceptPolicy.rejectStatelessUnauthenticated(silent));
            assertThrows(IllegalArgumentException.class,
                    () -> QuicCloseHandlerConfig.builder().defaultCloseError(silent));
        }
        assertThrows(NullPointerException.class, () -> QuicCloseHandlerConfig.builder().defaultCloseError(null));
        assertEquals(REFUSED, AcceptPolicy.rejectStateless(REFUSED).rejectError());
        assertEquals(AcceptPolicy.Action.REJECT_STATELESS,
                AcceptPolicy.rejectStatelessUnauthenticated(REFUSED).action());
        assertNull(AcceptPolicy.ignore().rejectError());
        // "Durations beyond Long.MAX_VALUE nanoseconds ... are taken as that"
        assertEquals(ChronoUnit.FOREVER.getDuration(), QuicCloseHandlerConfig.builder()
                .closeTimeout(ChronoUnit.FOREVER.getDuration()).build().closeTimeout());
        // application closes are a valid default ("a transport or application close")
        assertEquals(CloseError.application(7), QuicCloseHandlerConfig.builder()
                .defaultCloseError(CloseError.application(7)).build().defaultCloseError());
    }

    /** Records user events and exceptions in the order they arrive. */
    private static final class Order extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicConnectionEndedEvent) {
                seen.add(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add(cause);
        }
    }
}
