package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.tls.ClientHello;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.tls.VersionInformation;

/** The TLS ClientHello the example clients send: real, with QUIC transport parameters a server will accept. */
final class ClientHellos {
    private ClientHellos() {
    }

    /** The transport parameters of an example client whose SCID is {@code scid}. */
    static TransportParameters clientParameters(QuicVersion version, ConnectionId scid) {
        // RFC 9369 §4: an endpoint that supports QUIC version 2 MUST send version_information (RFC 9368 §3); listing
        // only the Chosen Version (the Initial's version) asks for no compatible version negotiation
        return TransportParameters.builder()
                .versionInformation(VersionInformation.of(version.wireValue(), version.wireValue()))
                .initialSourceConnectionId(scid.toByteArray())
                .maxIdleTimeoutMillis(30_000)
                .maxUdpPayloadSize(1452)
                .initialMaxData(1 << 20)
                .initialMaxStreamDataBidiLocal(1 << 16)
                .initialMaxStreamDataBidiRemote(1 << 16)
                .initialMaxStreamDataUni(1 << 16)
                .initialMaxStreamsBidi(16)
                .initialMaxStreamsUni(16)
                .activeConnectionIdLimit(4)
                .build();
    }

    /**
     * The encoded ClientHello (a handshake message, ready for CRYPTO frames).
     *
     * @param serverName the SNI host name, or {@code null}
     * @param alpn the application protocols to offer
     */
    static byte[] encode(QuicVersion version, ConnectionId scid, String serverName, String... alpn) {
        ClientHello.Builder b = ClientHello.builder().applicationProtocols(alpn)
                .transportParameters(clientParameters(version, scid));
        if (serverName != null) {
            b.serverName(serverName);
        }
        return b.build().encode();
    }
}
