package dev.quicj.core.tls;

import static dev.quicj.core.tls.TlsTestSupport.MISSING_EXTENSION;
import static dev.quicj.core.tls.TlsTestSupport.PROTOCOL_VERSION;
import static dev.quicj.core.tls.TlsTestSupport.assertQuicError;
import static dev.quicj.core.tls.TlsTestSupport.extension;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Hello rules of RFC 8446 that depend on the Hello alone: the legacy_version floor of Appendix D.5 (both Hellos)
 * and the mandatory extensions of a TLS 1.3 ClientHello (§9.2, §4.2.9).
 */
class HelloMandatoryRulesTest {

    /**
     * RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version or
     * ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a "protocol_version" alert."
     */
    @ParameterizedTest
    @ValueSource(ints = {0x0300, 0x0200, 0x0000})
    void clientHelloWithLegacyVersionSsl3OrLessIsProtocolVersion(int legacyVersion) {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello();
        hello.legacyVersion = legacyVersion; // supported_versions still offers TLS 1.3
        byte[] message = hello.encode();
        assertQuicError(PROTOCOL_VERSION, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** The same rule on the client side. */
    @Test
    void serverHelloWithLegacyVersionSsl3IsProtocolVersion() {
        TlsTestSupport.RawServerHello hello = new TlsTestSupport.RawServerHello();
        hello.legacyVersion = 0x0300; // supported_versions still selects TLS 1.3
        byte[] message = hello.encode();
        assertQuicError(PROTOCOL_VERSION, () -> ServerHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** §4.2.1: legacy_version is not used to negotiate; 0x0301 (TLS 1.0) is still read, as 0x0303 is. */
    @ParameterizedTest
    @ValueSource(ints = {0x0301, 0x0303, 0x0304})
    void legacyVersionsAboveSsl3AreRead(int legacyVersion) {
        TlsTestSupport.RawClientHello client = new TlsTestSupport.RawClientHello();
        client.legacyVersion = legacyVersion;
        byte[] clientHello = client.encode();
        assertEquals(legacyVersion, assertDoesNotThrow(
                () -> ClientHelloInfo.decode(ByteBuffer.wrap(clientHello))).legacyVersion());
        TlsTestSupport.RawServerHello server = new TlsTestSupport.RawServerHello();
        server.legacyVersion = legacyVersion;
        byte[] serverHello = server.encode();
        assertEquals(legacyVersion, assertDoesNotThrow(
                () -> ServerHelloInfo.decode(ByteBuffer.wrap(serverHello))).legacyVersion());
    }

    /**
     * RFC 8446 §9.2, for a ClientHello offering 0x0304: "If not containing a "pre_shared_key" extension, it MUST
     * contain both a "signature_algorithms" extension and a "supported_groups" extension. [...] Servers receiving a
     * ClientHello which does not conform to these requirements MUST abort the handshake with a "missing_extension"
     * alert."
     */
    @ParameterizedTest
    @ValueSource(ints = {TlsCodepoints.EXT_SIGNATURE_ALGORITHMS, TlsCodepoints.EXT_SUPPORTED_GROUPS})
    void withoutPreSharedKeySignatureAlgorithmsAndGroupsAreRequired(int missing) {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello().without(missing);
        if (missing == TlsCodepoints.EXT_SUPPORTED_GROUPS) {
            hello.without(TlsCodepoints.EXT_KEY_SHARE); // so that only the first rule is broken
        }
        byte[] message = hello.encode();
        assertQuicError(MISSING_EXTENSION, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** §9.2: "If containing a "supported_groups" extension, it MUST also contain a "key_share" extension". */
    @Test
    void supportedGroupsWithoutKeyShareIsMissingExtension() {
        byte[] message = new TlsTestSupport.RawClientHello().without(TlsCodepoints.EXT_KEY_SHARE).encode();
        assertQuicError(MISSING_EXTENSION, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** §9.2 "and vice versa": key_share without supported_groups, with a PSK so that the first rule holds. */
    @Test
    void keyShareWithoutSupportedGroupsIsMissingExtension() {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello()
                .without(TlsCodepoints.EXT_SUPPORTED_GROUPS);
        hello.extensions.add(extension(TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES, new byte[] {1, 1}));
        hello.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, new byte[] {1, 2, 3}));
        byte[] message = hello.encode();
        assertQuicError(MISSING_EXTENSION, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /**
     * RFC 8446 §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes" extension, servers MUST
     * abort the handshake." No alert is named there; this library uses missing_extension, as §9.2 does.
     */
    @Test
    void preSharedKeyWithoutPskKeyExchangeModesIsMissingExtension() {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello();
        hello.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, new byte[] {1, 2, 3}));
        byte[] message = hello.encode();
        assertQuicError(MISSING_EXTENSION, () -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }

    /** A PSK-only ClientHello (psk_ke: no groups, no key share, no signature algorithms) meets §9.2. */
    @Test
    void pskOnlyClientHelloIsRead() {
        TlsTestSupport.RawClientHello hello = new TlsTestSupport.RawClientHello()
                .without(TlsCodepoints.EXT_SUPPORTED_GROUPS).without(TlsCodepoints.EXT_KEY_SHARE)
                .without(TlsCodepoints.EXT_SIGNATURE_ALGORITHMS);
        hello.extensions.add(extension(TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES, new byte[] {1, 0}));
        hello.extensions.add(extension(TlsCodepoints.EXT_PRE_SHARED_KEY, new byte[] {1, 2, 3}));
        byte[] message = hello.encode();
        assertDoesNotThrow(() -> ClientHelloInfo.decode(ByteBuffer.wrap(message)));
    }
}
