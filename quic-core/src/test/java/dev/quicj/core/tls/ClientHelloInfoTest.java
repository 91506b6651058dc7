package dev.quicj.core.tls;

import static dev.quicj.core.tls.TlsTestSupport.DECODE_ERROR;
import static dev.quicj.core.tls.TlsTestSupport.ILLEGAL_PARAMETER;
import static dev.quicj.core.tls.TlsTestSupport.MISSING_EXTENSION;
import static dev.quicj.core.tls.TlsTestSupport.PROTOCOL_VERSION;
import static dev.quicj.core.tls.TlsTestSupport.UNEXPECTED_MESSAGE;
import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static dev.quicj.core.tls.TlsTestSupport.concat;
import static dev.quicj.core.tls.TlsTestSupport.extension;
import static dev.quicj.core.tls.TlsTestSupport.u16;
import static dev.quicj.core.tls.TlsTestSupport.vector16;
import static dev.quicj.core.tls.TlsTestSupport.vector8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClientHelloInfoTest {
    private static final byte[] RFC9001_A2 = TlsTestSupport.vector("rfc9001-A.2-client-hello.hex");

    @Test
    void decodesTheClientHelloOfRfc9001AppendixA2() throws Exception {
        ClientHelloInfo info = ClientHelloInfo.decode(ByteBuffer.wrap(RFC9001_A2));
        assertEquals(0x0303, info.legacyVersion());
        assertEquals("ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c", Hex.encode(info.random()));
        assertEquals(List.of(0x1301, 0x1302), info.cipherSuites());
        // server_name, renegotiation_info, supported_groups, ALPN, status_request, key_share, supported_versions,
        // signature_algorithms, psk_key_exchange_modes, record_size_limit, quic_transport_parameters
        assertEquals(List.of(0x0000, 0xff01, 0x000a, 0x0010, 0x0005, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c, 0x0039),
                types(info.extensions()));
        assertEquals(Optional.of("example.com"), info.serverName());
        assertEquals(List.of("alpn"), info.applicationProtocols());
        assertEquals(List.of(0x0304), info.supportedVersions());
        assertEquals(List.of(0x001d, 0x0017, 0x0018), info.supportedGroups());
        assertEquals(List.of(0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806), info.signatureAlgorithms());
        assertEquals(List.of(0x001d), info.keyShareGroups());
        assertEquals("9370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d748",
                Hex.encode(info.keyShare(0x001d).orElseThrow()));
        assertEquals(Optional.empty(), info.keyShare(0x0017));
        TransportParameters tp = info.transportParameters();
        assertEquals(VarInt.MAX_VALUE, tp.initialMaxData());
        assertEquals(30_000, tp.maxIdleTimeoutMillis());
        assertEquals("8394c8f03e515708", Hex.encode(tp.initialSourceConnectionId().orElseThrow()));
        assertTrue(info.toString().contains("serverName=example.com"), info::toString);
    }

    @Test
    void decodesTheSameFromALittleEndianBuffer() throws Exception {
        // RFC 8446 §3: network byte order, whatever the order the caller's buffer is set to
        ClientHelloInfo big = ClientHelloInfo.decode(ByteBuffer.wrap(RFC9001_A2));
        ClientHelloInfo little = ClientHelloInfo.decode(
                ByteBuffer.wrap(RFC9001_A2).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(big.extensions(), little.extensions());
        assertEquals(big.transportParameters(), little.transportParameters());
        assertEquals(big.serverName(), little.serverName());
    }

    @Test
    void decodeMovesPastTheMessageAndLeavesWhatFollows() throws Exception {
        ByteBuffer src = ByteBuffer.wrap(concat(new byte[] {7, 7}, RFC9001_A2, new byte[] {9}));
        src.position(2);
        ClientHelloInfo.decode(src);
        assertEquals(2 + RFC9001_A2.length, src.position());
    }

    /**
     * The smallest ClientHello read: supported_versions, the three extensions RFC 8446 §9.2 requires without a PSK
     * (supported_groups, signature_algorithms, key_share) and quic_transport_parameters; no server name, no ALPN.
     */
    @Test
    void theSmallestAcceptedClientHelloHasNoOptionalParts() throws Exception {
        ClientHelloInfo info = ClientHelloInfo.decode(ByteBuffer.wrap(new TlsTestSupport.RawClientHello().encode()));
        assertEquals(Optional.empty(), info.serverName());
        assertEquals(List.of(), info.applicationProtocols());
        assertEquals(List.of(TlsCodepoints.GROUP_X25519), info.supportedGroups());
        assertEquals(List.of(TlsCodepoints.ED25519), info.signatureAlgorithms());
        assertEquals(List.of(TlsCodepoints.GROUP_X25519), info.keyShareGroups());
        assertEquals("01020304", Hex.encode(info.transportParameters().initialSourceConnectionId().orElseThrow()));
    }

    @Test
    void serverNameSkipsOtherNameTypes() throws Exception {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello();
        byte[] name = "quic.example".getBytes(StandardCharsets.US_ASCII);
        hello.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME,
                vector16(concat(new byte[] {7}, vector16(new byte[] {1, 2}), new byte[] {0}, vector16(name)))));
        assertEquals(Optional.of("quic.example"),
                ClientHelloInfo.decode(ByteBuffer.wrap(hello.encode())).serverName());
    }

    @Test
    void preSharedKeyIsAcceptedLast() throws Exception {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello();
        hello.extensions.add(extension(TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES, new byte[] {1, 1}));
        hello.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, new byte[] {1, 2, 3}));
        List<TlsExtension> extensions = ClientHelloInfo.decode(ByteBuffer.wrap(hello.encode())).extensions();
        assertEquals(TlsCodepoints.EXT_PRE_SHARED_KEY, extensions.get(extensions.size() - 1).type());
    }

    private static Arguments brokenHello(String scenario, long errorCode, Consumer<TlsTestSupport.RawClientHello> change) {
        return Arguments.of(scenario, errorCode, change);
    }

    static Stream<Arguments> brokenClientHellos() {
        return Stream.of(
                brokenHello("a ServerHello", UNEXPECTED_MESSAGE, h -> h.type = TlsCodepoints.SERVER_HELLO),
                brokenHello("a non-empty legacy_session_id", TransportErrorCode.PROTOCOL_VIOLATION,
                        h -> h.sessionId = new byte[8]),
                brokenHello("a 33-byte legacy_session_id", DECODE_ERROR, h -> h.sessionId = new byte[33]),
                brokenHello("no cipher suites", DECODE_ERROR, h -> h.cipherSuites = new byte[0]),
                brokenHello("an odd cipher_suites length", DECODE_ERROR, h -> h.cipherSuites = new byte[3]),
                brokenHello("no compression method", DECODE_ERROR, h -> h.compressionMethods = new byte[0]),
                brokenHello("compression methods null and deflate", ILLEGAL_PARAMETER,
                        h -> h.compressionMethods = new byte[] {0, 1}),
                brokenHello("compression method deflate", ILLEGAL_PARAMETER,
                        h -> h.compressionMethods = new byte[] {1}),
                brokenHello("a repeated extension", ILLEGAL_PARAMETER,
                        h -> h.extensions.add(h.extensions.get(0))),
                brokenHello("no quic_transport_parameters", MISSING_EXTENSION,
                        h -> h.without(TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS)),
                brokenHello("no supported_versions", PROTOCOL_VERSION, h -> h.extensions.remove(0)),
                brokenHello("no extensions at all", PROTOCOL_VERSION, h -> h.extensions.clear()),
                brokenHello("supported_versions without TLS 1.3", PROTOCOL_VERSION,
                        h -> h.extensions.set(0, extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS,
                                vector8(concat(u16(0x0303), u16(0x0302)))))),
                brokenHello("supported_versions of odd length", DECODE_ERROR,
                        h -> h.extensions.set(0, extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS,
                                vector8(new byte[] {3, 4, 3})))),
                brokenHello("supported_versions with trailing bytes", DECODE_ERROR,
                        h -> h.extensions.set(0, extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS,
                                concat(vector8(u16(0x0304)), new byte[] {0})))),
                brokenHello("pre_shared_key before another extension", ILLEGAL_PARAMETER,
                        h -> h.extensions.add(0, extension(TlsCodepoints.EXT_PRE_SHARED_KEY, new byte[] {1}))),
                brokenHello("two key shares for x25519", ILLEGAL_PARAMETER,
                        h -> h.with(extension(TlsCodepoints.EXT_KEY_SHARE, vector16(concat(
                                u16(0x001d), vector16(new byte[32]), u16(0x001d), vector16(new byte[32])))))),
                brokenHello("an empty key_exchange", DECODE_ERROR,
                        h -> h.with(extension(TlsCodepoints.EXT_KEY_SHARE,
                                vector16(concat(u16(0x001d), vector16(new byte[0])))))),
                brokenHello("a key share cut short", DECODE_ERROR,
                        h -> h.with(extension(TlsCodepoints.EXT_KEY_SHARE,
                                vector16(concat(u16(0x001d), u16(32), new byte[31]))))),
                brokenHello("an empty protocol_name_list", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_ALPN, vector16(new byte[0])))),
                brokenHello("an empty ProtocolName", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_ALPN,
                                vector16(concat(vector8("h3".getBytes(StandardCharsets.US_ASCII)), vector8(
                                        new byte[0])))))),
                brokenHello("an empty server_name_list", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME, vector16(new byte[0])))),
                brokenHello("an empty host_name", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME,
                                vector16(concat(new byte[] {0}, vector16(new byte[0])))))),
                brokenHello("a host_name that is not ASCII", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME,
                                vector16(concat(new byte[] {0}, vector16("b\u00fccher".getBytes(
                                        StandardCharsets.ISO_8859_1))))))),
                brokenHello("a host_name with a control character", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME,
                                vector16(concat(new byte[] {0}, vector16(new byte[] {'a', 0x7f, 'b'})))))),
                brokenHello("a host_name with a space", DECODE_ERROR,
                        h -> h.extensions.add(extension(TlsCodepoints.EXT_SERVER_NAME,
                                vector16(concat(new byte[] {0}, vector16(new byte[] {'a', ' ', 'b'})))))),
                brokenHello("supported_groups of odd length", DECODE_ERROR,
                        h -> h.with(extension(TlsCodepoints.EXT_SUPPORTED_GROUPS,
                                vector16(new byte[] {0, 0x1d, 0})))),
                brokenHello("empty signature_algorithms", DECODE_ERROR,
                        h -> h.with(extension(TlsCodepoints.EXT_SIGNATURE_ALGORITHMS,
                                vector16(new byte[0])))),
                brokenHello("a client's stateless_reset_token", TransportErrorCode.TRANSPORT_PARAMETER_ERROR,
                        h -> h.with(extension(TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS,
                                Hex.decode("02 10 000102030405060708090a0b0c0d0e0f")))),
                brokenHello("an extension running past its block", DECODE_ERROR,
                        h -> h.without(TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS).extensions.add(
                                concat(u16(0x0039), u16(200), new byte[4]))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenClientHellos")
    void brokenClientHellosAreTypedErrors(String scenario, long errorCode,
            Consumer<TlsTestSupport.RawClientHello> change) {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello();
        change.accept(hello);
        byte[] message = hello.encode();
        QuicException e = assertQuicError(errorCode, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
        assertEquals(0x06, e.frameType());
    }

    @Test
    void trailingBytesInsideTheBodyAreADecodeError() {
        byte[] body = concat(java.util.Arrays.copyOfRange(RFC9001_A2, 4, RFC9001_A2.length), new byte[] {0});
        byte[] message = TlsTestSupport.handshake(TlsCodepoints.CLIENT_HELLO, body);
        assertQuicError(DECODE_ERROR, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** Every prefix of a valid ClientHello, header untouched, is a decode_error. */
    @Test
    void everyTruncatedPrefixIsADecodeError() {
        byte[] ours = ClientHello.builder().serverName("example.com").applicationProtocols("h3", "hq-interop")
                .transportParameters(ClientHelloTest.clientParameters()).build().encode();
        for (byte[] message : List.of(RFC9001_A2, ours)) {
            for (int length = 0; length < message.length; length++) {
                ByteBuffer prefix = ByteBuffer.wrap(message, 0, length);
                assertQuicError(DECODE_ERROR, () -> ClientHelloInfo.decode(prefix));
            }
        }
    }

    /**
     * Every cut of the body, with the handshake length rewritten to match, is a decode_error; except the cut right
     * after the compression methods, which is a well-formed ClientHello without extensions, hence without
     * supported_versions: protocol_version.
     */
    @Test
    void everyTruncatedBodyWithAMatchingLengthIsATypedError() {
        byte[] ours = ClientHello.builder().applicationProtocols("h3")
                .transportParameters(ClientHelloTest.clientParameters()).build().encode();
        for (byte[] message : List.of(RFC9001_A2, ours)) {
            byte[] body = java.util.Arrays.copyOfRange(message, 4, message.length);
            int sessionIdLength = body[2 + 32] & 0xff;
            int suitesLength = (body[2 + 32 + 1 + sessionIdLength] & 0xff) << 8
                    | body[2 + 32 + 1 + sessionIdLength + 1] & 0xff;
            int compressionAt = 2 + 32 + 1 + sessionIdLength + 2 + suitesLength;
            int extensionsAt = compressionAt + 1 + (body[compressionAt] & 0xff);
            for (int cut = 0; cut < body.length; cut++) {
                byte[] truncated = TlsTestSupport.handshake(TlsCodepoints.CLIENT_HELLO,
                        java.util.Arrays.copyOf(body, cut));
                long expected = cut == extensionsAt ? PROTOCOL_VERSION : DECODE_ERROR;
                assertQuicError(expected, () -> ClientHelloInfo.decode(ByteBuffer.wrap(truncated)));
            }
        }
    }

    private static List<Integer> types(List<TlsExtension> extensions) {
        return extensions.stream().map(TlsExtension::type).collect(Collectors.toList());
    }
}
