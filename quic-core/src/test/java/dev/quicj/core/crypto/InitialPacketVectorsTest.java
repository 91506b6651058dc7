package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9001 Appendix A.2/A.3 and RFC 9369 Appendix A.2/A.3: the client and server Initial packets, protected from
 * the RFC's unprotected packet and opened back from the RFC's protected packet, byte for byte.
 */
class InitialPacketVectorsTest {

    /** Where the protection comes from. */
    enum Keys {
        /** {@link InitialSecrets}: new instances. */
        FRESH,
        /**
         * {@link InitialProtections}, re-keyed in place (where the JVM allows) from the keys of other DCIDs of both
         * versions, in both derivation modes, before the RFC's DCID.
         */
        REKEYED
    }

    static Stream<Arguments> packets() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Keys keys : Keys.values()) {
            b.add(Arguments.of(QuicVersion.V1, "A.2-client-initial", keys));
            b.add(Arguments.of(QuicVersion.V1, "A.3-server-initial", keys));
            b.add(Arguments.of(QuicVersion.V2, "A.2-client-initial", keys));
            b.add(Arguments.of(QuicVersion.V2, "A.3-server-initial", keys));
        }
        return b.build();
    }

    private static PacketProtection protection(QuicVersion version, Vectors.Vector v, Keys keys)
            throws CryptoException {
        byte[] dcid = Vectors.properties(Vectors.rfc(version) + "-A.1-keys.properties").bytes("dcid");
        boolean client = v.string("side").equals("client");
        if (keys == Keys.FRESH) {
            return client ? InitialSecrets.clientProtection(CryptoProvider.jca(), version, dcid)
                    : InitialSecrets.serverProtection(CryptoProvider.jca(), version, dcid);
        }
        InitialProtections p = new InitialProtections(CryptoProvider.jca());
        byte[] other = new byte[20];
        java.util.SplittableRandom random = new java.util.SplittableRandom(dcid.length);
        for (int i = 0; i < 6; i++) {
            random.nextBytes(other);
            QuicVersion otherVersion = QuicVersion.values()[i % QuicVersion.values().length];
            if (i % 3 == 2) {
                p.deriveServer(otherVersion, other, 1, 8 + i);
            } else {
                p.deriveBoth(otherVersion, other, 0, 20 - i);
                sealSomething(p.client(), random);
            }
            // used, not only keyed: state left behind by use would show in the RFC bytes
            sealSomething(p.server(), random);
        }
        if (client) {
            p.deriveBoth(version, dcid, 0, dcid.length);
            return p.client();
        }
        p.deriveServer(version, dcid, 0, dcid.length);
        return p.server();
    }

    private static void sealSomething(PacketProtection p, java.util.SplittableRandom random) throws CryptoException {
        byte[] packet = new byte[400];
        random.nextBytes(packet);
        ByteBuffer b = ByteBuffer.wrap(packet);
        p.seal(b, 0, 30, 300, random.nextInt(1000));
        byte[] mask = new byte[5];
        p.headerProtectionMask(b, 34, mask);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("packets")
    void protectingTheUnprotectedPacketGivesTheRfcBytes(QuicVersion version, String name, Keys keys) throws CryptoException {
        String base = Vectors.rfc(version) + "-" + name;
        Vectors.Vector v = Vectors.properties(base + ".properties");
        byte[] unprotected = Vectors.hex(base + "-unprotected.hex");
        byte[] expected = Vectors.hex(base + "-protected.hex");
        int headerLength = v.integer("header_length");
        int pnLength = v.integer("packet_number_length");

        byte[] actual = HeaderProtectionHelper.protect(protection(version, v, keys), unprotected, headerLength, pnLength,
                v.number("packet_number"));

        int sampleOffset = headerLength - pnLength + 4;
        assertEquals(v.string("sample"), Hex.encode(actual, sampleOffset, 16), "sample");
        assertEquals(v.string("protected_header"), Hex.encode(actual, 0, headerLength), "protected header");
        assertEquals(Hex.encode(expected), Hex.encode(actual));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("packets")
    void theMaskOfTheRfcSampleIsTheRfcMask(QuicVersion version, String name, Keys keys) throws CryptoException {
        Vectors.Vector v = Vectors.properties(Vectors.rfc(version) + "-" + name + ".properties");
        byte[] mask = new byte[5];
        protection(version, v, keys).headerProtectionMask(ByteBuffer.wrap(v.bytes("sample")), 0, mask);
        assertEquals(v.string("mask"), Hex.encode(mask));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("packets")
    void openingTheProtectedPacketGivesTheRfcPlaintext(QuicVersion version, String name, Keys keys) throws CryptoException {
        String base = Vectors.rfc(version) + "-" + name;
        Vectors.Vector v = Vectors.properties(base + ".properties");
        byte[] unprotected = Vectors.hex(base + "-unprotected.hex");
        byte[] protectedPacket = Vectors.hex(base + "-protected.hex");

        int pnOffset = HeaderProtectionHelper.longHeaderPacketNumberOffset(protectedPacket);
        HeaderProtectionHelper.Opened opened = HeaderProtectionHelper.unprotect(protection(version, v, keys),
                protectedPacket, pnOffset, v.number("packet_number"));

        assertEquals(v.integer("header_length"), opened.headerLength);
        assertEquals(v.integer("packet_number_length"), opened.packetNumberLength);
        assertEquals(v.number("packet_number"), opened.truncatedPacketNumber);
        assertEquals(unprotected.length - opened.headerLength, opened.plaintextLength);
        assertEquals(Hex.encode(unprotected), Hex.encode(Arrays.copyOf(opened.packet, unprotected.length)));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("packets")
    void aCorruptedRfcPacketDoesNotOpen(QuicVersion version, String name, Keys keys) throws CryptoException {
        String base = Vectors.rfc(version) + "-" + name;
        Vectors.Vector v = Vectors.properties(base + ".properties");
        byte[] protectedPacket = Vectors.hex(base + "-protected.hex");
        protectedPacket[protectedPacket.length - 40] ^= 0x01;
        int pnOffset = HeaderProtectionHelper.longHeaderPacketNumberOffset(protectedPacket);
        CryptoException e = org.junit.jupiter.api.Assertions.assertThrows(CryptoException.class,
                () -> HeaderProtectionHelper.unprotect(protection(version, v, keys), protectedPacket, pnOffset,
                        v.number("packet_number")));
        assertEquals("packet does not authenticate", e.getMessage());
        assertArrayEquals(new StackTraceElement[0], e.getStackTrace());
    }
}
