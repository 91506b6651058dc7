package dev.quicj.core.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import dev.quicj.core.Hex;

/**
 * Fixed protected datagrams used by the harness self-tests, stored as hex resources next to this class
 * ({@code src/test/resources/dev/quicj/core/interop/*.hex}; lines starting with {@code #} are comments).
 * They come from RFC 9001 Appendix A and from the project's close specification (§8.3, vectors V2 and V3), not from
 * this project's code. Every method returns a fresh copy.
 */
public final class InteropVectors {
    /** The client's original DCID of RFC 9001 Appendix A and of the close-spec vectors: {@code 8394c8f03e515708}. */
    public static final String ORIGINAL_DCID_HEX = "8394c8f03e515708";

    private InteropVectors() {
    }

    /** RFC 9001 A.2: the protected 1200-byte client Initial (CRYPTO frame + PADDING, pn 2, DCID = ODCID). */
    public static byte[] rfc9001ClientInitial() {
        return hexResource("rfc9001-a2-client-initial.hex");
    }

    /** RFC 9001 A.3: the protected 135-byte server Initial (ACK + CRYPTO, pn 1, empty DCID, SCID f067a5502a4262b5). */
    public static byte[] rfc9001ServerInitial() {
        return hexResource("rfc9001-a3-server-initial.hex");
    }

    /**
     * Close spec §8.3 V2: a 50-byte server v1 Initial carrying only CONNECTION_CLOSE 0x1c, error 0x128
     * (CRYPTO_ERROR, TLS alert 40), frame type 0, no reason; pn 0; DCID 0102030405060708, SCID f067a5502a4262b5.
     */
    public static byte[] closeSpecV2ServerInitialClose() {
        return hexResource("close-spec-v2-server-initial-close.hex");
    }

    /**
     * Close spec §8.3 V3: a 49-byte server v1 Initial carrying CONNECTION_CLOSE 0x1c, error 0xc
     * (APPLICATION_ERROR, an application close converted for the Initial level), frame type 0, no reason; pn 0.
     */
    public static byte[] closeSpecV3ServerInitialClose() {
        return hexResource("close-spec-v3-server-initial-close.hex");
    }

    /** {@link #ORIGINAL_DCID_HEX} as bytes. */
    public static byte[] originalDcid() {
        return Hex.decode(ORIGINAL_DCID_HEX);
    }

    /**
     * Reads a hex resource of this package ({@code #} comment lines, whitespace and colons ignored).
     *
     * @throws UncheckedIOException if it is missing or unreadable
     */
    public static byte[] hexResource(String name) {
        try (InputStream in = InteropVectors.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("missing resource dev/quicj/core/interop/" + name));
            }
            StringBuilder hex = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\r?\n")) {
                if (!line.trim().startsWith("#")) {
                    hex.append(line).append('\n');
                }
            }
            return Hex.decode(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
