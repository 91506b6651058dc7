package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.common.EncryptionLevel;
import tech.kwik.core.frame.ConnectionCloseFrame;
import tech.kwik.core.frame.QuicFrame;
import tech.kwik.core.log.NullLogger;
import tech.kwik.core.packet.QuicPacket;

/**
 * Kwik 0.10.8 (pure Java, test scope only: LGPL) as a client of {@link RejectServer}, in QUIC version 1 and 2. Kwik
 * reports the close as a {@link ConnectionTerminatedEvent} (transport code, a formatted description with the reason)
 * and, through its logger, the received packet's encryption level and its CONNECTION_CLOSE frame, whose
 * {@code toString()} is {@code ConnectionCloseFrame[code|triggering frame type|reason]}.
 */
@Timeout(60)
class KwikPeerTest {
    private static final Pattern KWIK_FRAME = Pattern.compile("ConnectionCloseFrame\\[([0-9]+)\\|([0-9]+)\\|(.*)]");
    private static final Pattern DESCRIPTION_REASON = Pattern.compile("\\(([^()]*)\\)$");
    private static final long WAIT_SECONDS = 15;

    /** What the Kwik client reported. */
    record Seen(ConnectionTerminatedEvent event, EncryptionLevel level, ConnectionCloseFrame frame) {
    }

    private static Seen connect(RejectServer server, QuicConnection.QuicVersion version) throws Exception {
        BlockingQueue<ConnectionTerminatedEvent> ended = new LinkedBlockingQueue<>();
        BlockingQueue<Object[]> closeFrames = new LinkedBlockingQueue<>();
        NullLogger logger = new NullLogger() {
            @Override
            public void received(Instant time, int size, QuicPacket packet) {
                for (QuicFrame f : packet.getFrames()) {
                    if (f instanceof ConnectionCloseFrame) {
                        closeFrames.add(new Object[] {packet.getEncryptionLevel(), f});
                    }
                }
            }
        };
        QuicClientConnection client = QuicClientConnection.newBuilder()
                .uri(URI.create("https://127.0.0.1:" + server.localAddress().getPort()))
                .applicationProtocol("hq-interop").noServerCertificateCheck().version(version)
                .maxIdleTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(WAIT_SECONDS))
                .logger(logger).build();
        client.setConnectionListener(e -> {
            if (e.closedByPeer()) {
                ended.add(e);
            }
        });
        // connect() returns when the draining period (3 PTOs, about 3 s) is over
        Exception failure = assertThrows(Exception.class, client::connect, "a refused connection must not connect");
        ConnectionTerminatedEvent e = ended.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(e, "no ConnectionTerminatedEvent; connect failed with " + failure);
        Object[] f = closeFrames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(f, "Kwik logged no received CONNECTION_CLOSE frame");
        return new Seen(e, (EncryptionLevel) f[0], (ConnectionCloseFrame) f[1]);
    }

    private static void assertSeen(Seen s, long code, long frameType, String reason) {
        ConnectionTerminatedEvent e = s.event();
        assertEquals(ConnectionTerminatedEvent.CloseReason.ImmediateClose, e.closeReason());
        assertTrue(e.hasTransportError(), e::errorDescription);
        assertEquals(code, e.transportErrorCode());
        Matcher d = DESCRIPTION_REASON.matcher(e.errorDescription());
        if (reason.isEmpty()) {
            assertTrue(!d.find() || d.group(1).isEmpty(), e.errorDescription());
        } else {
            assertTrue(d.find(), e.errorDescription());
            assertEquals(reason, d.group(1), e.errorDescription());
        }
        assertEquals(EncryptionLevel.Initial, s.level());
        ConnectionCloseFrame f = s.frame();
        assertEquals(0x1c, f.getFrameType());
        assertEquals(code, f.getErrorCode());
        assertEquals(reason, f.hasReasonPhrase() ? f.getReasonPhrase() : "");
        Matcher m = KWIK_FRAME.matcher(f.toString());
        assertTrue(m.matches(), f.toString());
        assertEquals(Long.toString(frameType), m.group(2), "triggering frame type in " + f);
    }

    @ParameterizedTest
    @EnumSource(QuicConnection.QuicVersion.class)
    void kwikSeesConnectionRefusedServerBusyInAnInitialPacket(QuicConnection.QuicVersion version) throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            assertSeen(connect(server, version), TransportErrorCode.CONNECTION_REFUSED, 0, "server busy");
            assertEquals(1, server.refusedConnections());
        }
    }

    @ParameterizedTest
    @EnumSource(QuicConnection.QuicVersion.class)
    void kwikSeesTheTriggeringFrameType(QuicConnection.QuicVersion version) throws Exception {
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM)) {
            assertSeen(connect(server, version), 0xa, 0x08, "bad stream frame");
        }
    }

    @ParameterizedTest
    @EnumSource(QuicConnection.QuicVersion.class)
    void kwikSeesAnApplicationCloseAsApplicationError(QuicConnection.QuicVersion version) throws Exception {
        try (RejectServer server = TestPeers.server(CloseError.application(0x1234, "not in an Initial"))) {
            assertSeen(connect(server, version), TransportErrorCode.APPLICATION_ERROR, 0, "");
        }
    }
}
