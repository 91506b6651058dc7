package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.PreferredAddress;
import dev.quicj.core.tls.TransportParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the transport parameters an endpoint sent promise its peer ({@link QuicConnection#setLocalTransportParameters}):
 * the stream limits of RFC 9000 §4.6 (STREAM_LIMIT_ERROR) and, for a server, whether connection ID sequence number 1
 * was issued in a preferred_address (§5.1.1, §19.16). Stream IDs (§2.1): the low two bits are the type (0
 * client-initiated bidirectional, 1 server-initiated bidirectional, 2 client-initiated unidirectional, 3
 * server-initiated unidirectional), the rest the stream's number within its type.
 */
class LocalTransportParametersTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    /**
     * Two bidirectional and one unidirectional stream, with room for their data (initial_max_data and
     * initial_max_stream_data_* default to 0, and a byte beyond them is a FLOW_CONTROL_ERROR, StreamFlowControlTest).
     */
    private static final TransportParameters LIMITS = TransportParameters.builder().initialMaxStreamsBidi(2)
            .initialMaxStreamsUni(1).initialMaxData(1000).initialMaxStreamDataBidiRemote(100)
            .initialMaxStreamDataUni(100).build();

    private static QuicConnection connection(Role role, TransportParameters local) throws Exception {
        QuicConnection c = role == Role.CLIENT ? ConnectionFixtures.clientPostHandshake(NULL)
                : ConnectionFixtures.serverConfirmed(NULL);
        if (local != null) {
            c.setLocalTransportParameters(local);
        }
        return c;
    }

    private static ReceiveStatus receive(QuicConnection c, String frames) throws Exception {
        byte[] secret = c.role() == Role.CLIENT ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET;
        byte[] packet = ConnectionFixtures.peerShortPacket(NULL, secret, c.sourceConnectionId(), 0,
                Hex.decode(frames));
        return c.receive(ByteBuffer.wrap(packet), c.role() == Role.CLIENT ? CLIENT_PATH : SERVER_PATH, T0 + 1);
    }

    @ParameterizedTest(name = "{0} allowing 2 bidi and 1 uni streams receives {1}")
    @CsvSource({
        // §4.6: "An endpoint that receives a frame with a stream ID exceeding the limit it has sent MUST treat this
        // as a connection error of type STREAM_LIMIT_ERROR"
        "SERVER, 08 08 aa,          0x08",  // client bidi stream number 2: the third
        "SERVER, 0a 06 01 aa,       0x0a",  // client uni stream number 1: the second
        "SERVER, 04 08 00 00,       0x04",  // RESET_STREAM
        "SERVER, 05 08 00,          0x05",  // STOP_SENDING
        "SERVER, 11 08 00,          0x11",  // MAX_STREAM_DATA
        "SERVER, 15 06 00,          0x15",  // STREAM_DATA_BLOCKED
        "SERVER, 08 fffffffffffffffc aa, 0x08",  // the last client bidi stream ID, 2^62 - 4
        "CLIENT, 08 09 aa,          0x08",  // server bidi stream number 2
        "CLIENT, 08 07 aa,          0x08",  // server uni stream number 1
        // after frames that are fine, in the same packet
        "SERVER, 0a 04 01 aa 0a 02 01 aa 0a 0c 01 aa, 0x0a",
    })
    void aPeerStreamBeyondTheLimitIsAStreamLimitError(Role role, String frames, String frameType) throws Exception {
        QuicConnection c = connection(role, LIMITS);
        long largestBefore = c.largestReceived(EncryptionLevel.ONE_RTT);
        QuicException e = assertThrows(QuicException.class, () -> receive(c, frames));
        assertEquals(TransportErrorCode.STREAM_LIMIT_ERROR, e.errorCode());
        assertEquals(Long.decode(frameType), e.frameType());
        // before the packet had any effect
        assertEquals(largestBefore, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @ParameterizedTest(name = "{0} allowing 2 bidi and 1 uni streams receives {1}")
    @CsvSource({
        "SERVER, 08 00 aa",
        "SERVER, 08 04 aa",
        "SERVER, 0a 02 01 aa",
        "SERVER, 04 04 00 00",
        "SERVER, 15 02 00",
        "CLIENT, 08 01 aa",
        "CLIENT, 08 05 aa",
        "CLIENT, 08 03 aa",
    })
    void aPeerStreamWithinTheLimitIsTaken(Role role, String frames) throws Exception {
        assertEquals(ReceiveStatus.PROCESSED, receive(connection(role, LIMITS), frames));
    }

    @Test
    void withoutTheParametersAnyPeerStreamIsTaken() throws Exception {
        QuicConnection c = connection(Role.SERVER, null);
        assertNull(c.localTransportParameters());
        assertEquals(ReceiveStatus.PROCESSED, receive(c, "08 fffffffffffffffc aa"));
    }

    @Test
    void noStreamsAtAllWhenTheParametersOmitTheLimits() throws Exception {
        // initial_max_streams_bidi and _uni default to 0 (§18.2)
        QuicConnection c = connection(Role.SERVER, TransportParameters.builder().build());
        QuicException e = assertThrows(QuicException.class, () -> receive(c, "08 00 aa"));
        assertEquals(TransportErrorCode.STREAM_LIMIT_ERROR, e.errorCode());
    }

    @Test
    void aLocallyInitiatedStreamIsStillAStreamStateError() throws Exception {
        QuicException e = assertThrows(QuicException.class,
                () -> receive(connection(Role.SERVER, LIMITS), "08 01 aa"));
        assertEquals(TransportErrorCode.STREAM_STATE_ERROR, e.errorCode());
    }

    @Test
    void aServerWithoutPreferredAddressIssuedOnlySequenceNumberZero() throws Exception {
        // §5.1.1: sequence number 1 exists only in a preferred_address; §19.16: retiring one never issued is a
        // PROTOCOL_VIOLATION
        QuicConnection c = connection(Role.SERVER, LIMITS);
        QuicException e = assertThrows(QuicException.class, () -> receive(c, "19 01"));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(ReceiveStatus.PROCESSED, receive(connection(Role.SERVER, LIMITS), "19 00"));
    }

    @Test
    void aServerWithPreferredAddressIssuedSequenceNumberOne() throws Exception {
        TransportParameters withPreferred = TransportParameters.builder().preferredAddress(PreferredAddress.of(
                new InetSocketAddress("127.0.0.1", 4434), null, new byte[8], new byte[16])).build();
        QuicConnection c = connection(Role.SERVER, withPreferred);
        assertSame(withPreferred, c.localTransportParameters());
        assertEquals(ReceiveStatus.PROCESSED, receive(c, "19 01"));
        QuicException e = assertThrows(QuicException.class,
                () -> receive(connection(Role.SERVER, withPreferred), "19 02"));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    @Test
    void aServerWithAZeroLengthIdSendsNoPreferredAddress() throws Exception {
        // §18.2: "A server that chooses a zero-length connection ID MUST NOT provide a preferred address"
        QuicConnection s = QuicConnection.serverBuilder().version(dev.quicj.core.QuicVersion.V1)
                .sourceConnectionId(dev.quicj.core.ConnectionId.of(new byte[0])).path(SERVER_PATH).settings(NULL)
                .build(T0);
        assertThrows(IllegalArgumentException.class, () -> s.setLocalTransportParameters(TransportParameters.builder()
                .preferredAddress(PreferredAddress.of(new InetSocketAddress("127.0.0.1", 4434), null, new byte[8],
                        new byte[16])).build()));
        assertNull(s.localTransportParameters());
        s.setLocalTransportParameters(LIMITS);
        assertSame(LIMITS, s.localTransportParameters());
    }

    @Test
    void aClientDoesNotSendServerOnlyParameters() throws Exception {
        QuicConnection c = connection(Role.CLIENT, null);
        assertThrows(IllegalArgumentException.class, () -> c.setLocalTransportParameters(TransportParameters.builder()
                .statelessResetToken(new byte[16]).build()));
        assertNull(c.localTransportParameters());
        assertThrows(NullPointerException.class, () -> c.setLocalTransportParameters(null));
    }
}
