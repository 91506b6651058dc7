package dev.quicj.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.crypto.CipherSuite;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our ClientHello against an independent TLS 1.3 implementation: the JDK's own {@link SSLEngine} in server mode, with
 * a self-signed P-256 certificate that {@code keytool} makes for the test. The engine reads TLS records, so the
 * handshake message is wrapped in one (RFC 8446 §5.1); it ignores the unknown quic_transport_parameters extension.
 */
class JdkSslEngineInteropTest {
    private static final char[] PASSWORD = "quicj-test".toCharArray();
    private static final int CONTENT_TYPE_ALERT = 21;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;

    @TempDir
    static Path directory;

    private static SSLContext serverContext;

    @BeforeAll
    static void makeServerCertificate() throws Exception {
        Path keyStore = directory.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server",
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool timed out");
        assertEquals(0, process.exitValue(), output);

        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, PASSWORD);
        serverContext = SSLContext.getInstance("TLSv1.3");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
    }

    /** What a server engine made of one ClientHello. */
    private static final class ServerRun {
        final List<String> offeredProtocols = new ArrayList<>();
        final List<SNIServerName> requestedNames = new ArrayList<>();
        String selectedProtocol;
        SSLException failure;
        ByteBuffer output;
    }

    /** Feeds one ClientHello record to a fresh TLS 1.3 server engine and collects its first flight. */
    private static ServerRun serve(byte[] clientHello) throws Exception {
        ServerRun run = new ServerRun();
        SSLEngine engine = serverContext.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(SNIServerName name) {
                run.requestedNames.add(name);
                return true;
            }
        }));
        engine.setSSLParameters(parameters);
        engine.setHandshakeApplicationProtocolSelector((e, offered) -> {
            run.offeredProtocols.addAll(offered);
            return offered.contains("h3") ? "h3" : offered.get(0);
        });

        // TLSPlaintext { ContentType type = handshake (22); ProtocolVersion legacy_record_version = 0x0301;
        // uint16 length; opaque fragment }, RFC 8446 §5.1.
        ByteBuffer record = ByteBuffer.allocate(5 + clientHello.length);
        record.put((byte) CONTENT_TYPE_HANDSHAKE).putShort((short) 0x0301).putShort((short) clientHello.length)
                .put(clientHello).flip();
        ByteBuffer application = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        ByteBuffer network = ByteBuffer.allocate(4 * engine.getSession().getPacketBufferSize());

        engine.beginHandshake();
        try {
            engine.unwrap(record, application);
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
            for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                engine.wrap(ByteBuffer.allocate(0), network);
            }
        } catch (SSLException e) {
            run.failure = e;
            // After a failure the engine still owes the peer its alert.
            for (int i = 0; i < 8 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                try {
                    engine.wrap(ByteBuffer.allocate(0), network);
                } catch (SSLException again) {
                    break;
                }
            }
        }
        run.selectedProtocol = engine.getHandshakeApplicationProtocol();
        run.output = network.flip();
        return run;
    }

    @Test
    void jdkServerAnswersWithAServerHello() throws Exception {
        ClientHello hello = ClientHello.builder()
                .serverName("localhost")
                .applicationProtocols("h3", "hq-interop")
                .transportParameters(ClientHelloTest.clientParameters())
                .build();
        ServerRun run = serve(hello.encode());
        assertNull(run.failure, () -> "the JDK refused the ClientHello: " + run.failure);

        // The first record of the reply is a handshake record holding the ServerHello.
        ByteBuffer out = run.output;
        assertTrue(out.remaining() > 5, "the engine wrote nothing");
        assertEquals(CONTENT_TYPE_HANDSHAKE, out.get() & 0xff, "content type of the first record");
        assertEquals(0x0303, out.getShort() & 0xffff, "legacy_record_version");
        int length = out.getShort() & 0xffff;
        ByteBuffer fragment = out.slice();
        fragment.limit(length);
        TlsHandshakeReader reader = new TlsHandshakeReader();
        reader.add(fragment);
        HandshakeMessage message = reader.poll();
        assertNotNull(message, "the first record holds a complete handshake message");
        assertEquals(TlsCodepoints.SERVER_HELLO, message.type());

        ServerHelloInfo serverHello = ServerHelloInfo.decode(message);
        assertEquals(0x0304, serverHello.selectedVersion());
        assertTrue(ClientHello.cipherSuites().contains(serverHello.cipherSuite()), serverHello::toString);
        assertFalse(serverHello.isHelloRetryRequest(), "X25519 was offered with a key share, no retry needed");
        assertEquals(OptionalInt.of(TlsCodepoints.GROUP_X25519), serverHello.keyShareGroup());
        assertEquals(ClientHello.X25519_KEY_LENGTH, serverHello.keyShareKeyExchange().orElseThrow().length);

        assertEquals(List.of("h3", "hq-interop"), run.offeredProtocols);
        assertEquals("h3", run.selectedProtocol);
        assertEquals(List.of(new SNIHostName("localhost")), run.requestedNames);
    }

    @Test
    void jdkServerAcceptsAHelloWithoutServerName() throws Exception {
        ClientHello hello = ClientHello.builder()
                .serverName("127.0.0.1")
                .applicationProtocols("hq-interop")
                .transportParameters(ClientHelloTest.clientParameters())
                .build();
        ServerRun run = serve(hello.encode());
        assertNull(run.failure, () -> "the JDK refused the ClientHello: " + run.failure);
        assertEquals(CONTENT_TYPE_HANDSHAKE, run.output.get(0) & 0xff);
        assertEquals(TlsCodepoints.SERVER_HELLO, run.output.get(5) & 0xff);
        assertEquals(List.of(), run.requestedNames);
        assertEquals(List.of("hq-interop"), run.offeredProtocols);
        assertEquals(Optional.empty(), hello.serverName());
    }

    /** The control that shows the harness can fail: the same hello offering only TLS 1.2 draws an alert. */
    @Test
    void jdkServerAlertsWhenTls13IsNotOffered() throws Exception {
        byte[] hello = ClientHello.builder().serverName("localhost").applicationProtocols("h3")
                .transportParameters(ClientHelloTest.clientParameters()).build().encode();
        byte[] supportedVersions = Hex.decode("002b 0003 02 0304");
        int at = indexOf(hello, supportedVersions);
        assertTrue(at > 0);
        hello[at + supportedVersions.length - 1] = 0x03; // offer 0x0303, TLS 1.2, instead
        ServerRun run = serve(hello);
        assertNotNull(run.failure, "the JDK accepted a ClientHello without TLS 1.3");
        assertEquals(CONTENT_TYPE_ALERT, run.output.get(0) & 0xff, "the reply is an alert record");
        assertEquals(2, run.output.getShort(3), "an alert is 2 bytes");
        assertArrayEquals(new byte[] {2, TlsCodepoints.ALERT_PROTOCOL_VERSION},
                new byte[] {run.output.get(5), run.output.get(6)}, "fatal protocol_version");
    }

    @Test
    void ourCipherSuitesAreTheJdkTls13Suites() throws Exception {
        List<String> jdk = List.of(serverContext.getSupportedSSLParameters().getCipherSuites());
        for (CipherSuite suite : ClientHello.cipherSuites()) {
            assertTrue(jdk.contains(suite.name()), suite + " is not a JDK suite");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
