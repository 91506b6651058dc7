package dev.quicj.core.tls;

/**
 * The TLS 1.3 code points this package writes or reads: handshake message types, extension types, versions, named
 * groups, signature schemes and alert descriptions
 * (<a href="https://www.rfc-editor.org/rfc/rfc8446#appendix-B.3">RFC 8446 Appendix B.3</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc8446#section-4.2">§4.2</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc8446#section-6">§6</a>), plus the QUIC transport parameters extension
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-8.2">RFC 9001 §8.2</a>).
 *
 * <p>{@link #extensionName(int)} and {@link #groupName(int)} name the code points listed here, for diagnostics.
 */
public final class TlsCodepoints {
    // Handshake message types (RFC 8446 §4).
    /** HandshakeType client_hello. */
    public static final int CLIENT_HELLO = 1;
    /** HandshakeType server_hello (also used for HelloRetryRequest). */
    public static final int SERVER_HELLO = 2;
    /** HandshakeType new_session_ticket. */
    public static final int NEW_SESSION_TICKET = 4;
    /** HandshakeType encrypted_extensions. */
    public static final int ENCRYPTED_EXTENSIONS = 8;
    /** HandshakeType certificate. */
    public static final int CERTIFICATE = 11;
    /** HandshakeType certificate_request. */
    public static final int CERTIFICATE_REQUEST = 13;
    /** HandshakeType certificate_verify. */
    public static final int CERTIFICATE_VERIFY = 15;
    /** HandshakeType finished. */
    public static final int FINISHED = 20;

    // Protocol versions.
    /** ProtocolVersion of TLS 1.2, the fixed legacy_version of TLS 1.3 hellos. */
    public static final int TLS_1_2 = 0x0303;
    /** ProtocolVersion of TLS 1.3, the only version QUIC allows (RFC 9001 §4.2). */
    public static final int TLS_1_3 = 0x0304;

    // Extension types (RFC 8446 §4.2, RFC 9001 §8.2).
    /** server_name (RFC 6066). */
    public static final int EXT_SERVER_NAME = 0;
    /** supported_groups (RFC 8422, RFC 7919). */
    public static final int EXT_SUPPORTED_GROUPS = 10;
    /** signature_algorithms. */
    public static final int EXT_SIGNATURE_ALGORITHMS = 13;
    /** application_layer_protocol_negotiation (RFC 7301). */
    public static final int EXT_ALPN = 16;
    /** pre_shared_key. */
    public static final int EXT_PRE_SHARED_KEY = 41;
    /** early_data. */
    public static final int EXT_EARLY_DATA = 42;
    /** supported_versions. */
    public static final int EXT_SUPPORTED_VERSIONS = 43;
    /** cookie. */
    public static final int EXT_COOKIE = 44;
    /** psk_key_exchange_modes. */
    public static final int EXT_PSK_KEY_EXCHANGE_MODES = 45;
    /** key_share. */
    public static final int EXT_KEY_SHARE = 51;
    /** quic_transport_parameters (RFC 9001 §8.2). */
    public static final int EXT_QUIC_TRANSPORT_PARAMETERS = 0x39;

    // Named groups (RFC 8446 §4.2.7).
    /** NamedGroup secp256r1. */
    public static final int GROUP_SECP256R1 = 0x0017;
    /** NamedGroup secp384r1. */
    public static final int GROUP_SECP384R1 = 0x0018;
    /** NamedGroup secp521r1. */
    public static final int GROUP_SECP521R1 = 0x0019;
    /** NamedGroup x25519. */
    public static final int GROUP_X25519 = 0x001d;
    /** NamedGroup x448. */
    public static final int GROUP_X448 = 0x001e;

