package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.conn.Settings.QuicBitGreasing;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9287 (close-spec §4.2): once the peer's transport parameters advertised grease_quic_bit, a connection whose
 * greasing bit says so clears the QUIC bit (0x40) of every packet it sends; never before the parameters are known,
 * and never for a peer that did not advertise it.
 */
class QuicBitGreasingTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final TransportParameters GREASING_PEER = TransportParameters.builder().greaseQuicBit(true).build();
    private static final CloseError ERROR = CloseError.transport(TransportErrorCode.INTERNAL_ERROR, "grease");

    private static Settings greasing(QuicBitGreasing g) {
        return NULL.toBuilder().quicBitGreasing(g).build();
    }

    private interface Fixture {
        QuicConnection make(Settings settings) throws Exception;
    }

    private static ByteBuffer close(QuicConnection c) {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, ERROR, T0 + 1));
        dest.flip();
        return dest;
    }

    /**
     * The close of a connection made by {@code fixture} with {@link QuicBitGreasing#ALWAYS} and with
     * {@link QuicBitGreasing#NEVER} (null crypto: the bytes are otherwise the same), the peer advertising
     * grease_quic_bit or not: the datagrams differ exactly in the QUIC bit of each packet's first byte when it does.
     */
    private static void assertClearedInEveryPacket(Fixture fixture, Side side, int packets) throws Exception {
        for (boolean peerAllows : new boolean[] {true, false}) {
            QuicConnection always = fixture.make(greasing(QuicBitGreasing.ALWAYS));
            QuicConnection never = fixture.make(greasing(QuicBitGreasing.NEVER));
            if (peerAllows) {
                always.setPeerTransportParameters(GREASING_PEER);
                never.setPeerTransportParameters(GREASING_PEER);
            }
            ByteBuffer greased = close(always);
            ByteBuffer plain = close(never);
            List<InspectedPacket> inspected = ConnectionFixtures.inspect(plain.duplicate(), side, NULL,
                    never.destinationConnectionId().length());
            assertEquals(packets, inspected.size(), inspected.toString());
            List<Integer> starts = new ArrayList<>();
            for (InspectedPacket p : inspected) {
                starts.add(p.offset());
                assertEquals(0x40, plain.get(p.offset()) & 0x40, "the QUIC bit is set without greasing");
            }
            assertEquals(plain.remaining(), greased.remaining());
            for (int i = 0; i < plain.remaining(); i++) {
                int diff = (plain.get(i) ^ greased.get(i)) & 0xff;
                int expected = peerAllows && starts.contains(i) ? 0x40 : 0;
                assertEquals(expected, diff, "byte " + i + " of " + Hex.encode(greased.array(), 0,
                        greased.remaining()) + (peerAllows ? "" : " (the peer did not advertise it)"));
            }
        }
    }

    @Test
    void aConfirmedClientClearsTheQuicBitOfItsOneRttClose() throws Exception {
        assertClearedInEveryPacket(ConnectionFixtures::clientConfirmed, Side.CLIENT, 1);
    }

    @Test
    void aServerClearsItInEveryPacketOfACoalescedClose() throws Exception {
        // close-spec §2.3: an unconfirmed server with every key closes in Initial, Handshake and 1-RTT packets
        assertClearedInEveryPacket(ConnectionFixtures::serverAllKeys, Side.SERVER, 3);
    }

    @Test
    void beforeThePeersParametersAreKnownTheQuicBitIsSet() throws Exception {
        QuicConnection c = ConnectionFixtures.client(greasing(QuicBitGreasing.ALWAYS));
        ByteBuffer dg = close(c);
        assertEquals(1200, dg.remaining());
        assertEquals(0x40, dg.get(0) & 0x40);
        assertFalse(c.clearsQuicBit());
    }

    /**
     * As ngtcp2, which keeps a server's view of the client's transport parameters pending until its 1-RTT transmit
     * key is installed ({@code remote.pending_transport_params}; checked against libngtcp2 0.12.1 by
     * Libngtcp2CloseVectorsTest's {@code s-ih-*} cases): a server holding the client's parameters but only Initial and
     * Handshake keys writes its close with the QUIC bit set, even with {@link QuicBitGreasing#ALWAYS}, and clears it
     * once its 1-RTT transmit key is installed. A client's parameters take effect when set (they may be the
     * remembered ones of 0-RTT, which ngtcp2 applies at once): its Handshake close clears it.
     */
    @Test
    void aServerGreasesTheQuicBitOnlyOnceItsOneRttTransmitKeyIsInstalled() throws Exception {
        QuicConnection server = ConnectionFixtures.serverWithHandshakeKeys(greasing(QuicBitGreasing.ALWAYS));
        server.setPeerTransportParameters(GREASING_PEER);
        assertFalse(server.clearsQuicBit());
        ByteBuffer dg = close(server);
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dg.duplicate(), Side.SERVER, NULL,
                server.destinationConnectionId().length());
        assertEquals(2, packets.size(), packets.toString());
        for (InspectedPacket p : packets) {
            assertEquals(0x40, dg.get(p.offset()) & 0x40, "packet at " + p.offset());
        }
        QuicConnection later = ConnectionFixtures.serverWithHandshakeKeys(greasing(QuicBitGreasing.ALWAYS));
        later.setPeerTransportParameters(GREASING_PEER);
        later.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        assertTrue(later.clearsQuicBit());
        QuicConnection client = ConnectionFixtures.clientWithHandshakeKeys(greasing(QuicBitGreasing.ALWAYS));
        client.setPeerTransportParameters(GREASING_PEER);
        assertTrue(client.clearsQuicBit());
        ByteBuffer cdg = close(client);
        for (InspectedPacket p : ConnectionFixtures.inspect(cdg.duplicate(), Side.CLIENT, NULL,
                client.destinationConnectionId().length())) {
            assertEquals(0, cdg.get(p.offset()) & 0x40, "client packet at " + p.offset());
        }
    }

    @Test
    void randomGreasingDrawsOneBitPerConnection() throws Exception {
        // 64 connections all drawing the same value would happen once in 2^63 runs
        int cleared = 0;
        for (int i = 0; i < 64; i++) {
            QuicConnection c = ConnectionFixtures.clientConfirmed(greasing(QuicBitGreasing.RANDOM));
            c.setPeerTransportParameters(GREASING_PEER);
            ByteBuffer dg = close(c);
            boolean clearedHere = (dg.get(0) & 0x40) == 0;
            assertEquals(c.clearsQuicBit(), clearedHere);
            cleared += clearedHere ? 1 : 0;
        }
        assertTrue(cleared > 0 && cleared < 64, cleared + " of 64 connections cleared the QUIC bit");
        assertEquals(QuicBitGreasing.RANDOM, Settings.defaults().quicBitGreasing());
    }

    @Test
    void greaseQuicBitIsAZeroLengthTransportParameter() throws Exception {
        // RFC 9287 §3: ID 0x2ab2 (a two-byte varint, 6a b2), length 0
        assertEquals("6ab200", Hex.encode(GREASING_PEER.encode()));
        TransportParameters decoded = TransportParameters.decode(ByteBuffer.wrap(Hex.decode("6ab200")), Role.SERVER);
        assertTrue(decoded.greaseQuicBit());
        assertEquals(GREASING_PEER, decoded);
        assertTrue(GREASING_PEER.toString().contains("grease_quic_bit"));
        assertFalse(TransportParameters.builder().build().greaseQuicBit());
        // "with non-zero length MUST treat this as a connection error of type TRANSPORT_PARAMETER_ERROR"
        QuicException e = assertThrows(QuicException.class,
                () -> TransportParameters.decode(ByteBuffer.wrap(Hex.decode("6ab20101")), Role.CLIENT));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, e.errorCode());
        QuicException twice = assertThrows(QuicException.class,
                () -> TransportParameters.decode(ByteBuffer.wrap(Hex.decode("6ab2006ab200")), Role.CLIENT));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, twice.errorCode());
    }
}
