package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.tls.VersionInformation;
import dev.quicj.core.wire.FrameType;
import org.junit.jupiter.api.Test;

/**
 * RFC 9368 §4: the peer's version_information, checked by {@link QuicConnection#checkPeerTransportParameters} against
 * the version in use (this core never switches versions, so the Negotiated Version is the connection's).
 */
class PeerVersionInformationTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final int V1 = QuicVersion.V1.wireValue();
    private static final int V2 = QuicVersion.V2.wireValue();

    /** A v1 client that sent its first Initial and processed the server's first Initial. */
    private static QuicConnection clientThatHeardFromTheServer() throws Exception {
        return ConnectionFixtures.clientAfterServerInitial(NULL, SERVER_SCID, "01");
    }

    private static TransportParameters.Builder fromServer() {
        return TransportParameters.builder().initialSourceConnectionId(SERVER_SCID.toByteArray())
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray());
    }

    /**
     * "the server MUST validate that the client's Chosen Version matches the version in use for the connection. If the
     * two differ, the server MUST close the connection with a version negotiation error."
     */
    @Test
    void aServerRefusesAClientChosenVersionOtherThanTheVersionInUse() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        assertEquals(QuicVersion.V1, s.version());
        TransportParameters.Builder client = TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray());
        assertDoesNotThrow(() -> s.checkPeerTransportParameters(
                client.versionInformation(VersionInformation.of(V1, V1, V2)).build()));

        TransportParameters other = client.versionInformation(VersionInformation.of(V2, V2, V1)).build();
        QuicException e = assertThrows(QuicException.class, () -> s.checkPeerTransportParameters(other));
        assertEquals(TransportErrorCode.VERSION_NEGOTIATION_ERROR, e.errorCode());
        assertEquals(FrameType.CRYPTO, e.frameType());
    }

    /** "clients MUST validate that the server's Chosen Version is equal to the Negotiated Version". */
    @Test
    void aClientRefusesAServerChosenVersionOtherThanTheVersionInUse() throws Exception {
        QuicConnection c = clientThatHeardFromTheServer();
        assertDoesNotThrow(() -> c.checkPeerTransportParameters(
                fromServer().versionInformation(VersionInformation.of(V1, V1, V2)).build()));

        TransportParameters other = fromServer().versionInformation(VersionInformation.of(V2, V2, V1)).build();
        QuicException e = assertThrows(QuicException.class, () -> c.checkPeerTransportParameters(other));
        assertEquals(TransportErrorCode.VERSION_NEGOTIATION_ERROR, e.errorCode());
    }

    /** Without version_information there is nothing to compare; the connection-ID checks still come first. */
    @Test
    void absentVersionInformationIsAcceptedAndConnectionIdChecksComeFirst() throws Exception {
        QuicConnection c = clientThatHeardFromTheServer();
        assertDoesNotThrow(() -> c.checkPeerTransportParameters(fromServer().build()));
        TransportParameters wrongIdAndVersion = TransportParameters.builder()
                .initialSourceConnectionId(new byte[] {1, 2, 3})
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray())
                .versionInformation(VersionInformation.of(V2, V2)).build();
        QuicException e = assertThrows(QuicException.class, () -> c.checkPeerTransportParameters(wrongIdAndVersion));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, e.errorCode());
    }
}
