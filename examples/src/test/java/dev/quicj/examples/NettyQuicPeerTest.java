package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QLogConfiguration;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicChannelOption;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty's own QUIC codec (quiche and BoringSSL over JNI) as a client of {@link RejectServer}. The codec reports the
 * peer's close as a {@link QuicConnectionCloseEvent} (0x1c or 0x1d, code, reason); quiche's qlog says in which packet
 * type (encryption level) the CONNECTION_CLOSE frame arrived. quiche does not report the triggering frame type.
 */
@Timeout(60)
class NettyQuicPeerTest {
    private static final long WAIT_SECONDS = 15;
    // one quiche qlog event line with a received CONNECTION_CLOSE frame
    private static final Pattern QLOG_CLOSE = Pattern.compile("\"name\":\"quic:packet_received\".*?\"packet_type\":\""
            + "([a-z0-9_]+)\".*?\\{\"frame_type\":\"connection_close\",\"error_space\":\"([a-z_]+)\"[^}]*?"
            + "\"error_code\":([0-9]+)(?:,\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\")?");

    private EventLoopGroup group;

    @TempDir
    Path dir;

    @BeforeEach
    void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void stopGroup() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What the quiche client reported. */
    record Seen(QuicConnectionCloseEvent event, byte[] reason, String qlog, Throwable connectFailure) {
    }

    /** Connects a Netty QUIC client to the server, which refuses; returns the client's close event and qlog. */
    private Seen connect(RejectServer server) throws Exception {
        QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols("hq-interop").build();
        Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new QuicClientCodecBuilder().sslContext(ssl).maxIdleTimeout(5, TimeUnit.SECONDS)
                        .initialMaxData(1 << 20).initialMaxStreamDataBidirectionalLocal(1 << 16).build())
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try {
            BlockingQueue<QuicConnectionCloseEvent> events = new LinkedBlockingQueue<>();
            Path qlog = dir.resolve("client-" + System.nanoTime() + ".qlog");
            Future<QuicChannel> connect = QuicChannel.newBootstrap(udp)
                    .option(QuicChannelOption.QLOG, new QLogConfiguration(qlog.toString(), "reject", "netty client"))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof QuicConnectionCloseEvent) {
                                events.add((QuicConnectionCloseEvent) evt);
                            }
                            ctx.fireUserEventTriggered(evt);
                        }
                    })
                    .streamHandler(new ChannelInboundHandlerAdapter())
                    .remoteAddress(server.localAddress())
                    .connect();
            QuicConnectionCloseEvent event = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(event, "no QuicConnectionCloseEvent within " + WAIT_SECONDS + " s");
            byte[] reason;
            try {
                reason = event.reason();
            } catch (NullPointerException e) {
                // Netty 4.2.18: reason() clones a null array when the peer sent an empty reason phrase
                reason = new byte[0];
            }
            // closing the socket ends the draining connection at once (quiche flushes its qlog) and fails the connect
            udp.close().sync();
            assertTrue(connect.await(WAIT_SECONDS, TimeUnit.SECONDS), "the connect attempt did not end");
            assertFalse(connect.isSuccess(), "a refused connection must not complete its handshake");
            // quiche writes the qlog out when it frees the connection, after the channel closed
            String text = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (qlogCloses(text).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                text = Files.exists(qlog) ? Files.readString(qlog, StandardCharsets.UTF_8) : "";
            }
            return new Seen(event, reason, text, connect.cause());
        } finally {
            udp.close().sync();
        }
    }

    /** The CONNECTION_CLOSE frames quiche logged as received: packet type, error space, code, reason. */
    static List<String[]> qlogCloses(String qlog) {
        List<String[]> out = new ArrayList<>();
        for (String line : qlog.split("\n")) {
            Matcher m = QLOG_CLOSE.matcher(line);
            if (m.find()) {
                out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4) == null ? "" : m.group(4)});
            }
        }
        return out;
    }

    private static void assertSeen(Seen s, long code, String reason) {
        QuicConnectionCloseEvent e = s.event();
        assertFalse(e.isApplicationClose(), "quiche saw a 0x1d frame: " + e);
        assertEquals(code, e.error(), e::toString);
        assertArrayEquals(reason.getBytes(StandardCharsets.UTF_8), s.reason(), e::toString);
        List<String[]> closes = qlogCloses(s.qlog());
        assertFalse(closes.isEmpty(), () -> "no received connection_close in quiche's qlog:\n" + s.qlog());
        String[] c = closes.get(0);
        assertEquals("initial", c[0], "packet type");
        assertEquals("transport", c[1], "error space (frame 0x1c)");
        assertEquals(Long.toString(code), c[2], "error code");
        assertEquals(reason, c[3], "reason");
    }

    @Test
    void quicheClientSeesConnectionRefusedServerBusyInAnInitialPacket() throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Seen s = connect(server);
            assertSeen(s, TransportErrorCode.CONNECTION_REFUSED, "server busy");
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void quicheClientSeesAnotherCodeAndReason() throws Exception {
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM)) {
            assertSeen(connect(server), 0xa, "bad stream frame");
        }
    }

    @Test
    void quicheClientSeesAnEmptyReason() throws Exception {
        try (RejectServer server = TestPeers.server(CloseError.transport(TransportErrorCode.INTERNAL_ERROR))) {
            assertSeen(connect(server), TransportErrorCode.INTERNAL_ERROR, "");
        }
    }

    @Test
    void quicheClientSeesAnApplicationCloseAsApplicationError() throws Exception {
        try (RejectServer server = TestPeers.server(CloseError.application(0x1234, "not in an Initial"))) {
            assertSeen(connect(server), TransportErrorCode.APPLICATION_ERROR, "");
        }
    }
}
