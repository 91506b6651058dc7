package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.InitialSecrets;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What a connection keeps once it closed: RFC 9000 §10.2 lets it discard everything but what identifies its packets,
 * and a server refusing a flood holds many closing connections at once. Sending state goes; receiving keeps working.
 */
class ClosedStateTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "busy");

    private static QuicConnection closedServer() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 1));
        return s;
    }

    /** A client Initial to the fixture server carrying {@code framesHex}, padded to 1200 bytes. */
    private static byte[] clientInitial(long pn, String framesHex) throws Exception {
        return ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, InitialSecrets.clientSecret(QuicVersion.V1,
                        CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, SERVER_SCID, CLIENT_SCID, pn, Hex.decode(framesHex), 1200);
    }

    @Test
    void closingDropsTheKeysAndTheSendState() throws Exception {
        QuicConnection s = closedServer();
        assertTrue(s.isInClosingPeriod());
        assertNull(s.initial.tx, "Initial transmit key");
        assertNull(s.initial.rx, "Initial receive key");
        assertFalse(s.initial.discarded, "the space itself stays");
        assertEquals(-1, s.initial.sentTime(0), "sent-packet log");
        assertEquals(0, s.initial.crypto.unsent());
    }

    @Test
    void aClosingConnectionStillCountsWhatArrivesWithoutItsKeys() throws Exception {
        QuicConnection s = closedServer();
        long budgetBefore = s.amplificationBudget();
        byte[] close = clientInitial(1, "1c" + "00" + "00" + "00");
        // RFC 9000 §10.2.1: a closing endpoint does not process what arrives (ngtcp2 does not decrypt either)
        assertEquals(ReceiveStatus.CLOSING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 2));
        assertTrue(s.isInClosingPeriod());
        assertNull(s.peerCloseError());
        assertEquals(REFUSED, s.localCloseError());
        assertEquals(budgetBefore + 3L * close.length, s.amplificationBudget());
    }

    @Test
    void aClosedConnectionWritesNothingMore() throws Exception {
        QuicConnection s = closedServer();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
        assertEquals(0, dest.position());
        assertThrows(IllegalStateException.class, () -> s.writePacket(null, null, dest, T0 + 2));
        assertThrows(IllegalStateException.class,
                () -> s.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1}));
    }

    @Test
    void keysInstalledAfterTheCloseAreAcceptedButNotKept() throws Exception {
        // ngtcp2 accepts them too; a TLS layer may deliver secrets after the peer's close
        QuicConnection s = closedServer();
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        assertNull(s.handshake.tx);
        assertNull(s.application.rx);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
        // bad arguments are still refused
        assertThrows(IllegalArgumentException.class, () -> s.installTxKey(EncryptionLevel.INITIAL,
                ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET));
        assertThrows(IllegalArgumentException.class, () -> s.installRxKey(EncryptionLevel.HANDSHAKE,
                ConnectionFixtures.SUITE, new byte[31]));
    }

    @Test
    void aDrainingConnectionDropsItsKeysToo() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        byte[] close = clientInitial(1, "1c" + "00" + "00" + "00");
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 1));
        assertNull(s.initial.tx);
        assertNull(s.initial.rx);
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 2));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
    }

    @Test
    void receivedRangesGrowPastTheirFirstArraysAndForgetOnlyBeyondTheLimit() {
        ReceivedPackets r = new ReceivedPackets();
        // every other packet number: one range each, newest first
        int ranges = ReceivedPackets.MAX_RANGES + 5;
        for (int i = 0; i < ranges; i++) {
            r.add(2L * i);
        }
        assertEquals(ReceivedPackets.MAX_RANGES, r.rangeCount());
        long newest = 2L * (ranges - 1);
        assertEquals(newest, r.largest());
        for (int i = 0; i < ReceivedPackets.MAX_RANGES; i++) {
            assertEquals(newest - 2L * i, r.high(i));
            assertEquals(newest - 2L * i, r.low(i));
        }
        // the five oldest were forgotten and count as received; the gaps above them do not
        assertTrue(r.contains(0));
        assertTrue(r.contains(8));
        assertFalse(r.contains(9));
        assertFalse(r.contains(11));
        // filling a gap joins two ranges
        r.add(newest - 1);
        assertEquals(ReceivedPackets.MAX_RANGES - 1, r.rangeCount());
        assertEquals(newest - 2, r.low(0));
    }
}
