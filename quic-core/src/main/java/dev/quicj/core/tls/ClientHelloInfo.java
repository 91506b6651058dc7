package dev.quicj.core.tls;

import dev.quicj.core.Role;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a QUIC server reads from a received ClientHello (<a
 * href="https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2">RFC 8446 §4.1.2</a>): the legacy fields, the offered
 * cipher suites, the extensions, and decoded forms of the extensions QUIC cares about, above all the client's transport
 * parameters. Immutable. This is a parser, not a TLS server: it checks structure and the rules RFC 9001 adds for QUIC,
 * and negotiates nothing.
 *
 * <p>Errors are {@link QuicException}s carrying a CRYPTO_ERROR (0x0100 + TLS alert,
 * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-4.8">RFC 9001 §4.8</a>) unless noted:
 * <ul>
 *   <li>a message that is not a ClientHello: unexpected_message (0x10a);</li>
 *   <li>truncation, a length that does not match, an empty vector that must not be: decode_error (0x132);</li>
 *   <li>a repeated extension, compression other than null only, pre_shared_key not last, two key shares for one
 *       group: illegal_parameter (0x12f);</li>
 *   <li>no supported_versions offering TLS 1.3 (RFC 9001 §4.2), or a legacy_version of 0x0300 or less (RFC 8446
 *       Appendix D.5): protocol_version (0x146);</li>
 *   <li>no quic_transport_parameters (RFC 9001 §8.2); without pre_shared_key, no signature_algorithms or no
 *       supported_groups; supported_groups without key_share or the reverse (RFC 8446 §9.2); pre_shared_key without
 *       psk_key_exchange_modes (§4.2.9): missing_extension (0x16d);</li>
 *   <li>a non-empty legacy_session_id (RFC 9001 §8.4): PROTOCOL_VIOLATION;</li>
 *   <li>invalid transport parameters: TRANSPORT_PARAMETER_ERROR.</li>
 * </ul>
 */
public final class ClientHelloInfo {
    private static final int MAX_SESSION_ID_LENGTH = 32;

    private final int legacyVersion;
    private final byte[] random;
    private final List<Integer> cipherSuites;
    private final List<TlsExtension> extensions;
    private final String serverName;
    private final List<String> applicationProtocols;
    private final List<Integer> supportedVersions;
    private final List<Integer> supportedGroups;
    private final List<Integer> signatureAlgorithms;
    private final Map<Integer, byte[]> keyShares;
    private final TransportParameters transportParameters;

    private ClientHelloInfo(int legacyVersion, byte[] random, List<Integer> cipherSuites,
            List<TlsExtension> extensions, String serverName, List<String> applicationProtocols,
            List<Integer> supportedVersions, List<Integer> supportedGroups, List<Integer> signatureAlgorithms,
            Map<Integer, byte[]> keyShares, TransportParameters transportParameters) {
        this.legacyVersion = legacyVersion;
        this.random = random;
        this.cipherSuites = cipherSuites;
        this.extensions = extensions;
        this.serverName = serverName;
        this.applicationProtocols = applicationProtocols;
        this.supportedVersions = supportedVersions;
        this.supportedGroups = supportedGroups;
        this.signatureAlgorithms = signatureAlgorithms;
        this.keyShares = keyShares;
        this.transportParameters = transportParameters;
    }

    /**
     * Decodes a ClientHello handshake message.
     *
     * @throws QuicException as listed in the class description
     */
    public static ClientHelloInfo decode(HandshakeMessage message) throws QuicException {
        return decode(message.buffer());
    }

    /**
     * Decodes one ClientHello handshake message, header included, starting at the buffer's position. On success the
     * position moves past the message; bytes after it are left alone. Does not retain {@code src}.
     *
     * @throws QuicException as listed in the class description
     */
    public static ClientHelloInfo decode(ByteBuffer src) throws QuicException {
        int type = TlsWire.u8(src, "handshake type");
        if (type != TlsCodepoints.CLIENT_HELLO) {
            throw TlsWire.alert(TlsCodepoints.ALERT_UNEXPECTED_MESSAGE, "expected a ClientHello, got handshake type "
                    + type);
        }
        ByteBuffer body = TlsWire.bytes(src, TlsWire.u24(src, "ClientHello length"), "ClientHello");

        int legacyVersion = TlsWire.u16(body, "legacy_version");
        byte[] random = TlsWire.toArray(TlsWire.bytes(body, ClientHello.RANDOM_LENGTH, "random"));
        ByteBuffer sessionId = TlsWire.vector8(body, "legacy_session_id");
        if (sessionId.remaining() > MAX_SESSION_ID_LENGTH) {
            throw TlsWire.decodeError("legacy_session_id is " + sessionId.remaining() + " bytes, more than 32");
        }
        ByteBuffer suites = TlsWire.vector16(body, "cipher_suites");
        if (suites.remaining() < 2 || suites.remaining() % 2 != 0) {
            throw TlsWire.decodeError("cipher_suites length " + suites.remaining()
                    + " is not a positive even number");
        }
        List<Integer> cipherSuites = u16List(suites);
        ByteBuffer compression = TlsWire.vector8(body, "legacy_compression_methods");
        if (!compression.hasRemaining()) {
            throw TlsWire.decodeError("legacy_compression_methods is empty");
        }
        List<TlsExtension> extensions = body.hasRemaining() ? TlsExtension.decodeBlock(body) : List.of();
        TlsWire.end(body, "ClientHello");

        // Checked in this order so that a TLS 1.2 ClientHello reports the version, not its compression methods.
        List<Integer> supportedVersions = supportedVersions(TlsExtension.find(extensions,
                TlsCodepoints.EXT_SUPPORTED_VERSIONS));
        TlsWire.checkLegacyVersion(legacyVersion, "ClientHello");
        // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set to zero
        // [...] the server MUST abort the handshake with an "illegal_parameter" alert."
        if (compression.remaining() != 1 || compression.get(0) != 0) {
            throw TlsWire.illegalParameter("legacy_compression_methods must be exactly [null]");
        }
        // RFC 9001 §8.4: "A server SHOULD treat the receipt of a TLS ClientHello with a non-empty
        // legacy_session_id field as a connection error of type PROTOCOL_VIOLATION."
        if (sessionId.hasRemaining()) {
            throw QuicException.protocolViolation(FrameType.CRYPTO, "ClientHello has a non-empty legacy_session_id ("
                    + sessionId.remaining() + " bytes): QUIC forbids TLS middlebox compatibility mode");
        }
        // RFC 8446 §4.2.11: "The "pre_shared_key" extension MUST be the last extension in the ClientHello [...]
        // Servers MUST check that it is the last extension and otherwise fail the handshake with an
        // "illegal_parameter" alert."
        for (int i = 0; i < extensions.size() - 1; i++) {
            if (extensions.get(i).type() == TlsCodepoints.EXT_PRE_SHARED_KEY) {
                throw TlsWire.illegalParameter("pre_shared_key is not the last extension");
            }
        }

        requireMandatoryExtensions(extensions);

        TlsExtension tp = TlsExtension.find(extensions, TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS);
        // RFC 9001 §8.2: "endpoints that receive ClientHello or EncryptedExtensions messages without the
        // quic_transport_parameters extension MUST close the connection with an error of type 0x016d"
        if (tp == null) {
            throw TlsWire.alert(TlsCodepoints.ALERT_MISSING_EXTENSION,
                    "ClientHello has no quic_transport_parameters extension");
        }
        return new ClientHelloInfo(legacyVersion, random, cipherSuites, extensions,
                serverName(TlsExtension.find(extensions, TlsCodepoints.EXT_SERVER_NAME)),
                applicationProtocols(TlsExtension.find(extensions, TlsCodepoints.EXT_ALPN)),
                supportedVersions,
                u16ListExtension(TlsExtension.find(extensions, TlsCodepoints.EXT_SUPPORTED_GROUPS),
                        "supported_groups"),
                u16ListExtension(TlsExtension.find(extensions, TlsCodepoints.EXT_SIGNATURE_ALGORITHMS),
                        "signature_algorithms"),
                keyShares(TlsExtension.find(extensions, TlsCodepoints.EXT_KEY_SHARE)),
                TransportParameters.decode(tp.dataBuffer(), Role.CLIENT));
    }

    /**
     * RFC 8446 §9.2, for a ClientHello offering TLS 1.3 (every one this class accepts): "If not containing a
     * "pre_shared_key" extension, it MUST contain both a "signature_algorithms" extension and a "supported_groups"
     * extension. If containing a "supported_groups" extension, it MUST also contain a "key_share" extension, and vice
     * versa. [...] Servers receiving a ClientHello which does not conform to these requirements MUST abort the
     * handshake with a "missing_extension" alert." And §4.2.9: "If clients offer "pre_shared_key" without a
     * "psk_key_exchange_modes" extension, servers MUST abort the handshake" (no alert is named there; this one is
     * missing_extension too).
     */
    private static void requireMandatoryExtensions(List<TlsExtension> extensions) throws QuicException {
        boolean psk = TlsExtension.find(extensions, TlsCodepoints.EXT_PRE_SHARED_KEY) != null;
        boolean groups = TlsExtension.find(extensions, TlsCodepoints.EXT_SUPPORTED_GROUPS) != null;
        boolean keyShare = TlsExtension.find(extensions, TlsCodepoints.EXT_KEY_SHARE) != null;
        if (!psk && (TlsExtension.find(extensions, TlsCodepoints.EXT_SIGNATURE_ALGORITHMS) == null || !groups)) {
            throw TlsWire.alert(TlsCodepoints.ALERT_MISSING_EXTENSION,
                    "ClientHello without pre_shared_key lacks signature_algorithms or supported_groups");
        }
        if (groups != keyShare) {
            throw TlsWire.alert(TlsCodepoints.ALERT_MISSING_EXTENSION, groups
                    ? "ClientHello has supported_groups but no key_share"
                    : "ClientHello has key_share but no supported_groups");
        }
        if (psk && TlsExtension.find(extensions, TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES) == null) {
            throw TlsWire.alert(TlsCodepoints.ALERT_MISSING_EXTENSION,
                    "ClientHello offers pre_shared_key without psk_key_exchange_modes");
        }
    }

    private static List<Integer> u16List(ByteBuffer src) {
        List<Integer> values = new ArrayList<>(src.remaining() / 2);
        while (src.hasRemaining()) {
            values.add(src.getShort() & 0xffff);
        }
        return Collections.unmodifiableList(values);
    }

    private static List<Integer> supportedVersions(TlsExtension extension) throws QuicException {
        if (extension == null) {
            throw TlsWire.alert(TlsCodepoints.ALERT_PROTOCOL_VERSION,
                    "ClientHello has no supported_versions: QUIC requires TLS 1.3");
        }
        ByteBuffer data = extension.dataBuffer();
        ByteBuffer list = TlsWire.vector8(data, "supported_versions");
        TlsWire.end(data, "supported_versions");
        if (list.remaining() < 2 || list.remaining() % 2 != 0) {
            throw TlsWire.decodeError("supported_versions length " + list.remaining()
                    + " is not a positive even number");
        }
        List<Integer> versions = u16List(list);
        if (!versions.contains(TlsCodepoints.TLS_1_3)) {
            throw TlsWire.alert(TlsCodepoints.ALERT_PROTOCOL_VERSION,
                    "ClientHello does not offer TLS 1.3, which QUIC requires");
        }
        return versions;
    }

    /** A {@code uint16 list<2..2^16-2>} extension, or an empty list when absent. */
    private static List<Integer> u16ListExtension(TlsExtension extension, String name) throws QuicException {
        if (extension == null) {
            return List.of();
        }
        ByteBuffer data = extension.dataBuffer();
        ByteBuffer list = TlsWire.vector16(data, name);
        TlsWire.end(data, name);
        if (list.remaining() < 2 || list.remaining() % 2 != 0) {
            throw TlsWire.decodeError(name + " length " + list.remaining() + " is not a positive even number");
        }
        return u16List(list);
    }

    /** RFC 6066 §3 ServerNameList; the first host_name entry, or {@code null} when absent. */
    private static String serverName(TlsExtension extension) throws QuicException {
        if (extension == null) {
            return null;
        }
        ByteBuffer data = extension.dataBuffer();
        ByteBuffer list = TlsWire.vector16(data, "server_name_list");
        TlsWire.end(data, "server_name");
        if (!list.hasRemaining()) {
            throw TlsWire.decodeError("server_name_list is empty");
        }
        String hostName = null;
        while (list.hasRemaining()) {
            int nameType = TlsWire.u8(list, "server_name name_type");
            ByteBuffer name = TlsWire.vector16(list, "server_name name");
            if (nameType == 0 && hostName == null) {
                if (!name.hasRemaining()) {
                    throw TlsWire.decodeError("server_name host_name is empty");
                }
                byte[] bytes = TlsWire.toArray(name);
                for (byte b : bytes) {
                    if (b <= 0x20 || b == 0x7f) {
                        throw TlsWire.decodeError("server_name host_name has a byte that is not printable ASCII: 0x"
                                + Integer.toHexString(b & 0xff));
                    }
                }
                hostName = new String(bytes, StandardCharsets.US_ASCII);
            }
        }
        return hostName;
    }

    /** RFC 7301 §3.1 ProtocolNameList, decoded one byte per character. */
    private static List<String> applicationProtocols(TlsExtension extension) throws QuicException {
        if (extension == null) {
            return List.of();
        }
        ByteBuffer data = extension.dataBuffer();
        ByteBuffer list = TlsWire.vector16(data, "protocol_name_list");
        TlsWire.end(data, "application_layer_protocol_negotiation");
        if (!list.hasRemaining()) {
            throw TlsWire.decodeError("protocol_name_list is empty");
        }
        List<String> protocols = new ArrayList<>();
        while (list.hasRemaining()) {
            ByteBuffer name = TlsWire.vector8(list, "ProtocolName");
            if (!name.hasRemaining()) {
                throw TlsWire.decodeError("empty ProtocolName");
            }
            protocols.add(new String(TlsWire.toArray(name), StandardCharsets.ISO_8859_1));
        }
        return Collections.unmodifiableList(protocols);
    }

    /** RFC 8446 §4.2.8 KeyShareClientHello, in wire order. */
    private static Map<Integer, byte[]> keyShares(TlsExtension extension) throws QuicException {
        if (extension == null) {
            return Map.of();
        }
        ByteBuffer data = extension.dataBuffer();
        ByteBuffer list = TlsWire.vector16(data, "client_shares");
        TlsWire.end(data, "key_share");
        Map<Integer, byte[]> shares = new LinkedHashMap<>();
        while (list.hasRemaining()) {
            int group = TlsWire.u16(list, "KeyShareEntry group");
            ByteBuffer key = TlsWire.vector16(list, "KeyShareEntry key_exchange");
            if (!key.hasRemaining()) {
                throw TlsWire.decodeError("empty key_exchange for group " + TlsCodepoints.groupName(group));
            }
            // RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group."
            if (shares.put(group, TlsWire.toArray(key)) != null) {
                throw TlsWire.illegalParameter("two key shares for group " + TlsCodepoints.groupName(group));
            }
        }
        return Collections.unmodifiableMap(shares);
    }

    /** The legacy_version field; 0x0303 from a TLS 1.3 client. */
    public int legacyVersion() {
        return legacyVersion;
    }

    /** The 32-byte Random; a fresh copy. */
    public byte[] random() {
        return random.clone();
    }

    /** The offered cipher suite code points, in the client's order; unmodifiable. */
    public List<Integer> cipherSuites() {
        return cipherSuites;
    }

    /** Every extension, in wire order, unknown ones included; unmodifiable. */
    public List<TlsExtension> extensions() {
        return extensions;
    }

    /** The host_name of server_name, or empty when the client sent none. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** The ALPN protocol IDs offered (one character per byte), in the client's order; empty when not sent. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** The versions of supported_versions, in the client's order; always includes TLS 1.3. Unmodifiable. */
    public List<Integer> supportedVersions() {
        return supportedVersions;
    }

    /** The named groups of supported_groups, in the client's order; empty when not sent. */
    public List<Integer> supportedGroups() {
        return supportedGroups;
    }

    /** The signature schemes of signature_algorithms, in the client's order; empty when not sent. */
    public List<Integer> signatureAlgorithms() {
        return signatureAlgorithms;
    }

    /** The named groups the client sent key shares for, in wire order; empty when key_share was not sent. */
    public List<Integer> keyShareGroups() {
        return List.copyOf(keyShares.keySet());
    }

    /** The key_exchange the client sent for {@code group} (a fresh copy), or empty. */
    public Optional<byte[]> keyShare(int group) {
        byte[] key = keyShares.get(group);
        return key == null ? Optional.empty() : Optional.of(key.clone());
    }

    /** The client's transport parameters, validated as sent by a {@link Role#CLIENT}. */
    public TransportParameters transportParameters() {
        return transportParameters;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ClientHello{random=").append(Hex.encode(random));
        sb.append(", cipherSuites=[");
        for (int i = 0; i < cipherSuites.size(); i++) {
            sb.append(i == 0 ? "0x" : ", 0x").append(Integer.toHexString(cipherSuites.get(i)));
        }
        sb.append("], serverName=").append(serverName);
        sb.append(", alpn=").append(applicationProtocols);
        sb.append(", keyShares=[");
        boolean first = true;
        for (Integer group : keyShares.keySet()) {
            sb.append(first ? "" : ", ").append(TlsCodepoints.groupName(group));
            first = false;
        }
        sb.append("], extensions=[");
        for (int i = 0; i < extensions.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(TlsCodepoints.extensionName(extensions.get(i).type()));
        }
        return sb.append("], ").append(transportParameters).append('}').toString();
    }
}