    // Signature schemes (RFC 8446 §4.2.3).
    /** SignatureScheme rsa_pkcs1_sha256. */
    public static final int RSA_PKCS1_SHA256 = 0x0401;
    /** SignatureScheme rsa_pkcs1_sha384. */
    public static final int RSA_PKCS1_SHA384 = 0x0501;
    /** SignatureScheme rsa_pkcs1_sha512. */
    public static final int RSA_PKCS1_SHA512 = 0x0601;
    /** SignatureScheme ecdsa_secp256r1_sha256. */
    public static final int ECDSA_SECP256R1_SHA256 = 0x0403;
    /** SignatureScheme ecdsa_secp384r1_sha384. */
    public static final int ECDSA_SECP384R1_SHA384 = 0x0503;
    /** SignatureScheme rsa_pss_rsae_sha256. */
    public static final int RSA_PSS_RSAE_SHA256 = 0x0804;
    /** SignatureScheme rsa_pss_rsae_sha384. */
    public static final int RSA_PSS_RSAE_SHA384 = 0x0805;
    /** SignatureScheme rsa_pss_rsae_sha512. */
    public static final int RSA_PSS_RSAE_SHA512 = 0x0806;
    /** SignatureScheme ed25519. */
    public static final int ED25519 = 0x0807;

    // PskKeyExchangeMode (RFC 8446 §4.2.9).
    /** PskKeyExchangeMode psk_dhe_ke: PSK with (EC)DHE key establishment. */
    public static final int PSK_DHE_KE = 1;

    // Alert descriptions (RFC 8446 §6); QUIC sends them as CRYPTO_ERROR 0x0100 + alert (RFC 9001 §4.8).
    /** AlertDescription unexpected_message. */
    public static final int ALERT_UNEXPECTED_MESSAGE = 10;
    /** AlertDescription illegal_parameter. */
    public static final int ALERT_ILLEGAL_PARAMETER = 47;
    /** AlertDescription decode_error. */
    public static final int ALERT_DECODE_ERROR = 50;
    /** AlertDescription protocol_version. */
    public static final int ALERT_PROTOCOL_VERSION = 70;
    /** AlertDescription missing_extension. */
    public static final int ALERT_MISSING_EXTENSION = 109;

    private static final int[] EXTENSION_CODES = {
        EXT_SERVER_NAME, EXT_SUPPORTED_GROUPS, EXT_SIGNATURE_ALGORITHMS, EXT_ALPN, EXT_PRE_SHARED_KEY,
        EXT_EARLY_DATA, EXT_SUPPORTED_VERSIONS, EXT_COOKIE, EXT_PSK_KEY_EXCHANGE_MODES, EXT_KEY_SHARE,
        EXT_QUIC_TRANSPORT_PARAMETERS,
    };
    private static final String[] EXTENSION_NAMES = {
        "server_name", "supported_groups", "signature_algorithms", "application_layer_protocol_negotiation",
        "pre_shared_key", "early_data", "supported_versions", "cookie", "psk_key_exchange_modes", "key_share",
        "quic_transport_parameters",
    };
    private static final int[] GROUP_CODES = {
        GROUP_SECP256R1, GROUP_SECP384R1, GROUP_SECP521R1, GROUP_X25519, GROUP_X448,
    };
    private static final String[] GROUP_NAMES = {
        "secp256r1", "secp384r1", "secp521r1", "x25519", "x448",
    };

    private TlsCodepoints() {
    }

    /**
     * The RFC name of an extension type listed in this class ({@code "key_share"}), or {@code "unknown(0x...)"}.
     */
    public static String extensionName(int type) {
        return name(type, EXTENSION_CODES, EXTENSION_NAMES);
    }

    /** Whether {@code type} is one of the extensions listed in this class: one this library recognizes. */
    static boolean isListedExtension(int type) {
        for (int code : EXTENSION_CODES) {
            if (code == type) {
                return true;
            }
        }
        return false;
    }

    /** The RFC name of a named group listed in this class ({@code "x25519"}), or {@code "unknown(0x...)"}. */
    public static String groupName(int group) {
        return name(group, GROUP_CODES, GROUP_NAMES);
    }

    private static String name(int code, int[] codes, String[] names) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == code) {
                return names[i];
            }
        }
        return "unknown(0x" + Integer.toHexString(code) + ")";
    }
}
