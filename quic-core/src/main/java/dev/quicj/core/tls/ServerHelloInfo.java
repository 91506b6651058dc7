package dev.quicj.core.tls;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.crypto.CipherSuite;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a QUIC client reads from a received ServerHello or HelloRetryRequest
 * (<a href="https://www.rfc-editor.org/rfc/rfc8446#section-4.1.3">RFC 8446 §4.1.3</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc8446#section-4.1.4">§4.1.4</a>): the selected cipher suite and version
 * and the server's key share. Immutable. A parser, not a TLS client: the key exchange and everything after the
 * ServerHello belong to a TLS layer.
 *
 * <pre>
 * struct {
 *     ProtocolVersion legacy_version = 0x0303;
 *     Random random;
 *     opaque legacy_session_id_echo&lt;0..32&gt;;
 *     CipherSuite cipher_suite;
 *     uint8 legacy_compression_method = 0;
 *     Extension extensions&lt;6..2^16-1&gt;;
 * } ServerHello;
 * </pre>
 *
 * <p>Errors are {@link QuicException}s carrying CRYPTO_ERROR 0x0100 + TLS alert
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-4.8">RFC 9001 §4.8</a>):
 * <ul>
 *   <li>a message that is not a ServerHello: unexpected_message (0x10a);</li>
 *   <li>truncation or a length that does not match: decode_error (0x132);</li>
 *   <li>a non-empty legacy_session_id_echo (a QUIC client always sends an empty session ID), a compression method
 *       other than null, a cipher suite other than the three a QUIC ClientHello offers, a supported_versions other
 *       than TLS 1.3, a repeated extension, an extension this library recognizes that RFC 8446 §4.2 does not allow
 *       in the message (anything but supported_versions, key_share and pre_shared_key in a ServerHello, or
 *       supported_versions, key_share and cookie in a HelloRetryRequest): illegal_parameter (0x12f);</li>
 *   <li>no supported_versions, meaning TLS 1.2 or older (RFC 9001 §4.2), or a legacy_version of 0x0300 or less
 *       (RFC 8446 Appendix D.5): protocol_version (0x146).</li>
 * </ul>
 */
public final class ServerHelloInfo {
    /** The Random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
    private static final byte[] HELLO_RETRY_REQUEST_RANDOM = Hex.decode(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private final int legacyVersion;
    private final byte[] random;
    private final CipherSuite cipherSuite;
    private final int selectedVersion;
    private final int keyShareGroup;
    private final byte[] keyShareKeyExchange;
    private final List<TlsExtension> extensions;

    private ServerHelloInfo(int legacyVersion, byte[] random, CipherSuite cipherSuite, int selectedVersion,
            int keyShareGroup, byte[] keyShareKeyExchange, List<TlsExtension> extensions) {
        this.legacyVersion = legacyVersion;
        this.random = random;
        this.cipherSuite = cipherSuite;
        this.selectedVersion = selectedVersion;
        this.keyShareGroup = keyShareGroup;
        this.keyShareKeyExchange = keyShareKeyExchange;
        this.extensions = extensions;
    }

    /**
     * Decodes a ServerHello (or HelloRetryRequest) handshake message.
     *
     * @throws QuicException as listed in the class description
     */
    public static ServerHelloInfo decode(HandshakeMessage message) throws QuicException {
        return decode(message.buffer());
    }

    /**
     * Decodes one ServerHello (or HelloRetryRequest) handshake message, header included, starting at the buffer's
     * position. On success the position moves past the message. Does not retain {@code src}.
     *
     * @throws QuicException as listed in the class description
     */
    public static ServerHelloInfo decode(ByteBuffer src) throws QuicException {
        int type = TlsWire.u8(src, "handshake type");
        if (type != TlsCodepoints.SERVER_HELLO) {
            throw TlsWire.alert(TlsCodepoints.ALERT_UNEXPECTED_MESSAGE, "expected a ServerHello, got handshake type "
                    + type);
        }
        ByteBuffer body = TlsWire.bytes(src, TlsWire.u24(src, "ServerHello length"), "ServerHello");
        int legacyVersion = TlsWire.u16(body, "legacy_version");
        byte[] random = TlsWire.toArray(TlsWire.bytes(body, ClientHello.RANDOM_LENGTH, "random"));
        ByteBuffer sessionIdEcho = TlsWire.vector8(body, "legacy_session_id_echo");
        int suiteCode = TlsWire.u16(body, "cipher_suite");
        int compression = TlsWire.u8(body, "legacy_compression_method");
        List<TlsExtension> extensions = body.hasRemaining() ? TlsExtension.decodeBlock(body) : List.of();
        TlsWire.end(body, "ServerHello");

        int selectedVersion = selectedVersion(TlsExtension.find(extensions, TlsCodepoints.EXT_SUPPORTED_VERSIONS));
        TlsWire.checkLegacyVersion(legacyVersion, "ServerHello");
        // RFC 8446 §4.1.3: "A client which receives a legacy_session_id_echo field that does not match what it sent
        // in the ClientHello MUST abort the handshake with an "illegal_parameter" alert." QUIC clients send none.
        if (sessionIdEcho.hasRemaining()) {
            throw TlsWire.illegalParameter("legacy_session_id_echo is not empty");
        }
        if (compression != 0) {
            throw TlsWire.illegalParameter("legacy_compression_method is " + compression + ", not null");
        }
        // RFC 8446 §4.1.3: "A client which receives a cipher suite that was not offered MUST abort the handshake with
        // an "illegal_parameter" alert."
        CipherSuite suite = CipherSuite.fromCode(suiteCode);
        if (suite == null) {
            throw TlsWire.illegalParameter("cipher suite 0x" + Integer.toHexString(suiteCode) + " was not offered");
        }
        boolean retry = Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
        // RFC 8446 §4.2: "If an implementation receives an extension which it recognizes and which is not specified
        // for the message in which it appears, it MUST abort the handshake with an "illegal_parameter" alert." The
        // table there: supported_versions and key_share in both, pre_shared_key in a ServerHello, cookie in a
        // HelloRetryRequest. Extensions this library does not list are left to the TLS layer, which knows what the
        // ClientHello offered (unsupported_extension).
        for (TlsExtension e : extensions) {
            int t = e.type();
            boolean allowed = t == TlsCodepoints.EXT_SUPPORTED_VERSIONS || t == TlsCodepoints.EXT_KEY_SHARE
                    || t == (retry ? TlsCodepoints.EXT_COOKIE : TlsCodepoints.EXT_PRE_SHARED_KEY);
            if (!allowed && TlsCodepoints.isListedExtension(t)) {
                throw TlsWire.illegalParameter(TlsCodepoints.extensionName(t) + " is not allowed in a "
                        + (retry ? "HelloRetryRequest" : "ServerHello"));
            }
        }
        int group = -1;
        byte[] keyExchange = null;
        TlsExtension keyShare = TlsExtension.find(extensions, TlsCodepoints.EXT_KEY_SHARE);
        if (keyShare != null) {
            ByteBuffer data = keyShare.dataBuffer();
            group = TlsWire.u16(data, "key_share group");
            if (!retry) {
                ByteBuffer key = TlsWire.vector16(data, "key_share key_exchange");
                if (!key.hasRemaining()) {
                    throw TlsWire.decodeError("ServerHello key_share has an empty key_exchange");
                }
                keyExchange = TlsWire.toArray(key);
            }
            TlsWire.end(data, "key_share");
        }
        return new ServerHelloInfo(legacyVersion, random, suite, selectedVersion, group, keyExchange, extensions);
    }

    private static int selectedVersion(TlsExtension extension) throws QuicException {
        if (extension == null) {
            throw TlsWire.alert(TlsCodepoints.ALERT_PROTOCOL_VERSION,
                    "ServerHello has no supported_versions: the server chose TLS 1.2 or older, QUIC requires 1.3");
        }
        ByteBuffer data = extension.dataBuffer();
        int version = TlsWire.u16(data, "supported_versions selected_version");
        TlsWire.end(data, "supported_versions");
        // RFC 8446 §4.1.3: "If the "supported_versions" extension in the ServerHello contains a version not offered
        // by the client or contains a version prior to TLS 1.3, the client MUST abort the handshake with an
        // "illegal_parameter" alert."
        if (version != TlsCodepoints.TLS_1_3) {
            throw TlsWire.illegalParameter("selected version 0x" + Integer.toHexString(version)
                    + " is not TLS 1.3");
        }
        return version;
    }

    /** The legacy_version field; 0x0303 from a TLS 1.3 server. */
    public int legacyVersion() {
        return legacyVersion;
    }

    /** The 32-byte Random; a fresh copy. */
    public byte[] random() {
        return random.clone();
    }

    /** Whether this is a HelloRetryRequest: a ServerHello whose Random is the special value of RFC 8446 §4.1.3. */
    public boolean isHelloRetryRequest() {
        return Arrays.equals(random, HELLO_RETRY_REQUEST_RANDOM);
    }

    /** The selected cipher suite. */
    public CipherSuite cipherSuite() {
        return cipherSuite;
    }

    /** The version selected in supported_versions: always TLS 1.3, 0x0304. */
    public int selectedVersion() {
        return selectedVersion;
    }

    /**
     * The named group of the server's key share, or for a HelloRetryRequest the group the server asks the client to
     * retry with; empty when key_share is absent.
     */
    public OptionalInt keyShareGroup() {
        return keyShareGroup < 0 ? OptionalInt.empty() : OptionalInt.of(keyShareGroup);
    }

    /** The server's key_exchange (a fresh copy); empty for a HelloRetryRequest or when key_share is absent. */
    public Optional<byte[]> keyShareKeyExchange() {
        return keyShareKeyExchange == null ? Optional.empty() : Optional.of(keyShareKeyExchange.clone());
    }

    /** Every extension, in wire order; unmodifiable. */
    public List<TlsExtension> extensions() {
        return extensions;
    }

    @Override
    public String toString() {
        return (isHelloRetryRequest() ? "HelloRetryRequest{" : "ServerHello{") + "cipherSuite=" + cipherSuite
                + ", version=0x" + Integer.toHexString(selectedVersion)
                + ", keyShareGroup=" + (keyShareGroup < 0 ? "none" : TlsCodepoints.groupName(keyShareGroup)) + "}";
    }
}
