package dev.quicj.core.tls;

import dev.quicj.core.crypto.CipherSuite;
import java.math.BigInteger;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS 1.3 ClientHello handshake message for QUIC (<a href="https://www.rfc-editor.org/rfc/rfc8446#section-4.1.2">RFC
 * 8446 §4.1.2</a>, <a href="https://www.rfc-editor.org/rfc/rfc9001#section-4.1">RFC 9001 §4.1</a>): the bytes a
 * client puts in the CRYPTO frames of its first Initial packet. There is no record layer in QUIC, so the encoding
 * is the bare handshake message, {@code msg_type(1) = 1, length(3), body}:
 *
 * <pre>
 * struct {
 *     ProtocolVersion legacy_version = 0x0303;
 *     Random random;                                  32 bytes
 *     opaque legacy_session_id&lt;0..32&gt;;             empty: RFC 9001 §8.4 forbids compatibility mode
 *     CipherSuite cipher_suites&lt;2..2^16-2&gt;;         0x1301, 0x1302, 0x1303
 *     opaque legacy_compression_methods&lt;1..2^8-1&gt;;  the single method null (0)
 *     Extension extensions&lt;8..2^16-1&gt;;
 * } ClientHello;
 * </pre>
 *
 * <p>The extensions, in this order: server_name (only for a DNS name), supported_groups (x25519, secp256r1),
 * signature_algorithms, application_layer_protocol_negotiation, supported_versions (TLS 1.3 only),
 * psk_key_exchange_modes (psk_dhe_ke), key_share (one X25519 share) and quic_transport_parameters.
 *
 * <p>The X25519 key pair of the key share is kept ({@link #keyShareKeyPair()}) so a TLS layer can finish the key
 * exchange when the ServerHello arrives. Immutable.
 */
public final class ClientHello {
    /** The length of {@code Random}. */
    public static final int RANDOM_LENGTH = 32;
    /** The length of an X25519 public key (RFC 7748 §6.1). */
    public static final int X25519_KEY_LENGTH = 32;

    // The fixed part of a ClientHello body before extensions: version, random, empty session ID, cipher suites
    // (length + 3 suites), compression methods (length + null).
    private static final int FIXED_BODY_LENGTH = 2 + RANDOM_LENGTH + 1 + (2 + 2 * 3) + (1 + 1);
    private static final int HANDSHAKE_HEADER_LENGTH = 4;
    private static final int EXTENSION_HEADER_LENGTH = 4;
    private static final int[] SUPPORTED_GROUPS = {TlsCodepoints.GROUP_X25519, TlsCodepoints.GROUP_SECP256R1};
    private static final int[] SIGNATURE_ALGORITHMS = {
        TlsCodepoints.ECDSA_SECP256R1_SHA256, TlsCodepoints.RSA_PSS_RSAE_SHA256, TlsCodepoints.RSA_PKCS1_SHA256,
        TlsCodepoints.ED25519, TlsCodepoints.ECDSA_SECP384R1_SHA384, TlsCodepoints.RSA_PSS_RSAE_SHA384,
        TlsCodepoints.RSA_PSS_RSAE_SHA512, TlsCodepoints.RSA_PKCS1_SHA384, TlsCodepoints.RSA_PKCS1_SHA512,
    };
    private static final int MAX_HOST_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;
    private static final int MAX_PROTOCOL_LENGTH = 255;

    private final byte[] encoded;
    private final byte[] random;
    private final KeyPair keyPair;
    private final byte[] keySharePublicKey;
    private final String serverName;
    private final List<String> applicationProtocols;
    private final TransportParameters transportParameters;

    private ClientHello(byte[] encoded, byte[] random, KeyPair keyPair, byte[] keySharePublicKey, String serverName,
            List<String> applicationProtocols, TransportParameters transportParameters) {
        this.encoded = encoded;
        this.random = random;
        this.keyPair = keyPair;
        this.keySharePublicKey = keySharePublicKey;
        this.serverName = serverName;
        this.applicationProtocols = applicationProtocols;
        this.transportParameters = transportParameters;
    }

    /** A builder; application protocols and transport parameters must be set before {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cipher suites offered, in preference order: every suite QUIC packet protection is defined for. */
    public static List<CipherSuite> cipherSuites() {
        return List.of(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384,
                CipherSuite.TLS_CHACHA20_POLY1305_SHA256);
    }

    /** The length of the handshake message, header included. */
    public int encodedLength() {
        return encoded.length;
    }

    /**
     * Writes the handshake message at the buffer's position and advances it. Does not retain {@code dst}.
     *
     * @return the number of bytes written, {@link #encodedLength()}
     * @throws BufferOverflowException if {@code dst} has less room than {@link #encodedLength()}; nothing is written
     */
    public int encode(ByteBuffer dst) {
        if (dst.remaining() < encoded.length) {
            throw new BufferOverflowException();
        }
        dst.put(encoded);
        return encoded.length;
    }

    /** The handshake message in a new array. */
    public byte[] encode() {
        return encoded.clone();
    }

    /** The 32-byte {@code Random}; a fresh copy. */
    public byte[] random() {
        return random.clone();
    }

    /** The X25519 key pair whose public key is the key share; its private key completes the key exchange. */
    public KeyPair keyShareKeyPair() {
        return keyPair;
    }

    /** The key share's {@code key_exchange}: the 32-byte little-endian X25519 public key; a fresh copy. */
    public byte[] keySharePublicKey() {
        return keySharePublicKey.clone();
    }

    /** The host name sent in server_name, or empty when none was sent. */
    public Optional<String> serverName() {
        return Optional.ofNullable(serverName);
    }

    /** The ALPN protocols offered, in preference order; unmodifiable. */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /** The transport parameters sent in quic_transport_parameters. */
    public TransportParameters transportParameters() {
        return transportParameters;
    }

    /**
     * The raw X25519 public key of RFC 7748 §5: the u-coordinate as 32 little-endian bytes, which is what a TLS
     * key share carries (RFC 8446 §4.2.8.2).
     *
     * @throws IllegalArgumentException if {@code key} is not an X25519 public key
     */
    static byte[] x25519PublicKeyBytes(PublicKey key) {
        if (!(key instanceof XECPublicKey)
                || !(((XECPublicKey) key).getParams() instanceof NamedParameterSpec)
                || !NamedParameterSpec.X25519.getName().equalsIgnoreCase(
                        ((NamedParameterSpec) ((XECPublicKey) key).getParams()).getName())) {
            throw new IllegalArgumentException("not an X25519 public key: " + key.getAlgorithm());
        }
        BigInteger u = ((XECPublicKey) key).getU();
        byte[] bigEndian = u.toByteArray();
        byte[] out = new byte[X25519_KEY_LENGTH];
        // toByteArray may add a leading sign byte or be shorter than 32 bytes; copy the low-order bytes reversed.
        for (int i = 0; i < X25519_KEY_LENGTH && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }

    /**
     * Builds a {@link ClientHello}. Randomness (the {@code Random} field and the X25519 key) comes from a
     * {@link SecureRandom} unless fixed values are given, which tests use for exact bytes.
     */
    public static final class Builder {
        private String serverName;
        private List<String> applicationProtocols;
        private TransportParameters transportParameters;
        private SecureRandom secureRandom;
        private byte[] random;
        private KeyPair keyPair;

        private Builder() {
        }

        /**
         * The server's host name, sent in server_name (RFC 6066 §3). A trailing dot is dropped. An IP address literal
         * ({@code 192.0.2.1}, {@code ::1}, {@code [::1]}, {@code fe80::1%eth0}) is not a host name, and RFC 6066
         * forbids sending one, so for a literal the extension is left out. A string of digits and dots is read as an
         * IPv4 address and one with a colon or brackets as an IPv6 address: {@code "1..2"} or
         * {@code "example.com:443"} is refused rather than sent without SNI.
         *
         * @param host a DNS name of ASCII letters, digits and hyphens (use {@link java.net.IDN#toASCII(String)} for
         *     internationalised names), or an IP literal; {@code null} sends no server_name
         * @throws IllegalArgumentException if {@code host} is neither a valid DNS name nor an IP literal
         */
        public Builder serverName(String host) {
            serverName = host == null ? null : checkServerName(host);
            return this;
        }

        /**
         * The ALPN protocol IDs to offer, most preferred first, such as {@code "h3"} or {@code "hq-interop"}
         * (RFC 7301 §3.1). Each ID is 1 to 255 characters in the range U+0000..U+00FF, one byte each.
         *
         * @throws IllegalArgumentException if the list is empty or an ID is empty, too long or has a wider character
         */
        public Builder applicationProtocols(String... protocols) {
            return applicationProtocols(List.of(protocols));
        }

        /** As {@link #applicationProtocols(String...)}. */
        public Builder applicationProtocols(List<String> protocols) {
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("at least one application protocol is needed");
            }
            for (String p : protocols) {
                if (p.isEmpty() || p.length() > MAX_PROTOCOL_LENGTH) {
                    throw new IllegalArgumentException("ALPN protocol ID must be 1.." + MAX_PROTOCOL_LENGTH
                            + " bytes: \"" + p + "\"");
                }
                for (int i = 0; i < p.length(); i++) {
                    if (p.charAt(i) > 0xff) {
                        throw new IllegalArgumentException("ALPN protocol ID has a character above U+00FF: \"" + p
                                + "\"");
                    }
                }
            }
            applicationProtocols = List.copyOf(protocols);
            return this;
        }

        /**
         * The client's transport parameters. They must hold initial_source_connection_id, equal to the Source
         * Connection ID of the Initial packets (RFC 9000 §7.3: servers close the connection without it), must not
         * hold a server-only parameter (RFC 9000 §18.2), and a version_information must list its chosen version among
         * the available ones (RFC 9368 §4).
         *
         * @throws IllegalArgumentException if one of these rules is broken
         */
        public Builder transportParameters(TransportParameters parameters) {
            Objects.requireNonNull(parameters, "parameters");
            if (parameters.initialSourceConnectionId().isEmpty()) {
                throw new IllegalArgumentException("a client must send initial_source_connection_id: " + parameters);
            }
            if (parameters.hasServerOnlyParameter()) {
                throw new IllegalArgumentException("a client must not send server-only transport parameters: "
                        + parameters);
            }
            Optional<VersionInformation> info = parameters.versionInformation();
            if (info.isPresent() && !info.get().availableVersions().contains(info.get().chosenVersion())) {
                throw new IllegalArgumentException("a client's version_information must list its chosen version: "
                        + info.get());
            }
            transportParameters = parameters;
            return this;
        }

        /** The source of randomness for whatever is not fixed; a new {@link SecureRandom} by default. */
        public Builder secureRandom(SecureRandom source) {
            secureRandom = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * A fixed {@code Random} instead of a fresh one. For tests only: TLS requires it to be unpredictable.
         *
         * @throws IllegalArgumentException if it is not 32 bytes
         */
        public Builder random(byte[] fixedRandom) {
            if (fixedRandom.length != RANDOM_LENGTH) {
                throw new IllegalArgumentException("Random must be " + RANDOM_LENGTH + " bytes, not "
                        + fixedRandom.length);
            }
            random = fixedRandom.clone();
            return this;
        }

        /**
         * A fixed X25519 key pair for the key share instead of a fresh one. For tests, or a TLS layer that made its
         * own key.
         *
         * @throws IllegalArgumentException if its public key is not an X25519 key
         */
        public Builder keyShareKeyPair(KeyPair x25519KeyPair) {
            x25519PublicKeyBytes(x25519KeyPair.getPublic());
            keyPair = x25519KeyPair;
            return this;
        }

        /**
         * Encodes the ClientHello.
         *
         * @throws IllegalStateException if application protocols or transport parameters were not set, or the JDK
         *     has no X25519 key pair generator
         */
        public ClientHello build() {
            if (applicationProtocols == null) {
                throw new IllegalStateException("application protocols not set");
            }
            if (transportParameters == null) {
                throw new IllegalStateException("transport parameters not set");
            }
            SecureRandom source = secureRandom != null ? secureRandom : new SecureRandom();
            byte[] helloRandom = random;
            if (helloRandom == null) {
                helloRandom = new byte[RANDOM_LENGTH];
                source.nextBytes(helloRandom);
            }
            KeyPair pair = keyPair != null ? keyPair : generateX25519(source);
            byte[] publicKey = x25519PublicKeyBytes(pair.getPublic());
            byte[] encoded = encode(helloRandom, publicKey);
            return new ClientHello(encoded, helloRandom, pair, publicKey, serverName, applicationProtocols,
                    transportParameters);
        }

        private static KeyPair generateX25519(SecureRandom source) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
                generator.initialize(NamedParameterSpec.X25519, source);
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK cannot generate X25519 keys", e);
            }
        }

        private byte[] encode(byte[] helloRandom, byte[] publicKey) {
            byte[] serverNameBytes = serverName == null ? null : serverName.getBytes(StandardCharsets.US_ASCII);
            byte[] tp = transportParameters.encode();
            int alpnListLength = 0;
            for (String p : applicationProtocols) {
                alpnListLength += 1 + p.length();
            }

            int extensionsLength = 0;
            if (serverNameBytes != null) {
                // server_name_list length, name_type, HostName length, HostName
                extensionsLength += EXTENSION_HEADER_LENGTH + 2 + 1 + 2 + serverNameBytes.length;
            }
            extensionsLength += EXTENSION_HEADER_LENGTH + 2 + 2 * SUPPORTED_GROUPS.length;
            extensionsLength += EXTENSION_HEADER_LENGTH + 2 + 2 * SIGNATURE_ALGORITHMS.length;
            extensionsLength += EXTENSION_HEADER_LENGTH + 2 + alpnListLength;
            extensionsLength += EXTENSION_HEADER_LENGTH + 1 + 2; // supported_versions: length, TLS 1.3
            extensionsLength += EXTENSION_HEADER_LENGTH + 1 + 1; // psk_key_exchange_modes: length, psk_dhe_ke
            // key_share: client_shares length, group, key_exchange length, key_exchange
            extensionsLength += EXTENSION_HEADER_LENGTH + 2 + 2 + 2 + publicKey.length;
            extensionsLength += EXTENSION_HEADER_LENGTH + tp.length;
            if (extensionsLength > 0xffff) {
                throw new IllegalArgumentException("ClientHello extensions exceed 65535 bytes: " + extensionsLength);
            }
            int bodyLength = FIXED_BODY_LENGTH + 2 + extensionsLength;

            ByteBuffer out = ByteBuffer.allocate(HANDSHAKE_HEADER_LENGTH + bodyLength);
            out.put((byte) TlsCodepoints.CLIENT_HELLO);
            out.put((byte) (bodyLength >>> 16)).putShort((short) bodyLength);
            out.putShort((short) TlsCodepoints.TLS_1_2);
            out.put(helloRandom);
            out.put((byte) 0); // legacy_session_id: empty
            out.putShort((short) (2 * 3));
            for (CipherSuite suite : cipherSuites()) {
                out.putShort((short) suite.code());
            }
            out.put((byte) 1).put((byte) 0); // legacy_compression_methods: null only
            out.putShort((short) extensionsLength);

            if (serverNameBytes != null) {
                extensionHeader(out, TlsCodepoints.EXT_SERVER_NAME, 2 + 1 + 2 + serverNameBytes.length);
                out.putShort((short) (1 + 2 + serverNameBytes.length));
                out.put((byte) 0); // NameType host_name
                out.putShort((short) serverNameBytes.length).put(serverNameBytes);
            }
            extensionHeader(out, TlsCodepoints.EXT_SUPPORTED_GROUPS, 2 + 2 * SUPPORTED_GROUPS.length);
            putU16List(out, SUPPORTED_GROUPS);
            extensionHeader(out, TlsCodepoints.EXT_SIGNATURE_ALGORITHMS, 2 + 2 * SIGNATURE_ALGORITHMS.length);
            putU16List(out, SIGNATURE_ALGORITHMS);
            extensionHeader(out, TlsCodepoints.EXT_ALPN, 2 + alpnListLength);
            out.putShort((short) alpnListLength);
            for (String p : applicationProtocols) {
                out.put((byte) p.length()).put(p.getBytes(StandardCharsets.ISO_8859_1));
            }
            extensionHeader(out, TlsCodepoints.EXT_SUPPORTED_VERSIONS, 1 + 2);
            out.put((byte) 2).putShort((short) TlsCodepoints.TLS_1_3);
            extensionHeader(out, TlsCodepoints.EXT_PSK_KEY_EXCHANGE_MODES, 1 + 1);
            out.put((byte) 1).put((byte) TlsCodepoints.PSK_DHE_KE);
            extensionHeader(out, TlsCodepoints.EXT_KEY_SHARE, 2 + 2 + 2 + publicKey.length);
            out.putShort((short) (2 + 2 + publicKey.length));
            out.putShort((short) TlsCodepoints.GROUP_X25519);
            out.putShort((short) publicKey.length).put(publicKey);
            extensionHeader(out, TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS, tp.length);
            out.put(tp);
            assert !out.hasRemaining() : out.remaining() + " bytes left";
            return out.array();
        }

        private static void extensionHeader(ByteBuffer out, int type, int length) {
            out.putShort((short) type).putShort((short) length);
        }

        private static void putU16List(ByteBuffer out, int[] values) {
            out.putShort((short) (2 * values.length));
            for (int v : values) {
                out.putShort((short) v);
            }
        }

        /** The host name to send, or {@code null} for an IP literal. */
        private static String checkServerName(String host) {
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            if (name.startsWith("[") || name.endsWith("]") || name.indexOf(':') >= 0) {
                if (!isIpv6Literal(host)) {
                    throw new IllegalArgumentException("neither a host name nor an IPv6 literal (a host name has no "
                            + "':', brackets or port): \"" + host + "\"");
                }
                return null;
            }
            if (isDottedNumbers(name)) {
                // a name of digits and dots only is read as an IPv4 address, never as a DNS name
                if (!isIpv4Literal(name)) {
                    throw new IllegalArgumentException("neither a host name nor an IPv4 literal: \"" + host + "\"");
                }
                return null;
            }
            if (name.isEmpty() || name.length() > MAX_HOST_NAME_LENGTH) {
                throw new IllegalArgumentException("host name must be 1.." + MAX_HOST_NAME_LENGTH
                        + " characters: \"" + host + "\"");
            }
            int labelStart = 0;
            for (int i = 0; i <= name.length(); i++) {
                char c = i < name.length() ? name.charAt(i) : '.';
                if (c == '.') {
                    int labelLength = i - labelStart;
                    if (labelLength == 0 || labelLength > MAX_LABEL_LENGTH) {
                        throw new IllegalArgumentException("host name label must be 1.." + MAX_LABEL_LENGTH
                                + " characters: \"" + host + "\"");
                    }
                    if (name.charAt(labelStart) == '-' || name.charAt(i - 1) == '-') {
                        throw new IllegalArgumentException("host name label starts or ends with '-': \"" + host
                                + "\"");
                    }
                    labelStart = i + 1;
                } else if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    throw new IllegalArgumentException("host name has a character other than ASCII letters, digits, "
                            + "'-' and '.': \"" + host + "\"");
                }
            }
            return name;
        }

        /** A dotted-decimal IPv4 address: four numbers 0..255 of one to three digits. */
        private static boolean isIpv4Literal(String s) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || !isDottedNumbers(part) || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }

        /**
         * An IPv6 address (RFC 4291 §2.2: eight groups of one to four hex digits, one {@code ::} standing for at least
         * one group of zeros, the last two groups possibly in dotted-decimal IPv4), optionally with a zone
         * ({@code %eth0}, RFC 6874) and optionally in brackets.
         */
        private static boolean isIpv6Literal(String host) {
            String s = host;
            if (s.startsWith("[") || s.endsWith("]")) {
                if (s.length() < 2 || !s.startsWith("[") || !s.endsWith("]")) {
                    return false;
                }
                s = s.substring(1, s.length() - 1);
            }
            int zone = s.indexOf('%');
            if (zone >= 0) {
                String id = s.substring(zone + 1);
                if (id.isEmpty() || !id.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                        || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~')) {
                    return false;
                }
                s = s.substring(0, zone);
            }
            int gap = s.indexOf("::");
            if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
                return false;
            }
            int groups;
            if (gap < 0) {
                groups = ipv6Groups(s, true);
                return groups == 8;
            }
            String head = s.substring(0, gap);
            String tail = s.substring(gap + 2);
            int headGroups = head.isEmpty() ? 0 : ipv6Groups(head, false);
            int tailGroups = tail.isEmpty() ? 0 : ipv6Groups(tail, true);
            return headGroups >= 0 && tailGroups >= 0 && headGroups + tailGroups <= 7;
        }

        /**
         * The number of 16-bit groups in {@code s} (colon-separated hex groups, the last one possibly a dotted IPv4
         * address counting for two when {@code lastMayBeIpv4}), or -1 if it is not such a list.
         */
        private static int ipv6Groups(String s, boolean lastMayBeIpv4) {
            String[] parts = s.split(":", -1);
            int groups = 0;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (i == parts.length - 1 && lastMayBeIpv4 && part.indexOf('.') >= 0) {
                    if (!isIpv4Literal(part)) {
                        return -1;
                    }
                    groups += 2;
                } else if (part.isEmpty() || part.length() > 4 || !part.chars().allMatch(c -> c >= '0' && c <= '9'
                        || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                    return -1;
                } else {
                    groups++;
                }
            }
            return groups;
        }

        private static boolean isDottedNumbers(String name) {
            if (name.isEmpty()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (!(c >= '0' && c <= '9' || c == '.')) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public String toString() {
        return "ClientHello{" + encoded.length + " bytes, serverName=" + serverName + ", alpn="
                + applicationProtocols + ", " + transportParameters + "}";
    }
}
