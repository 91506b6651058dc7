package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** 0-RTT packets at a server that never accepts 0-RTT (RFC 9001 §4.6.2) and at a client (RFC 9000 §17.2.3). */
class ZeroRttDiscardTest {

    private static byte[] zeroRtt(QuicVersion v, ConnectionId dcid, ConnectionId scid, long pn, byte[] frames,
            int minLength) throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 0x55);
        PacketProtection p = CryptoProvider.jca().newPacketProtection(v, SUITE, secret);
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        if (!w.beginLong(b, 0, 1500, v, LongPacketType.ZERO_RTT, dcid, scid, null, pn,
                PacketNumber.encodedLength(pn, -1), p) || !w.writeFrameBytes(frames, 0, frames.length)) {
            throw new AssertionError();
        }
        return Arrays.copyOf(b.array(), w.finish(minLength));
    }

    private static byte[] clientInitial(QuicVersion v) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(v).originalDestinationConnectionId(CLIENT_ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).build(T0);
        c.submitCryptoData(dev.quicj.core.EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, b, T0);
        return Arrays.copyOf(b.array(), n);
    }

    /**
     * Initial + 0-RTT (with frames Table 3 forbids in 0-RTT: ACK, CRYPTO, NEW_TOKEN, HANDSHAKE_DONE) coalesced: the
     * Initial is processed, the 0-RTT packet discarded without error (a server rejecting 0-RTT "MUST NOT process any
     * 0-RTT packets"), and every byte counts toward the amplification limit (RFC 9000 §8.1); so does a later 0-RTT-only
     * datagram to the original DCID.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void serverDiscardsZeroRttAndCountsItsBytes(QuicVersion v) throws Exception {
        byte[] initial = clientInitial(v);
        byte[] early = zeroRtt(v, CLIENT_ODCID, CLIENT_SCID, 0, new byte[] {0x1e, 0x02, 0x00, 0x00, 0x00, 0x00}, 0);
        byte[] dg = new byte[initial.length + early.length];
        System.arraycopy(initial, 0, dg, 0, initial.length);
        System.arraycopy(early, 0, dg, initial.length, early.length);
        QuicConnection s = QuicConnection.serverBuilder().version(v).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        assertEquals(DropReason.NO_KEYS, s.lastDropReason());
        assertEquals(dg.length, s.pathBytesReceived());
        byte[] alone = zeroRtt(v, CLIENT_ODCID, CLIENT_SCID, 1, new byte[] {0x07, 0x01, 0x00}, 1200);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(alone), SERVER_PATH, T0));
        assertEquals(dg.length + alone.length, s.pathBytesReceived());
    }

    /** A client discards any 0-RTT packet (servers never send them). */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void clientDiscardsZeroRtt(QuicVersion v) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(v).originalDestinationConnectionId(CLIENT_ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).build(T0);
        c.submitCryptoData(dev.quicj.core.EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        c.writePacket(null, null, ByteBuffer.allocate(1500), T0);
        byte[] early = zeroRtt(v, CLIENT_SCID, SERVER_SCID, 0, new byte[] {0x1c, 0x00, 0x00, 0x00}, 0);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(early), CLIENT_PATH, T0));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }
}
