package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The protected CONNECTION_CLOSE packets of close-spec §8.3, which the close writer will have to reproduce: here
 * only their protection is checked, from the spec's unprotected header and payload.
 */
class ClosePacketVectorsTest {
    private static final Vectors.Vector VECTORS = Vectors.properties("close-spec-8.3-close-packets.properties");
    private static final byte[] ORIGINAL_DCID = Hex.decode("8394c8f03e515708");

    private static PacketProtection protection(String id) throws CryptoException {
        switch (VECTORS.string(id + ".keys")) {
            case "client":
                return InitialSecrets.clientProtection(CryptoProvider.jca(), QuicVersion.V1, ORIGINAL_DCID);
            case "server":
                return InitialSecrets.serverProtection(CryptoProvider.jca(), QuicVersion.V1, ORIGINAL_DCID);
            default:
                return CryptoProvider.jca().newPacketProtection(QuicVersion.V1,
                        CipherSuite.TLS_CHACHA20_POLY1305_SHA256, VECTORS.bytes(id + ".secret"));
        }
    }

    private static byte[] protect(String id) throws CryptoException {
        byte[] header = VECTORS.bytes(id + ".header");
        byte[] payload = VECTORS.bytes(id + ".payload");
        if (id.equals("V1")) {
            payload = Arrays.copyOf(payload, VECTORS.integer(id + ".padded_payload_length"));
        }
        byte[] unprotected = new byte[header.length + payload.length];
        System.arraycopy(header, 0, unprotected, 0, header.length);
        System.arraycopy(payload, 0, unprotected, header.length, payload.length);
        // every vector uses a 1-byte packet number
        return HeaderProtectionHelper.protect(protection(id), unprotected, header.length, 1,
                VECTORS.number(id + ".packet_number"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V2", "V3", "V5"})
    void smallClosePacketsAreProtectedByteForByte(String id) throws CryptoException {
        assertEquals(VECTORS.string(id + ".packet"), Hex.encode(protect(id)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V2", "V3", "V5"})
    void smallClosePacketsOpen(String id) throws CryptoException {
        byte[] header = VECTORS.bytes(id + ".header");
        int pnOffset = header.length - 1;
        HeaderProtectionHelper.Opened opened = HeaderProtectionHelper.unprotect(protection(id),
                VECTORS.bytes(id + ".packet"), pnOffset, VECTORS.number(id + ".packet_number"));
        assertEquals(Hex.encode(header), Hex.encode(opened.packet, 0, opened.headerLength));
        assertEquals(VECTORS.string(id + ".payload"), Hex.encode(opened.packet, opened.headerLength,
                opened.plaintextLength));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V1", "V3"})
    void masksOfTheSpecSamples(String id) throws CryptoException {
        byte[] mask = new byte[5];
        protection(id).headerProtectionMask(ByteBuffer.wrap(VECTORS.bytes(id + ".sample")), 0, mask);
        assertEquals(VECTORS.string(id + ".mask"), Hex.encode(mask));
    }

    @ParameterizedTest
    @ValueSource(strings = {"V1"})
    void thePaddedClientClosePacketMatchesItsDigest(String id) throws CryptoException, NoSuchAlgorithmException {
        byte[] packet = protect(id);
        assertEquals(1200, packet.length);
        int sampleOffset = VECTORS.bytes(id + ".header").length - 1 + 4;
        assertEquals(VECTORS.string(id + ".sample"), Hex.encode(packet, sampleOffset, 16));
        assertEquals(VECTORS.string(id + ".packet_first_48"), Hex.encode(packet, 0, 48));
        assertEquals(VECTORS.string(id + ".packet_last_32"), Hex.encode(packet, 1200 - 32, 32));
        assertEquals(VECTORS.string(id + ".packet_sha256"),
                Hex.encode(MessageDigest.getInstance("SHA-256").digest(packet)));
    }
}
