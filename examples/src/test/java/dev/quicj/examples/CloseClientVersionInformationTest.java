package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.tls.ClientHelloInfo;
import dev.quicj.core.tls.VersionInformation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 9369 §4: "Any QUIC endpoint that supports QUIC version 2 MUST send, process, and validate the
 * version_information transport parameter specified in [QUIC-VN] to prevent version downgrade attacks."
 * close-client supports version 2 ({@code --version 2}), so the ClientHello of its first Initial must carry
 * version_information, with the Chosen Version equal to the Initial's version and listed among the Available
 * Versions (RFC 9368 §3, §4).
 */
class CloseClientVersionInformationTest {
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void closeClientsFirstInitialCarriesVersionInformation(QuicVersion version) throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            TestPeers.Capture out = new TestPeers.Capture();
            CloseClient.Result r = CloseClient.run(server.localAddress(), TestPeers.BAD_STREAM, version,
                    Duration.ofMillis(300), out.stream);
            byte[] first = r.sent().get(0);
            InspectedPacket p = TestPeers.onlyPacket(first, r.originalDcid());
            ByteArrayOutputStream hello = new ByteArrayOutputStream();
            for (InspectedFrame.Crypto c : p.frames(InspectedFrame.Crypto.class)) {
                assertEquals(hello.size(), c.offset());
                hello.write(c.data());
            }
            ClientHelloInfo info = ClientHelloInfo.decode(ByteBuffer.wrap(hello.toByteArray()));
            Optional<VersionInformation> vi = info.transportParameters().versionInformation();
            assertTrue(vi.isPresent(), () -> version + ": the client's transport parameters have no "
                    + "version_information: " + info.transportParameters());
            assertEquals(version.wireValue(), vi.get().chosenVersion(), vi.get()::toString);
            assertTrue(vi.get().availableVersions().contains(version.wireValue()), vi.get()::toString);
        }
    }
}
