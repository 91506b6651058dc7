package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 9001 Appendix A.5 and RFC 9369 Appendix A.5: a 1-RTT packet protected with ChaCha20-Poly1305, including a
 * duplicate of it opened right after the original (the JDK 17 ChaCha20 trap).
 */
class ShortHeaderChaChaVectorsTest {
    private static final CipherSuite SUITE = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;

    private static Vectors.Vector vector(QuicVersion version) {
        return Vectors.properties(Vectors.rfc(version) + "-A.5-chacha20-short-header.properties");
    }

    private static PacketProtection protection(QuicVersion version) throws CryptoException {
        return CryptoProvider.jca().newPacketProtection(version, SUITE, vector(version).bytes("secret"));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void keysMatchTheRfc(QuicVersion version) {
        Vectors.Vector v = vector(version);
        PacketKeys keys = PacketKeys.derive(version, SUITE, v.bytes("secret"));
        assertEquals(v.string("key"), Hex.encode(keys.key));
        assertEquals(v.string("iv"), Hex.encode(keys.iv));
        assertEquals(v.string("hp"), Hex.encode(keys.hp));
        assertEquals(v.string("ku"), Hex.encode(HkdfLabel.nextSecret(version, SUITE, v.bytes("secret"))));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void protectingGivesTheRfcPacket(QuicVersion version) throws CryptoException {
        Vectors.Vector v = vector(version);
        byte[] header = v.bytes("unprotected_header");
        byte[] plaintext = v.bytes("plaintext");
        byte[] unprotected = new byte[header.length + plaintext.length];
        System.arraycopy(header, 0, unprotected, 0, header.length);
        System.arraycopy(plaintext, 0, unprotected, header.length, plaintext.length);

        byte[] packet = HeaderProtectionHelper.protect(protection(version), unprotected, header.length,
                v.integer("packet_number_length"), v.number("packet_number"));

        assertEquals(v.string("ciphertext"), Hex.encode(packet, header.length, packet.length - header.length));
        assertEquals(v.string("protected_header"), Hex.encode(packet, 0, header.length));
        assertEquals(v.string("packet"), Hex.encode(packet));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theMaskOfTheRfcSampleIsTheRfcMask(QuicVersion version) throws CryptoException {
        Vectors.Vector v = vector(version);
        PacketProtection protection = protection(version);
        byte[] mask = new byte[5];
        protection.headerProtectionMask(ByteBuffer.wrap(v.bytes("sample")), 0, mask);
        assertEquals(v.string("mask"), Hex.encode(mask));
        // the same sample again gives the same mask (same ChaCha20 counter and nonce twice in a row)
        protection.headerProtectionMask(ByteBuffer.wrap(v.bytes("sample")), 0, mask);
        assertEquals(v.string("mask"), Hex.encode(mask));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theRfcPacketAndItsDuplicateBothOpen(QuicVersion version) throws CryptoException {
        Vectors.Vector v = vector(version);
        PacketProtection protection = protection(version);
        byte[] packet = v.bytes("packet");
        for (int copy = 0; copy < 2; copy++) {
            // empty Destination Connection ID: the packet number follows the first byte
            HeaderProtectionHelper.Opened opened = HeaderProtectionHelper.unprotect(protection, packet, 1,
                    v.number("packet_number"));
            assertEquals(v.integer("packet_number_length"), opened.packetNumberLength);
            assertEquals(v.number("packet_number") & 0xffffff, opened.truncatedPacketNumber);
            assertEquals(v.string("unprotected_header"), Hex.encode(opened.packet, 0, opened.headerLength));
            assertEquals(1, opened.plaintextLength);
            assertEquals(v.string("plaintext"), Hex.encode(opened.packet, opened.headerLength, 1));
        }
    }
}
