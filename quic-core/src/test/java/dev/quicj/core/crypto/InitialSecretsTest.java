package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 9001 Appendix A.1 and RFC 9369 Appendix A.1: HkdfLabel encodings, Initial secrets and the key, IV and
 * header-protection key of each side.
 */
class InitialSecretsTest {

    private static Vectors.Vector keys(QuicVersion version) {
        return Vectors.properties(Vectors.rfc(version) + "-A.1-keys.properties");
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void hkdfLabelStructuresMatchTheRfc(QuicVersion version) {
        Vectors.Vector v = keys(version);
        String prefix = version.labelPrefix();
        assertEquals(v.string("hkdf_label.client_in"), Hex.encode(HkdfLabel.encodeLabel("client in", null, 32)));
        assertEquals(v.string("hkdf_label.server_in"), Hex.encode(HkdfLabel.encodeLabel("server in", null, 32)));
        assertEquals(v.string("hkdf_label.key"), Hex.encode(HkdfLabel.encodeLabel(prefix + "key", null, 16)));
        assertEquals(v.string("hkdf_label.iv"), Hex.encode(HkdfLabel.encodeLabel(prefix + "iv", null, 12)));
        assertEquals(v.string("hkdf_label.hp"), Hex.encode(HkdfLabel.encodeLabel(prefix + "hp", null, 16)));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void initialAndSideSecretsMatchTheRfc(QuicVersion version) {
        Vectors.Vector v = keys(version);
        byte[] dcid = v.bytes("dcid");
        assertEquals(v.string("initial_secret"), Hex.encode(InitialSecrets.initialSecret(version, dcid)));
        assertEquals(v.string("client.secret"), Hex.encode(InitialSecrets.clientSecret(version, dcid)));
        assertEquals(v.string("server.secret"), Hex.encode(InitialSecrets.serverSecret(version, dcid)));
        // the same through the generic HKDF entry points
        byte[] initial = HkdfLabel.extract(InitialSecrets.SUITE, version.initialSalt(), dcid);
        assertEquals(v.string("initial_secret"), Hex.encode(initial));
        assertEquals(v.string("client.secret"),
                Hex.encode(HkdfLabel.expandLabel(InitialSecrets.SUITE, initial, "client in", new byte[0], 32)));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void packetKeysOfBothSidesMatchTheRfc(QuicVersion version) {
        Vectors.Vector v = keys(version);
        for (String side : new String[] {"client", "server"}) {
            PacketKeys keys = PacketKeys.derive(version, InitialSecrets.SUITE, v.bytes(side + ".secret"));
            assertEquals(v.string(side + ".key"), Hex.encode(keys.key), side + " key");
            assertEquals(v.string(side + ".iv"), Hex.encode(keys.iv), side + " iv");
            assertEquals(v.string(side + ".hp"), Hex.encode(keys.hp), side + " hp");
        }
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void connectionIdsOfZeroToTwentyBytesAreAccepted(QuicVersion version) {
        byte[] empty = InitialSecrets.clientSecret(version, new byte[0]);
        byte[] longest = InitialSecrets.clientSecret(version, new byte[20]);
        assertEquals(32, empty.length);
        assertEquals(32, longest.length);
        assertFalse(Arrays.equals(empty, longest));
        assertFalse(Arrays.equals(InitialSecrets.clientSecret(version, new byte[20]),
                InitialSecrets.serverSecret(version, new byte[20])));
        assertThrows(IllegalArgumentException.class, () -> InitialSecrets.initialSecret(version, new byte[21]));
        assertThrows(IllegalArgumentException.class, () -> InitialSecrets.serverSecret(version, new byte[21]));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theVersionsDeriveDifferentInitialSecrets(QuicVersion version) {
        QuicVersion other = version == QuicVersion.V1 ? QuicVersion.V2 : QuicVersion.V1;
        byte[] dcid = keys(version).bytes("dcid");
        assertFalse(Arrays.equals(InitialSecrets.initialSecret(version, dcid),
                InitialSecrets.initialSecret(other, dcid)));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void protectionHelpersUseTheSideSecrets(QuicVersion version) throws CryptoException {
        byte[] dcid = keys(version).bytes("dcid");
        PacketProtection client = InitialSecrets.clientProtection(CryptoProvider.jca(), version, dcid);
        PacketProtection server = InitialSecrets.serverProtection(CryptoProvider.jca(), version, dcid);
        assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, client.suite());
        assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, server.suite());
        PacketProtection clientAgain = CryptoProvider.jca().newPacketProtection(version, InitialSecrets.SUITE,
                keys(version).bytes("client.secret"));
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        client.seal(java.nio.ByteBuffer.wrap(a), 0, 8, 40, 7);
        clientAgain.seal(java.nio.ByteBuffer.wrap(b), 0, 8, 40, 7);
        assertArrayEquals(a, b);
        // the server's keys do not open the client's packet
        assertThrows(CryptoException.class, () -> server.open(java.nio.ByteBuffer.wrap(b), 0, 8, 56, 7));
    }
}
