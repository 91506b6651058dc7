package dev.quicj.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Test vectors, raw message builders and assertions shared by the tests of this package. */
final class TlsTestSupport {
    /** CRYPTO_ERROR(decode_error) = 0x0100 + 50. */
    static final long DECODE_ERROR = TransportErrorCode.cryptoError(TlsCodepoints.ALERT_DECODE_ERROR);
    /** CRYPTO_ERROR(illegal_parameter) = 0x0100 + 47. */
    static final long ILLEGAL_PARAMETER = TransportErrorCode.cryptoError(TlsCodepoints.ALERT_ILLEGAL_PARAMETER);
    /** CRYPTO_ERROR(unexpected_message) = 0x0100 + 10. */
    static final long UNEXPECTED_MESSAGE = TransportErrorCode.cryptoError(TlsCodepoints.ALERT_UNEXPECTED_MESSAGE);
    /** CRYPTO_ERROR(protocol_version) = 0x0100 + 70. */
    static final long PROTOCOL_VERSION = TransportErrorCode.cryptoError(TlsCodepoints.ALERT_PROTOCOL_VERSION);
    /** CRYPTO_ERROR(missing_extension) = 0x0100 + 109. */
    static final long MISSING_EXTENSION = TransportErrorCode.cryptoError(TlsCodepoints.ALERT_MISSING_EXTENSION);

    private TlsTestSupport() {
    }

    /** A hex resource of this package; {@code #} starts a comment that runs to the end of the line. */
    static byte[] vector(String name) {
        try (InputStream in = TlsTestSupport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test vector " + name);
            }
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int comment = line.indexOf('#');
                hex.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
            }
            return Hex.decode(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that {@code decoding} throws a {@link QuicException} with {@code errorCode}, and returns it. */
    static QuicException assertQuicError(long errorCode, Executable decoding) {
        QuicException e = assertThrows(QuicException.class, decoding);
        assertEquals(TransportErrorCode.name(errorCode), TransportErrorCode.name(e.errorCode()), e::toString);
        return e;
    }

    /** Big-endian bytes of a 16-bit value. */
    static byte[] u16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    /** Concatenation. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code opaque x<0..2^8-1>}. */
    static byte[] vector8(byte[] content) {
        return concat(new byte[] {(byte) content.length}, content);
    }

    /** {@code opaque x<0..2^16-1>}. */
    static byte[] vector16(byte[] content) {
        return concat(u16(content.length), content);
    }

    /** An Extension: type, then its data as a 16-bit vector. */
    static byte[] extension(int type, byte[] data) {
        return concat(u16(type), vector16(data));
    }

    /** A handshake message: type, 24-bit length, body. */
    static byte[] handshake(int type, byte[] body) {
        return concat(new byte[] {(byte) type, (byte) (body.length >>> 16), (byte) (body.length >>> 8),
            (byte) body.length}, body);
    }

    /** A SecureRandom that hands out fixed bytes, repeating them as needed (RFC 7748 test keys, exact-byte tests). */
    static SecureRandom fixedRandom(byte[] bytes) {
        return new SecureRandom() {
            private static final long serialVersionUID = 1L;
            private int next;

            @Override
            public void nextBytes(byte[] out) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = bytes[next++ % bytes.length];
                }
            }
        };
    }

    /**
     * A ClientHello made field by field, so tests can break one field at a time. By default it is the smallest
     * ClientHello {@link ClientHelloInfo} accepts: TLS 1.3 in supported_versions and transport parameters holding
     * only initial_source_connection_id.
     */
    static final class RawClientHello {
        int type = TlsCodepoints.CLIENT_HELLO;
        int legacyVersion = TlsCodepoints.TLS_1_2;
        byte[] random = new byte[32];
        byte[] sessionId = {};
        byte[] cipherSuites = concat(u16(0x1301), u16(0x1302));
        byte[] compressionMethods = {0};
        final List<byte[]> extensions = new ArrayList<>();

        RawClientHello() {
            extensions.add(extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS, vector8(u16(TlsCodepoints.TLS_1_3))));
            // the three RFC 8446 §9.2 requires of a TLS 1.3 ClientHello without pre_shared_key
            extensions.add(extension(TlsCodepoints.EXT_SUPPORTED_GROUPS, vector16(u16(TlsCodepoints.GROUP_X25519))));
            extensions.add(extension(TlsCodepoints.EXT_SIGNATURE_ALGORITHMS, vector16(u16(TlsCodepoints.ED25519))));
            extensions.add(extension(TlsCodepoints.EXT_KEY_SHARE,
                    vector16(concat(u16(TlsCodepoints.GROUP_X25519), vector16(new byte[32])))));
            extensions.add(extension(TlsCodepoints.EXT_QUIC_TRANSPORT_PARAMETERS,
                    Hex.decode("0f 04 01020304"))); // initial_source_connection_id, 4 bytes
        }

        /** Puts this extension (type and data, as {@link #extension} makes it) in place of one of its type, or last. */
        RawClientHello with(byte[] extension) {
            int type = typeOf(extension);
            for (int i = 0; i < extensions.size(); i++) {
                if (typeOf(extensions.get(i)) == type) {
                    extensions.set(i, extension);
                    return this;
                }
            }
            extensions.add(extension);
            return this;
        }

        private static int typeOf(byte[] extension) {
            return (extension[0] & 0xff) << 8 | (extension[1] & 0xff);
        }

        /** Drops the extension of this type, if there is one. */
        RawClientHello without(int extensionType) {
            extensions.removeIf(e -> typeOf(e) == extensionType);
            return this;
        }

        byte[] encode() {
            byte[] body = concat(u16(legacyVersion), random, vector8(sessionId), vector16(cipherSuites),
                    vector8(compressionMethods), vector16(concat(extensions.toArray(new byte[0][]))));
            return handshake(type, body);
        }
    }

    /** A ServerHello made field by field; by default a TLS 1.3 ServerHello with an X25519 key share. */
    static final class RawServerHello {
        int type = TlsCodepoints.SERVER_HELLO;
        int legacyVersion = TlsCodepoints.TLS_1_2;
        byte[] random = new byte[32];
        byte[] sessionIdEcho = {};
        int cipherSuite = 0x1302;
        int compressionMethod = 0;
        final List<byte[]> extensions = new ArrayList<>();

        RawServerHello() {
            extensions.add(extension(TlsCodepoints.EXT_SUPPORTED_VERSIONS, u16(TlsCodepoints.TLS_1_3)));
            extensions.add(extension(TlsCodepoints.EXT_KEY_SHARE,
                    concat(u16(TlsCodepoints.GROUP_X25519), vector16(new byte[32]))));
        }

        byte[] encode() {
            byte[] body = concat(u16(legacyVersion), random, vector8(sessionIdEcho), u16(cipherSuite),
                    new byte[] {(byte) compressionMethod}, vector16(concat(extensions.toArray(new byte[0][]))));
            return handshake(type, body);
        }
    }
}
