package dev.quicj.core.tls;

import static dev.quicj.core.tls.TlsTestSupport.ILLEGAL_PARAMETER;
import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static dev.quicj.core.tls.TlsTestSupport.extension;
import static dev.quicj.core.tls.TlsTestSupport.u16;
import static dev.quicj.core.tls.TlsTestSupport.vector16;
import static dev.quicj.core.tls.TlsTestSupport.vector8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8446 §4.2: "If an implementation receives an extension which it recognizes and which is not specified for the
 * message in which it appears, it MUST abort the handshake with an "illegal_parameter" alert." Of the extensions
 * {@link TlsCodepoints} lists, a ServerHello may carry only supported_versions, key_share and pre_shared_key, a
 * HelloRetryRequest only supported_versions, key_share and cookie (the table of §4.2; §4.1.3: "The ServerHello MUST
 * only include extensions which are required to establish the cryptographic context and negotiate the protocol
 * version"). RFC 9001 §8.2 puts quic_transport_parameters in the ClientHello and EncryptedExtensions only.
 */
class ServerHelloExtensionRulesTest {
    /** SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
    private static final byte[] HRR_RANDOM =
            Hex.decode("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    static Stream<Arguments> extensionsAServerHelloMustNotCarry() {
        return Stream.of(
                Arguments.of("quic_transport_parameters", extension(TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS,
                        Hex.decode("0f 04 01020304"))),
                Arguments.of("application_layer_protocol_negotiation", extension(TlsCodepoints.EXT_ALPN,
                        vector16(vector8(new byte[] {'h', '3'})))),
                Arguments.of("server_name", extension(TlsCodepoints.EXT_SERVER_NAME, new byte[0])),
                Arguments.of("early_data", extension(TlsCodepoints.EXT_EARLY_DATA, new byte[0])),
                Arguments.of("cookie", extension(TlsCodepoints.EXT_COOKIE, vector16(new byte[] {1, 2, 3}))),
                Arguments.of("supported_groups", extension(TlsCodepoints.EXT_SUPPORTED_GROUPS,
                        vector16(u16(TlsCodepoints.GROUP_X25519)))),
                Arguments.of("psk_key_exchange_modes", extension(TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES,
                        vector8(new byte[] {1}))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extensionsAServerHelloMustNotCarry")
    void aServerHelloWithAnExtensionNotSpecifiedForItIsIllegalParameter(String name, byte[] ext) {
        TlsTestSupport.RawServerHello hello = new TlsTestSupport.RawServerHello();
        hello.extensions.add(ext);
        byte[] message = hello.encode();
        assertQuicError(ILLEGAL_PARAMETER, () -> ServerHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    @Test
    void aHelloRetryRequestWithPreSharedKeyIsIllegalParameter() {
        TlsTestSupport.RawServerHello hrr = helloRetryRequest();
        hrr.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, u16(0)));
        byte[] message = hrr.encode();
        assertQuicError(ILLEGAL_PARAMETER, () -> ServerHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** What the table allows still decodes, and an extension this library does not know is left to the caller. */
    @Test
    void theExtensionsTheTableAllowsAreTaken() throws Exception {
        TlsTestSupport.RawServerHello hello = new TlsTestSupport.RawServerHello();
        hello.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, u16(0)));
        hello.extensions.add(extension(0xfe0d, new byte[] {7}));
        assertEquals(4, ServerHelloInfo.decode(ByteBuffer.wrap(hello.encode())).extensions().size());

        TlsTestSupport.RawServerHello hrr = helloRetryRequest();
        hrr.extensions.add(extension(TlsCodepoints.EXT_COOKIE, vector16(new byte[] {1, 2, 3})));
        assertTrue(ServerHelloInfo.decode(ByteBuffer.wrap(hrr.encode())).isHelloRetryRequest());
    }

    private static TlsTestSupport.RawServerHello helloRetryRequest() {
        TlsTestSupport.RawServerHello hrr = new TlsTestSupport.RawServerHello();
        hrr.random = HRR_RANDOM.clone();
        hrr.extensions.set(1, extension(TlsCodepoints.EXT_KEY_SHARE, u16(TlsCodepoints.GROUP_SECP256R1)));
        return hrr;
    }
}
