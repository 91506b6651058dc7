package dev.quicj.core.tls;

import static dev.quicj.core.tls.TlsTestSupport.DECODE_ERROR;
import static dev.quicj.core.tls.TlsTestSupport.ILLEGAL_PARAMETER;
import static dev.quicj.core.tls.TlsTestSupport.PROTOCOL_VERSION;
import static dev.quicj.core.tls.TlsTestSupport.UNEXPECTED_MESSAGE;
import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static dev.quicj.core.tls.TlsTestSupport.concat;
import static dev.quicj.core.tls.TlsTestSupport.extension;
import static dev.quicj.core.tls.TlsTestSupport.u16;
import static dev.quicj.core.tls.TlsTestSupport.vector16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.crypto.CipherSuite;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerHelloInfoTest {
    private static final byte[] RFC9001_A3 = TlsTestSupport.vector("rfc9001-A.3-server-hello.hex");
    /** SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3. */
    private static final String HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

    @Test
    void decodesTheServerHelloOfRfc9001AppendixA3() throws Exception {
        ServerHelloInfo info = ServerHelloInfo.decode(ByteBuffer.wrap(RFC9001_A3));
        assertEquals(0x0303, info.legacyVersion());
        assertEquals("eefce7f7b37ba1d1632e96677825ddf73988cfc79825df566dc5430b9a045a12", Hex.encode(info.random()));
        assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, info.cipherSuite());
        assertEquals(0x0304, info.selectedVersion());
        assertFalse(info.isHelloRetryRequest());
        assertEquals(OptionalInt.of(0x001d), info.keyShareGroup());
        assertEquals("9d3c940d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a",
                Hex.encode(info.keyShareKeyExchange().orElseThrow()));
        assertEquals(List.of(0x0033, 0x002b), List.of(info.extensions().get(0).type(), info.extensions().get(1).type()));
        assertEquals("ServerHello{cipherSuite=TLS_AES_128_GCM_SHA256, version=0x304, keyShareGroup=x25519}",
                info.toString());
    }

    @Test
    void decodesTheSameFromALittleEndianBuffer() throws Exception {
        // RFC 8446 §3: network byte order, whatever the order the caller's buffer is set to
        ServerHelloInfo big = ServerHelloInfo.decode(ByteBuffer.wrap(RFC9001_A3));
        ServerHelloInfo little = ServerHelloInfo.decode(
                ByteBuffer.wrap(RFC9001_A3).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        assertEquals(big.extensions(), little.extensions());
        assertEquals(big.legacyVersion(), little.legacyVersion());
    }

    @Test
    void decodesAHelloRetryRequest() throws Exception {
        TlsTestSupport.RawServerHello hrr = new TlsTestSupport.RawServerHello();
        hrr.random = Hex.decode(HRR_RANDOM);
        hrr.extensions.set(1, extension(TlsCodepoints.EXT_KEY_SHARE, u16(TlsCodepoints.GROUP_SECP256R1)));
        ServerHelloInfo info = ServerHelloInfo.decode(new HandshakeMessage(hrr.encode()));
        assertTrue(info.isHelloRetryRequest());
        assertEquals(CipherSuite.TLS_AES_256_GCM_SHA384, info.cipherSuite());
        assertEquals(OptionalInt.of(0x0017), info.keyShareGroup());
        assertEquals(Optional.empty(), info.keyShareKeyExchange());
        assertTrue(info.toString().startsWith("HelloRetryRequest{"), info::toString);
    }

    @Test
    void keyShareIsOptional() throws Exception {
        TlsTestSupport.RawServerHello hello = new TlsTestSupport.RawServerHello();
        hello.extensions.remove(1);
        ServerHelloInfo info = ServerHelloInfo.decode(ByteBuffer.wrap(hello.encode()));
        assertEquals(OptionalInt.empty(), info.keyShareGroup());
        assertEquals(Optional.empty(), info.keyShareKeyExchange());
    }

    private static Arguments broken(String scenario, long errorCode, Consumer<TlsTestSupport.RawServerHello> change) {
        return Arguments.of(scenario, errorCode, change);
    }

    static Stream<Arguments> brokenServerHellos() {
        return Stream.of(
                broken("a ClientHello", UNEXPECTED_MESSAGE, h -> h.type = TlsCodepoints.CLIENT_HELLO),
                broken("a non-empty legacy_session_id_echo", ILLEGAL_PARAMETER, h -> h.sessionIdEcho = new byte[32]),
                broken("compression method 1", ILLEGAL_PARAMETER, h -> h.compressionMethod = 1),
                broken("TLS_AES_128_CCM_SHA256, never offered", ILLEGAL_PARAMETER, h -> h.cipherSuite = 0x1304),
                broken("a TLS 1.2 cipher suite", ILLEGAL_PARAMETER, h -> h.cipherSuite = 0xc02f),
                broken("no supported_versions", PROTOCOL_VERSION, h -> h.extensions.remove(0)),
                broken("no extensions at all", PROTOCOL_VERSION, h -> h.extensions.clear()),
                broken("selected version TLS 1.2", ILLEGAL_PARAMETER,
                        h -> h.extensions.set(0, extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS, u16(0x0303)))),
                broken("supported_versions of 3 bytes", DECODE_ERROR,
                        h -> h.extensions.set(0, extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS,
                                new byte[] {3, 4, 0}))),
                broken("a repeated extension", ILLEGAL_PARAMETER, h -> h.extensions.add(h.extensions.get(1))),
                broken("an empty key_exchange", DECODE_ERROR,
                        h -> h.extensions.set(1, extension(TlsCodepoints.EXT_KEY_SHARE,
                                concat(u16(0x001d), vector16(new byte[0]))))),
                broken("a key_share with trailing bytes", DECODE_ERROR,
                        h -> h.extensions.set(1, extension(TlsCodepoints.EXT_KEY_SHARE,
                                concat(u16(0x001d), vector16(new byte[32]), new byte[1])))),
                broken("a HelloRetryRequest key_share with a key", DECODE_ERROR, h -> {
                    h.random = Hex.decode(HRR_RANDOM);
                    h.extensions.set(1, extension(TlsCodepoints.EXT_KEY_SHARE,
                            concat(u16(0x001d), vector16(new byte[32]))));
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenServerHellos")
    void brokenServerHellosAreTypedErrors(String scenario, long errorCode,
            Consumer<TlsTestSupport.RawServerHello> change) {
        TlsTestSupport.RawServerHello hello = new TlsTestSupport.RawServerHello();
        change.accept(hello);
        byte[] message = hello.encode();
        assertQuicError(errorCode, () -> ServerHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    @Test
    void everyTruncatedPrefixIsADecodeError() {
        for (int length = 0; length < RFC9001_A3.length; length++) {
            ByteBuffer prefix = ByteBuffer.wrap(RFC9001_A3, 0, length);
            assertQuicError(DECODE_ERROR, () -> ServerHelloInfo.decode(prefix));
        }
    }

    /** As for the ClientHello: a cut right after the compression method leaves a TLS 1.2-style hello. */
    @Test
    void everyTruncatedBodyWithAMatchingLengthIsATypedError() {
        byte[] body = Arrays.copyOfRange(RFC9001_A3, 4, RFC9001_A3.length);
        int extensionsAt = 2 + 32 + 1 + 2 + 1; // version, random, empty session ID echo, suite, compression
        for (int cut = 0; cut < body.length; cut++) {
            byte[] truncated = TlsTestSupport.handshake(TlsCodepoints.SERVER_HELLO, Arrays.copyOf(body, cut));
            long expected = cut == extensionsAt ? PROTOCOL_VERSION : DECODE_ERROR;
            assertQuicError(expected, () -> ServerHelloInfo.decode(ByteBuffer.wrap(truncated)));
        }
    }
}
