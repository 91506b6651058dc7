package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketCrypto;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The receive path's own code, {@link PacketParser} then {@link PacketCrypto#unprotect}, on the protected packets of
 * RFC 9001 and RFC 9369 Appendix A (the other vector tests open them through a test helper): header protection
 * removed with the 4- or 5-bit first-byte mask and the packet number length read from the unmasked byte
 * (RFC 9001 §5.4.1), the sample taken at pn_offset + 4 (§5.4.2), the full packet number reconstructed from the
 * largest received (RFC 9000 Appendix A.3) and that number, not the truncated one, XORed into the nonce (§5.3).
 */
class PacketCryptoVectorsTest {

    /** Where the datagram lives: the path through PacketProtection differs (backing array or staging copy). */
    enum Kind {
        HEAP,
        DIRECT
    }

    private static ByteBuffer buffer(Kind kind, byte[] content) {
        ByteBuffer b = kind == Kind.HEAP ? ByteBuffer.allocate(content.length) : ByteBuffer.allocateDirect(content.length);
        return b.put(0, content);
    }

    private static byte[] bytes(ByteBuffer b, int from, int to) {
        byte[] out = new byte[to - from];
        b.get(from, out);
        return out;
    }

    private static void opensTheRfcInitial(QuicVersion version, String name, Kind kind) throws CryptoException {
        String base = Vectors.rfc(version) + "-" + name;
        Vectors.Vector v = Vectors.properties(base + ".properties");
        byte[] unprotected = Vectors.hex(base + "-unprotected.hex");
        byte[] dcid = Vectors.properties(Vectors.rfc(version) + "-A.1-keys.properties").bytes("dcid");
        PacketProtection keys = v.string("side").equals("client")
                ? InitialSecrets.clientProtection(CryptoProvider.jca(), version, dcid)
                : InitialSecrets.serverProtection(CryptoProvider.jca(), version, dcid);
        ByteBuffer dg = buffer(kind, Vectors.hex(base + "-protected.hex"));
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(dg, 0, 0, h));
        assertEquals(version, h.version());

        // no packet received yet in the space: the RFC's packet numbers (1 and 2) decode from -1
        PacketCrypto.unprotect(dg, h, keys, -1, new byte[PacketProtection.MASK_LENGTH]);

        int headerLength = v.integer("header_length");
        assertEquals(v.integer("packet_number_length"), h.packetNumberLength());
        assertEquals(v.number("packet_number"), h.packetNumber());
        assertEquals(headerLength, h.payloadOffset());
        assertEquals(unprotected.length - headerLength, h.payloadLength());
        assertEquals(unprotected[0] & 0xff, h.firstByte());
        assertEquals(Hex.encode(unprotected), Hex.encode(bytes(dg, 0, unprotected.length)));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRfcClientInitialsOpen(Kind kind) throws CryptoException {
        for (QuicVersion version : QuicVersion.values()) {
            opensTheRfcInitial(version, "A.2-client-initial", kind);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRfcServerInitialsOpen(Kind kind) throws CryptoException {
        for (QuicVersion version : QuicVersion.values()) {
            opensTheRfcInitial(version, "A.3-server-initial", kind);
        }
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theRfcShortHeaderOpensWithTheReconstructedPacketNumberOnly(QuicVersion version) throws CryptoException {
        Vectors.Vector v = Vectors.properties(Vectors.rfc(version) + "-A.5-chacha20-short-header.properties");
        PacketProtection keys = CryptoProvider.jca().newPacketProtection(version,
                CipherSuite.TLS_CHACHA20_POLY1305_SHA256, v.bytes("secret"));
        long pn = v.number("packet_number");
        byte[] packet = v.bytes("packet");
        PacketHeader h = new PacketHeader();
        for (Kind kind : Kind.values()) {
            // the 3-byte encoding 0x00bff4 alone decodes to 49140: the nonce is then wrong and the packet does not open
            ByteBuffer alone = buffer(kind, packet);
            assertEquals(HeaderStatus.OK, PacketParser.parse(alone, 0, 0, h));
            CryptoException e = assertThrows(CryptoException.class,
                    () -> PacketCrypto.unprotect(alone, h, keys, -1, new byte[PacketProtection.MASK_LENGTH]));
            assertEquals("packet does not authenticate", e.getMessage());

            // after packet pn - 1 it decodes to the RFC's number, which opens it
            ByteBuffer dg = buffer(kind, packet);
            assertEquals(HeaderStatus.OK, PacketParser.parse(dg, 0, 0, h));
            assertEquals(1, h.pnOffset(), "empty DCID");
            PacketCrypto.unprotect(dg, h, keys, pn - 1, new byte[PacketProtection.MASK_LENGTH]);
            assertEquals(pn, h.packetNumber());
            assertEquals(v.integer("packet_number_length"), h.packetNumberLength());
            byte[] header = v.bytes("unprotected_header");
            assertEquals(header[0] & 0xff, h.firstByte());
            assertEquals(0, h.keyPhase());
            assertEquals(header.length, h.payloadOffset());
            assertEquals(1, h.payloadLength());
            assertEquals(Hex.encode(header) + v.string("plaintext"), Hex.encode(bytes(dg, 0, header.length + 1)),
                    kind.name());
        }
    }
}
