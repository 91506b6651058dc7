package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stream frames a peer may not send for a stream (RFC 9000 §19.4, §19.5, §19.8, §19.10, §19.13), each a
 * connection error STREAM_STATE_ERROR carrying the frame's type, thrown before the packet has any effect. Stream IDs
 * (§2.1): 0 client-initiated bidirectional, 1 server-initiated bidirectional, 2 client-initiated unidirectional, 3
 * server-initiated unidirectional. This core opens no stream, so every locally initiated stream "has not yet been
 * created".
 */
class StreamFrameDirectionTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /** A connection of {@code role} whose handshake completed, and a 1-RTT packet to it from its peer. */
    private static ReceiveStatus receive(Role role, String frames) throws Exception {
        QuicConnection c = connection(role);
        return c.receive(ByteBuffer.wrap(packetTo(c, frames)), role == Role.CLIENT ? CLIENT_PATH : SERVER_PATH,
                T0 + 1);
    }

    private static QuicConnection connection(Role role) throws Exception {
        return role == Role.CLIENT ? ConnectionFixtures.clientPostHandshake(NULL)
                : ConnectionFixtures.serverConfirmed(NULL);
    }

    private static byte[] packetTo(QuicConnection c, String frames) throws Exception {
        byte[] secret = c.role() == Role.CLIENT ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET;
        return ConnectionFixtures.peerShortPacket(NULL, secret, c.sourceConnectionId(), 0, Hex.decode(frames));
    }

    @ParameterizedTest(name = "{0} receives {1}")
    @CsvSource({
        // §19.8: "An endpoint MUST terminate the connection with error STREAM_STATE_ERROR if it receives a STREAM
        // frame for a locally initiated stream that has not yet been created, or for a send-only stream."
        "CLIENT, 08 00 aabb,            0x08",  // client-initiated bidirectional, never opened
        "CLIENT, 0f 02 05 01 aa,        0x0f",  // client-initiated unidirectional: send-only
        "SERVER, 0a 01 02 aabb,         0x0a",  // server-initiated bidirectional, never opened
        "SERVER, 09 03,                 0x09",  // server-initiated unidirectional: send-only
        "SERVER, 08 ffffffffffffffff,   0x08",  // the last stream ID, 2^62 - 1: server-initiated unidirectional
        // §19.4: "An endpoint that receives a RESET_STREAM frame for a send-only stream MUST terminate the
        // connection with error STREAM_STATE_ERROR."
        "CLIENT, 04 02 00 00,           0x04",
        "SERVER, 04 03 00 00,           0x04",
        // §19.13: the same for STREAM_DATA_BLOCKED
        "CLIENT, 15 02 00,              0x15",
        "SERVER, 15 03 00,              0x15",
        // §19.5: STOP_SENDING "for a locally initiated stream that has not yet been created" or "for a receive-only
        // stream"
        "CLIENT, 05 00 00,              0x05",
        "CLIENT, 05 02 00,              0x05",
        "CLIENT, 05 03 00,              0x05",  // server-initiated unidirectional: receive-only at the client
        "SERVER, 05 01 00,              0x05",
        "SERVER, 05 03 00,              0x05",
        "SERVER, 05 02 00,              0x05",  // client-initiated unidirectional: receive-only at the server
        // §19.10: the same for MAX_STREAM_DATA
        "CLIENT, 11 00 00,              0x11",
        "CLIENT, 11 02 00,              0x11",
        "CLIENT, 11 03 00,              0x11",
        "SERVER, 11 01 00,              0x11",
        "SERVER, 11 03 00,              0x11",
        "SERVER, 11 02 00,              0x11",
        // after frames that are fine, in the same packet
        "CLIENT, 01 0a 01 01 aa 05 03 00, 0x05",
    })
    void aStreamFrameThePeerMayNotSendIsAStreamStateError(Role role, String frames, String frameType)
            throws Exception {
        QuicConnection c = connection(role);
        byte[] dg = packetTo(c, frames);
        NetworkPath path = role == Role.CLIENT ? CLIENT_PATH : SERVER_PATH;
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), path, T0 + 1));
        assertEquals(TransportErrorCode.STREAM_STATE_ERROR, e.errorCode(), e.toString());
        assertEquals(Long.decode(frameType), e.frameType());
        // no effect: the packet was not recorded as received
        assertEquals(-1, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @ParameterizedTest(name = "{0} receives {1}")
    @CsvSource({
        // STREAM on a stream the peer opened, either direction
        "CLIENT, 08 01 aabb",
        "CLIENT, 0b 03 01 aa",
        "SERVER, 0c 00 05 aa",
        "SERVER, 0e 02 05 01 aa",
        "CLIENT, 08 ffffffffffffffff",  // 2^62 - 1: server-initiated unidirectional, the server's to open
        // RESET_STREAM and STREAM_DATA_BLOCKED on anything but a send-only stream (the RFC says nothing of a locally
        // initiated bidirectional stream not yet created)
        "CLIENT, 04 00 00 00",
        "CLIENT, 04 01 00 00",
        "CLIENT, 04 03 00 00",
        "SERVER, 04 00 00 00",
        "SERVER, 04 01 00 00",
        "SERVER, 04 02 00 00",
        "CLIENT, 15 01 00",
        "SERVER, 15 02 00",
        // STOP_SENDING and MAX_STREAM_DATA on a bidirectional stream the peer opened
        "CLIENT, 05 01 00",
        "CLIENT, 11 01 00",
        "SERVER, 05 00 00",
        "SERVER, 11 00 00",
    })
    void theStreamFramesThePeerMaySendAreTaken(Role role, String frames) throws Exception {
        assertEquals(ReceiveStatus.PROCESSED, receive(role, frames));
    }
}
