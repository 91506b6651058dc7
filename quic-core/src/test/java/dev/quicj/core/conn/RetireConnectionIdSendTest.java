package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameDecoder;
import dev.quicj.core.wire.FrameVisitor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §5.1.2: a connection ID the peer retires with Retire Prior To is retired "with RETIRE_CONNECTION_ID
 * frames", and §19.15: one issued below an earlier Retire Prior To needs "a corresponding RETIRE_CONNECTION_ID frame
 * that retires the newly received connection ID". The frames go in the next 1-RTT packet {@code writePacket} writes
 * (sent once: this core has no loss recovery). Null crypto: the 1-RTT packet's header and payload are read as plain
 * bytes here (no header-protection mask, a tag of 16 zero bytes).
 */
class RetireConnectionIdSendTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final int TAG = 16;

    private static void receive(QuicConnection c, long pn, String frames) throws Exception {
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, pn, Hex.decode(frames));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 100 * (pn + 1)));
    }

    /** What the 1-RTT packet of a datagram says: its DCID and the sequence numbers of its RETIRE_CONNECTION_IDs. */
    private record OneRtt(ConnectionId dcid, List<Long> retired) {
    }

    /** Writes a datagram and reads its 1-RTT packet (the last one; a short header runs to the datagram's end). */
    private static OneRtt write(QuicConnection c, long now) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, out, now);
        assertTrue(n > 0, "nothing written");
        byte[] b = Arrays.copyOf(out.array(), n);
        int at = 0;
        while ((b[at] & 0x80) != 0) {
            // a long header: skip it by its Length field (RFC 9000 §17.2), Handshake packets here
            int p = at + 5;
            p += 1 + (b[p] & 0xff);
            p += 1 + (b[p] & 0xff);
            int lengthBytes = 1 << ((b[p] & 0xff) >>> 6);
            long length = b[p] & 0x3f;
            for (int i = 1; i < lengthBytes; i++) {
                length = length << 8 | (b[p + i] & 0xff);
            }
            at = p + lengthBytes + (int) length;
        }
        int dcidLength = c.destinationConnectionId().length();
        ConnectionId dcid = ConnectionId.of(Arrays.copyOfRange(b, at + 1, at + 1 + dcidLength));
        int pnLength = (b[at] & 0x03) + 1;
        int payloadStart = at + 1 + dcidLength + pnLength;
        List<Long> retired = new ArrayList<>();
        new FrameDecoder().decode(ByteBuffer.wrap(b, payloadStart, n - TAG - payloadStart), EncryptionLevel.ONE_RTT,
                new FrameVisitor() {
                    @Override
                    public void retireConnectionId(long sequenceNumber) {
                        retired.add(sequenceNumber);
                    }
                });
        return new OneRtt(dcid, retired);
    }

    @Test
    void theIdsARetirePriorToRetiresAreRetiredInTheNextPacketToTheNewId() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(4);
        receive(c, 0, ConnectionFixtures.newConnectionIdFrame(1, 0) + ConnectionFixtures.newConnectionIdFrame(2, 2));
        OneRtt p = write(c, T0 + 150);
        assertEquals(List.of(0L, 1L), p.retired());
        assertEquals(ConnectionFixtures.issuedId(2), p.dcid());
        // sent once, and nothing else is pending
        ByteBuffer again = ByteBuffer.allocate(1500);
        assertEquals(0, c.writePacket(null, null, again, T0 + 151));
    }

    @Test
    void anIdIssuedBelowAnEarlierRetirePriorToIsRetiredOnce() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(4);
        receive(c, 0, ConnectionFixtures.newConnectionIdFrame(3, 3));
        assertEquals(List.of(0L), write(c, T0 + 150).retired());
        // sequence 2 arrives late, twice (a retransmission): one RETIRE_CONNECTION_ID
        receive(c, 1, ConnectionFixtures.newConnectionIdFrame(2, 0) + ConnectionFixtures.newConnectionIdFrame(2, 0));
        receive(c, 2, ConnectionFixtures.newConnectionIdFrame(2, 0));
        assertEquals(List.of(2L), write(c, T0 + 350).retired());
    }

    @Test
    void nothingIsRetiredWhileNoRetirePriorToRose() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(4);
        receive(c, 0, ConnectionFixtures.newConnectionIdFrame(1, 0) + ConnectionFixtures.newConnectionIdFrame(2, 0));
        assertEquals(List.of(), write(c, T0 + 150).retired());
    }

    @Test
    void anIdPastTheStorageBoundIsRetiredNotForgotten() throws Exception {
        // no local parameters: at most 8 IDs kept (0 and 1..7); the 8th issued is retired at once (§5.1.2: "MUST NOT
        // forget a connection ID without retiring it")
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        StringBuilder frames = new StringBuilder();
        for (int s = 1; s <= PeerConnectionIds.MAX_TRACKED_UNKNOWN_LIMIT; s++) {
            frames.append(ConnectionFixtures.newConnectionIdFrame(s, 0));
        }
        receive(c, 0, frames.toString());
        assertEquals(List.of((long) PeerConnectionIds.MAX_TRACKED_UNKNOWN_LIMIT), write(c, T0 + 150).retired());
    }

    @Test
    void tooManyRetirementsWaitingIsAConnectionIdLimitError() throws Exception {
        // §5.1.2: it "MAY choose to treat having connection IDs in need of retirement that exceed this limit as a
        // connection error of type CONNECTION_ID_LIMIT_ERROR"; the limit here is max(16, 2 x 2)
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        receive(c, 0, ConnectionFixtures.newConnectionIdFrame(100, 100));
        StringBuilder late = new StringBuilder();
        for (int s = 1; s < PeerConnectionIds.MIN_PENDING_RETIREMENTS; s++) {
            late.append(ConnectionFixtures.newConnectionIdFrame(s, 0));
        }
        // sequence 0 and 15 late ones: 16 waiting, the most allowed
        receive(c, 1, late.toString());
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 2,
                Hex.decode(ConnectionFixtures.newConnectionIdFrame(PeerConnectionIds.MIN_PENDING_RETIREMENTS, 0)));
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 300));
        assertEquals(TransportErrorCode.name(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR),
                TransportErrorCode.name(e.errorCode()), e.toString());
        // once sent, they no longer wait
        QuicConnection d = ConnectionFixtures.clientWithConnectionIdLimit(2);
        receive(d, 0, ConnectionFixtures.newConnectionIdFrame(100, 100));
        receive(d, 1, late.toString());
        assertEquals(PeerConnectionIds.MIN_PENDING_RETIREMENTS, write(d, T0 + 250).retired().size());
        receive(d, 2, ConnectionFixtures.newConnectionIdFrame(PeerConnectionIds.MIN_PENDING_RETIREMENTS, 0));
        assertEquals(List.of((long) PeerConnectionIds.MIN_PENDING_RETIREMENTS), write(d, T0 + 350).retired());
    }
}
