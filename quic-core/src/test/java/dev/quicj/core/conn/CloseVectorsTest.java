package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoProvider;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The byte-exact vectors V1, V2, V3 and V5 of close-spec §8.3, produced through the public API with the real (JCA)
 * packet protection: a client or server connection brought into the right state, or the stateless close.
 */
class CloseVectorsTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("8394c8f03e515708");
    private static final ConnectionId CLIENT_SCID = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId SERVER_SCID = ConnectionId.fromHex("f067a5502a4262b5");
    private static final NetworkPath CLIENT_PATH = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
            new InetSocketAddress("127.0.0.1", 443));
    private static final NetworkPath SERVER_PATH = new NetworkPath(CLIENT_PATH.remote(), CLIENT_PATH.local());
    private static final long T0 = 5_000_000_000L;

    /** A v1 client that sent its first Initial (pn 0) to DCID 8394c8f03e515708 from SCID 0102030405060708. */
    private static QuicConnection client() throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        return c;
    }

    /** A v1 server with SCID f067a5502a4262b5 that read that client's first Initial. */
    private static QuicConnection server() throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        c.writePacket(null, null, initial, T0);
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, SERVER_PATH, T0));
        return s;
    }

    private static byte[] close(QuicConnection c, CloseError e) {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, e, T0 + 1));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    @Test
    void v1ClientInitialCloseWithReasonFooIsPaddedTo1200() throws Exception {
        byte[] dg = close(client(), CloseError.transport(TransportErrorCode.NO_ERROR, "foo"));
        assertEquals(1200, dg.length);
        assertEquals("cf00000001088394c8f03e51570808010203040506070800800004941a763aabbf61e8adcee1dd9ca4327ce62563678a",
                Hex.encode(dg, 0, 48));
        assertEquals("ffe06ad457e5485cb7a51ad6edcef2078fbbf7c67af1b8963eae91a170d3f4d1", Hex.encode(dg, 1168, 32));
        assertEquals("02aeed2c22a08429453ca42013e990b96e204992187c893e2ed9c2bf2bf52cbf",
                Hex.encode(MessageDigest.getInstance("SHA-256").digest(dg)));
    }

    @Test
    void v2ServerInitialCloseWithTlsAlert40() throws Exception {
        String expected = "c90000000108010203040506070808f067a5502a4262b500800000165eb47111b11b80112bd88dd2f98af57c7fe008dc02b5";
        assertEquals(expected, Hex.encode(close(server(), CloseError.tlsAlert(40, null))));
    }

    @Test
    void v2IsAlsoWhatTheStatelessCloseWrites() {
        ByteBuffer dest = ByteBuffer.allocate(1200);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, ODCID, CLIENT_SCID, SERVER_SCID,
                CloseError.tlsAlert(40, null), CryptoProvider.jca()));
        assertEquals("c90000000108010203040506070808f067a5502a4262b500800000165eb47111b11b80112bd88dd2f98af57c7fe008dc02b5",
                Hex.encode(Arrays.copyOf(dest.array(), dest.position())));
    }

    @Test
    void v3ServerInitialApplicationCloseBecomesApplicationError() throws Exception {
        String expected = "c00000000108010203040506070808f067a5502a4262b500800000151bb43c39b19c5fa53d695144a08da3ee52c14846b2";
        assertEquals(expected, Hex.encode(close(server(), CloseError.application(0x1234, "not sent"))));
    }

    @Test
    void v3IsAlsoWhatTheStatelessCloseWritesForAnApplicationClose() {
        ByteBuffer dest = ByteBuffer.allocate(1200);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, ODCID, CLIENT_SCID, SERVER_SCID,
                CloseError.application(7, "x"), CryptoProvider.jca()));
        assertEquals("c00000000108010203040506070808f067a5502a4262b500800000151bb43c39b19c5fa53d695144a08da3ee52c14846b2",
                Hex.encode(Arrays.copyOf(dest.array(), dest.position())));
    }

    @Test
    void v5OneRttChaChaCloseOfConfirmedServer() throws Exception {
        QuicConnection s = server();
        byte[] secret = Hex.decode("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
        s.installTxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, secret);
        s.handshakeCompleted();
        assertEquals("5f01020304050607082c5f125111077647e30eccf99bd44f6ba59b38ab6d",
                Hex.encode(close(s, CloseError.transport(TransportErrorCode.NO_ERROR))));
    }
}
