package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.InspectedFrame;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** ACK generation and validation: the ACK Delay of held packets (RFC 9000 §13.2.5), ACKs below the first packet number (§13.1). */
class AckRulesTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MS = 1_000_000L;

    /**
     * RFC 9000 §13.2.5: "endpoints SHOULD include buffering delays caused by unavailability of decryption keys". A
     * 1-RTT PING that arrives at T0 + 1 ms, before the handshake completed, is held (RFC 9001 §5.7) until T0 + 101 ms;
     * the ACK written at T0 + 102 ms must report the 101 ms since the packet arrived, not the 1 ms since it was
     * processed (ngtcp2 keeps each buffered packet's arrival time for its ACK tracker).
     */
    @Test
    void theAckDelayOfAHeldPacketCountsFromItsArrival() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithOneRttKeys(NULL);
        byte[] ping = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                new byte[] {0x01});
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(ping), CLIENT_PATH, T0 + MS));
        assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, c.lastDropReason());
        // a Handshake PING at T0 + 101 ms, then TLS reports the handshake complete
        PacketProtection hs = ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        byte[] hsPing = ConnectionFixtures.peerLongPacket(hs, LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0,
                new byte[] {0x01}, 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(hsPing), CLIENT_PATH, T0 + 101 * MS));
        c.handshakeCompleted();
        assertEquals(0, c.largestReceived(EncryptionLevel.ONE_RTT), "the held PING was processed");
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertTrue(c.writePacket(null, null, out, T0 + 102 * MS) > 0);
        out.flip();
        long field = ConnectionFixtures.inspect(out, ConnectionFixtures.Side.CLIENT, NULL).stream()
                .filter(p -> p.level() == EncryptionLevel.ONE_RTT)
                .flatMap(p -> p.frames(InspectedFrame.Ack.class).stream())
                .findFirst().orElseThrow().ackDelay();
        // default ack_delay_exponent 3: units of 8 microseconds
        assertEquals(101_000 >> 3, field, "ACK Delay in units of 8 us");
    }

    private static byte[] serverInitialPacket(long pn, String framesHex) throws Exception {
        PacketProtection p = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.serverSecret(QuicVersion.V1, ConnectionFixtures.CLIENT_ODCID.toByteArray()));
        return ConnectionFixtures.peerLongPacket(p, LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn,
                Hex.decode(framesHex), 0);
    }

    /**
     * RFC 9000 §13.1: "An endpoint SHOULD treat receipt of an acknowledgment for a packet it did not send as a
     * connection error of type PROTOCOL_VIOLATION, if it is able to detect the condition." A client whose packet
     * numbers start at 100 (Settings.initialPacketNumber) sent Initial 100 only; an ACK of 0..100 acknowledges 100
     * numbers it never sent, which it can tell as easily as one above the last sent. The refused packet changes
     * nothing.
     */
    @Test
    void anAckOfNumbersBelowTheFirstPacketNumberIsAProtocolViolation() throws Exception {
        Settings from100 = NULL.toBuilder().initialPacketNumber(100).build();
        QuicConnection c = ConnectionFixtures.clientBuilder(from100).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertEquals(101, c.nextPacketNumber(EncryptionLevel.INITIAL));
        // ACK: largest 100 (0x4064), delay 0, 0 more ranges, first range 100 (0x4064): 0..100
        byte[] ack = serverInitialPacket(0, "02 4064 00 00 4064");
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(ack), CLIENT_PATH, T0 + 10 * MS));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(-1, c.largestAcknowledged(EncryptionLevel.INITIAL));
        // the same ACK of 100 alone is fine
        QuicConnection d = ConnectionFixtures.clientBuilder(from100).build(T0);
        d.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        d.writePacket(null, null, ByteBuffer.allocate(1500), T0);
        assertEquals(ReceiveStatus.PROCESSED,
                d.receive(ByteBuffer.wrap(serverInitialPacket(0, "02 4064 00 00 00")), CLIENT_PATH, T0 + 10 * MS));
        assertEquals(100, d.largestAcknowledged(EncryptionLevel.INITIAL));
        // a client built after the server's first Initial continues numbers sent before it existed: not refused
        QuicConnection after = ConnectionFixtures.clientBuilder(from100).serverSourceConnectionId(SERVER_SCID)
                .build(T0);
        after.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        after.writePacket(null, null, ByteBuffer.allocate(1500), T0);
        assertEquals(ReceiveStatus.PROCESSED,
                after.receive(ByteBuffer.wrap(serverInitialPacket(0, "02 4064 00 00 4064")), CLIENT_PATH, T0 + MS));
        assertEquals(100, after.largestAcknowledged(EncryptionLevel.INITIAL));
    }
}
