package dev.quicj.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.math.BigInteger;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHelloTest {
    // RFC 7748 §6.1: Alice's and Bob's X25519 keys and their shared secret.
    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    private static final String BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    private static final String SHARED_SECRET = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    private static final byte[] RANDOM = Hex.decode(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    /** Alice's key pair of RFC 7748 §6.1, made by the JDK generator from her private scalar. */
    static KeyPair aliceKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
        generator.initialize(NamedParameterSpec.X25519, TlsTestSupport.fixedRandom(Hex.decode(ALICE_PRIVATE)));
        return generator.generateKeyPair();
    }

    static TransportParameters clientParameters() {
        return TransportParameters.builder()
                .maxIdleTimeoutMillis(30_000)
                .initialMaxData(1 << 20)
                .initialMaxStreamDataBidiLocal(1 << 18)
                .initialMaxStreamsBidi(100)
                .initialSourceConnectionId(Hex.decode("0001020304050607"))
                .build();
    }

    @Test
    void rawPublicKeyIsTheLittleEndianUCoordinateOfRfc7748() throws Exception {
        assertEquals(ALICE_PUBLIC, Hex.encode(ClientHello.x25519PublicKeyBytes(aliceKeyPair().getPublic())));
    }

    @Test
    void exposedPrivateKeyAgreesWithRfc7748() throws Exception {
        ClientHello hello = ClientHello.builder().applicationProtocols("h3").transportParameters(clientParameters())
                .keyShareKeyPair(aliceKeyPair()).build();
        // RFC 7748 §5: decode the little-endian u-coordinate of Bob's public key.
        byte[] bob = Hex.decode(BOB_PUBLIC);
        byte[] bigEndian = new byte[bob.length];
        for (int i = 0; i < bob.length; i++) {
            bigEndian[i] = bob[bob.length - 1 - i];
        }
        PublicKey bobKey = KeyFactory.getInstance("XDH").generatePublic(
                new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian)));
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(hello.keyShareKeyPair().getPrivate());
        agreement.doPhase(bobKey, true);
        assertEquals(SHARED_SECRET, Hex.encode(agreement.generateSecret()));
    }

    @Test
    void encodesTheAnnotatedBytes() throws Exception {
        ClientHello hello = ClientHello.builder()
                .serverName("example.com")
                .applicationProtocols("h3")
                .transportParameters(clientParameters())
                .random(RANDOM)
                .keyShareKeyPair(aliceKeyPair())
                .build();
        String tp = ""
                + "01 04 80007530" //     max_idle_timeout = 30000
                + "04 04 80100000" //     initial_max_data = 2^20
                + "05 04 80040000" //     initial_max_stream_data_bidi_local = 2^18
                + "08 02 4064" //         initial_max_streams_bidi = 100
                + "0f 08 0001020304050607"; // initial_source_connection_id
        int tpLength = 6 + 6 + 6 + 4 + 10;
        int extensionsLength = (4 + 2 + 1 + 2 + 11) // server_name
                + (4 + 2 + 2 * 2) // supported_groups
                + (4 + 2 + 2 * 9) // signature_algorithms
                + (4 + 2 + 1 + 2) // application_layer_protocol_negotiation
                + (4 + 1 + 2) // supported_versions
                + (4 + 1 + 1) // psk_key_exchange_modes
                + (4 + 2 + 2 + 2 + 32) // key_share
                + (4 + tpLength); // quic_transport_parameters
        int bodyLength = 2 + 32 + 1 + (2 + 6) + (1 + 1) + 2 + extensionsLength;
        assertEquals(0x9a, extensionsLength);
        assertEquals(0xc9, bodyLength);
        String expected = ""
                + "01 0000c9" // client_hello, 201 bytes
                + "0303" // legacy_version
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" // random
                + "00" // legacy_session_id: empty
                + "0006 1301 1302 1303" // cipher_suites: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305
                + "01 00" // legacy_compression_methods: null
                + "009a" // extensions, 154 bytes
                + "0000 0010 000e 00 000b 6578616d706c652e636f6d" // server_name: host_name "example.com"
                + "000a 0006 0004 001d 0017" // supported_groups: x25519, secp256r1
                + "000d 0014 0012 0403 0804 0401 0807 0503 0805 0806 0501 0601" // signature_algorithms
                + "0010 0005 0003 02 6833" // application_layer_protocol_negotiation: "h3"
                + "002b 0003 02 0304" // supported_versions: TLS 1.3
                + "002d 0002 01 01" // psk_key_exchange_modes: psk_dhe_ke
                + "0033 0026 0024 001d 0020" + ALICE_PUBLIC // key_share: x25519, 32 bytes
                + "0039 0020" + tp; // quic_transport_parameters, 32 bytes
        assertEquals(32, tpLength);
        assertEquals(Hex.encode(Hex.decode(expected)), Hex.encode(hello.encode()));
        assertEquals(4 + bodyLength, hello.encodedLength());
        assertEquals(Optional.of("example.com"), hello.serverName());
        assertArrayEquals(RANDOM, hello.random());
        assertEquals(ALICE_PUBLIC, Hex.encode(hello.keySharePublicKey()));
    }

    @Test
    void encodeWritesAtThePositionAndTouchesNothingElse() throws Exception {
        ClientHello hello = ClientHello.builder().applicationProtocols("hq-interop")
                .transportParameters(clientParameters()).build();
        byte[] backing = new byte[5 + hello.encodedLength() + 5];
        Arrays.fill(backing, (byte) 42);
        ByteBuffer dst = ByteBuffer.wrap(backing);
        dst.position(5);
        assertEquals(hello.encodedLength(), hello.encode(dst));
        byte[] expected = new byte[backing.length];
        Arrays.fill(expected, (byte) 42);
        System.arraycopy(hello.encode(), 0, expected, 5, hello.encodedLength());
        assertArrayEquals(expected, backing);

        ByteBuffer small = ByteBuffer.allocate(hello.encodedLength() - 1);
        assertThrows(BufferOverflowException.class, () -> hello.encode(small));
        assertEquals(0, small.position());
    }

    @Test
    void randomAndKeyShareAreFreshForEveryHello() {
        ClientHello.Builder builder = ClientHello.builder().applicationProtocols("h3")
                .transportParameters(clientParameters());
        ClientHello first = builder.build();
        ClientHello second = builder.build();
        assertFalse(Arrays.equals(first.random(), second.random()));
        assertFalse(Arrays.equals(first.keySharePublicKey(), second.keySharePublicKey()));
        assertEquals(Hex.encode(ClientHello.x25519PublicKeyBytes(first.keyShareKeyPair().getPublic())),
                Hex.encode(first.keySharePublicKey()));
    }

    @Test
    void parsesBackToWhatWasBuilt() throws Exception {
        TransportParameters tp = clientParameters().toBuilder()
                .versionInformation(VersionInformation.of(QuicVersion.V1.wireValue(), QuicVersion.V1.wireValue(),
                        QuicVersion.V2.wireValue()))
                .build();
        ClientHello hello = ClientHello.builder().serverName("Example.COM.").applicationProtocols("h3", "hq-interop")
                .transportParameters(tp).build();
        ClientHelloInfo info = ClientHelloInfo.decode(ByteBuffer.wrap(hello.encode()));
        assertEquals(0x0303, info.legacyVersion());
        assertArrayEquals(hello.random(), info.random());
        assertEquals(List.of(0x1301, 0x1302, 0x1303), info.cipherSuites());
        assertEquals(Optional.of("Example.COM"), info.serverName());
        assertEquals(List.of("h3", "hq-interop"), info.applicationProtocols());
        assertEquals(List.of(0x0304), info.supportedVersions());
        assertEquals(List.of(0x001d, 0x0017), info.supportedGroups());
        assertEquals(List.of(0x0403, 0x0804, 0x0401, 0x0807, 0x0503, 0x0805, 0x0806, 0x0501, 0x0601),
                info.signatureAlgorithms());
        assertEquals(List.of(0x001d), info.keyShareGroups());
        assertArrayEquals(hello.keySharePublicKey(), info.keyShare(0x001d).orElseThrow());
        assertEquals(tp, info.transportParameters());
        assertEquals(hello.transportParameters(), info.transportParameters());
        assertEquals(List.of(0, 10, 13, 16, 43, 45, 51, 0x39),
                info.extensions().stream().map(TlsExtension::type).collect(java.util.stream.Collectors.toList()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "192.0.2.1.", "::1", "[::1]", "2001:db8::1", "fe80::1%eth0", "::",
        "1:2:3:4:5:6:7:8", "::ffff:192.0.2.1", "[2001:DB8:0:0:0:0:0:1]", "1::8", "255.255.255.255", "0.0.0.0"})
    void ipLiteralsSendNoServerName(String literal) throws Exception {
        ClientHello hello = ClientHello.builder().serverName(literal).applicationProtocols("h3")
                .transportParameters(clientParameters()).build();
        assertEquals(Optional.empty(), hello.serverName());
        ClientHelloInfo info = ClientHelloInfo.decode(ByteBuffer.wrap(hello.encode()));
        assertEquals(Optional.empty(), info.serverName());
        assertEquals(List.of(10, 13, 16, 43, 45, 51, 0x39),
                info.extensions().stream().map(TlsExtension::type).collect(java.util.stream.Collectors.toList()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "-a.example", "a-.example", "bücher.example", "a b.example",
        "under_score.example"})
    void invalidHostNamesAreRefused(String host) {
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().serverName(host));
    }

    /**
     * Strings that look like IP literals but are not (and a host with a port) are refused, not sent without SNI:
     * the javadoc's "neither a valid DNS name nor an IP literal".
     */
    @ParameterizedTest
    @ValueSource(strings = {"..", "...", "1..2", "999.999.999.999", "1.2.3.4.5.6.7", "1.2.3", "256.0.0.1",
        "0001.2.3.4", "123", "a:b", "[foo", "[::1", "::1]", "[]", "example.com:443", "1:2:3:4:5:6:7:8:9",
        "1::2::3", ":::", "12345::1", "::ffff:192.0.2.256", "1:2:3:4:5:6:7::8", "fe80::1%", "::g"})
    void stringsThatAreNeitherHostNamesNorIpLiteralsAreRefused(String host) {
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().serverName(host), host);
    }

    @Test
    void hostNameLengthLimitsAreEnforced() {
        String label63 = "a".repeat(63);
        String name253 = String.join(".", label63, label63, label63, "a".repeat(61));
        assertEquals(253, name253.length());
        ClientHello.builder().serverName(name253);
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().serverName(name253 + "a"));
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().serverName("a".repeat(64)));
    }

    @Test
    void applicationProtocolsAreChecked() {
        ClientHello.Builder builder = ClientHello.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.applicationProtocols());
        assertThrows(IllegalArgumentException.class, () -> builder.applicationProtocols(""));
        assertThrows(IllegalArgumentException.class, () -> builder.applicationProtocols("x".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> builder.applicationProtocols("h\u0101"));
        builder.applicationProtocols("x".repeat(255), "\u00ff");
    }

    @Test
    void missingMandatoryPartsAreRefused() {
        assertThrows(IllegalStateException.class,
                () -> ClientHello.builder().transportParameters(clientParameters()).build());
        assertThrows(IllegalStateException.class, () -> ClientHello.builder().applicationProtocols("h3").build());
    }

    @Test
    void serverOnlyTransportParametersAreRefused() {
        List<TransportParameters> serverOnly = List.of(
                clientParameters().toBuilder().originalDestinationConnectionId(new byte[8]).build(),
                clientParameters().toBuilder().statelessResetToken(new byte[16]).build(),
                clientParameters().toBuilder().retrySourceConnectionId(new byte[8]).build(),
                clientParameters().toBuilder().preferredAddress(PreferredAddress.of(
                        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 1), null,
                        new byte[4], new byte[16])).build());
        for (TransportParameters tp : serverOnly) {
            assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().transportParameters(tp), tp::toString);
        }
    }

    @Test
    void initialSourceConnectionIdIsRequired() {
        TransportParameters withoutIt = clientParameters().toBuilder().initialSourceConnectionId(null).build();
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().transportParameters(withoutIt));
        TransportParameters zeroLength = clientParameters().toBuilder().initialSourceConnectionId(new byte[0]).build();
        ClientHello.builder().transportParameters(zeroLength);
    }

    @Test
    void versionInformationMustListTheChosenVersion() {
        TransportParameters tp = clientParameters().toBuilder()
                .versionInformation(VersionInformation.of(QuicVersion.V1.wireValue(), QuicVersion.V2.wireValue()))
                .build();
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().transportParameters(tp));
    }

    @Test
    void keyShareKeyPairMustBeX25519() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair p256 = ec.generateKeyPair();
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().keyShareKeyPair(p256));
        KeyPairGenerator x448 = KeyPairGenerator.getInstance("X448");
        KeyPair pair448 = x448.generateKeyPair();
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().keyShareKeyPair(pair448));
        KeyPair alice = aliceKeyPair();
        assertSame(alice, ClientHello.builder().applicationProtocols("h3").transportParameters(clientParameters())
                .keyShareKeyPair(alice).build().keyShareKeyPair());
    }

    @Test
    void randomMustBe32Bytes() {
        assertThrows(IllegalArgumentException.class, () -> ClientHello.builder().random(new byte[31]));
        byte[] random = RANDOM.clone();
        ClientHello hello = ClientHello.builder().random(random).applicationProtocols("h3")
                .transportParameters(clientParameters()).build();
        random[0] = 9;
        hello.random()[1] = 9;
        assertArrayEquals(RANDOM, hello.random());
        assertNotEquals(0, hello.encodedLength());
    }
}
