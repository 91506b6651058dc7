package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 9001 Appendix A.4 and RFC 9369 Appendix A.4: the Retry Integrity Tag. */
class RetryIntegrityTest {

    private static Vectors.Vector vector(QuicVersion version) {
        return Vectors.properties(Vectors.rfc(version) + "-A.4-retry.properties");
    }

    private static byte[] packet(QuicVersion version) {
        return Vectors.hex(Vectors.rfc(version) + "-A.4-retry.hex");
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theTagOfTheRfcRetryIsTheRfcTag(QuicVersion version) throws CryptoException {
        Vectors.Vector v = vector(version);
        byte[] retry = packet(version);
        byte[] tag = RetryIntegrity.tag(version, v.bytes("original_dcid"), retry, 0, retry.length - 16);
        assertEquals(v.string("tag"), Hex.encode(tag));
        assertEquals(Hex.encode(retry, retry.length - 16, 16), Hex.encode(tag));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theRfcRetryVerifies(QuicVersion version) throws CryptoException {
        byte[] odcid = vector(version).bytes("original_dcid");
        byte[] retry = packet(version);
        assertTrue(RetryIntegrity.verify(version, odcid, retry, 0, retry.length));
        // at an offset inside a larger array, and through a buffer whose position and limit stay put
        byte[] padded = new byte[retry.length + 7];
        System.arraycopy(retry, 0, padded, 3, retry.length);
        assertTrue(RetryIntegrity.verify(version, odcid, padded, 3, retry.length));
        ByteBuffer buf = ByteBuffer.allocateDirect(padded.length).put(padded);
        buf.position(1).limit(padded.length - 2);
        assertTrue(RetryIntegrity.verify(version, odcid, buf, 3, retry.length));
        assertEquals(Hex.encode(retry, retry.length - 16, 16),
                Hex.encode(RetryIntegrity.tag(version, odcid, buf, 3, retry.length - 16)));
        assertEquals(1, buf.position());
        assertEquals(padded.length - 2, buf.limit());
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void everyFlippedBitFailsVerification(QuicVersion version) throws CryptoException {
        byte[] odcid = vector(version).bytes("original_dcid");
        byte[] retry = packet(version);
        for (int i = 0; i < retry.length * 8; i++) {
            retry[i / 8] ^= (byte) (1 << (i % 8));
            assertFalse(RetryIntegrity.verify(version, odcid, retry, 0, retry.length), "bit " + i);
            retry[i / 8] ^= (byte) (1 << (i % 8));
        }
        assertTrue(RetryIntegrity.verify(version, odcid, retry, 0, retry.length));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void theOriginalConnectionIdAndTheVersionAreAuthenticated(QuicVersion version) throws CryptoException {
        byte[] odcid = vector(version).bytes("original_dcid");
        byte[] retry = packet(version);
        byte[] otherDcid = odcid.clone();
        otherDcid[7] ^= 1;
        assertFalse(RetryIntegrity.verify(version, otherDcid, retry, 0, retry.length));
        assertFalse(RetryIntegrity.verify(version, new byte[0], retry, 0, retry.length));
        QuicVersion other = version == QuicVersion.V1 ? QuicVersion.V2 : QuicVersion.V1;
        assertFalse(RetryIntegrity.verify(other, odcid, retry, 0, retry.length));
    }

    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void shortPacketsAndLongConnectionIds(QuicVersion version) throws CryptoException {
        byte[] retry = packet(version);
        assertFalse(RetryIntegrity.verify(version, new byte[8], retry, 0, 15));
        assertEquals(16, RetryIntegrity.tag(version, new byte[20], retry, 0, 0).length);
        assertThrows(IllegalArgumentException.class, () -> RetryIntegrity.tag(version, new byte[21], retry, 0, 10));
        assertThrows(IndexOutOfBoundsException.class,
                () -> RetryIntegrity.verify(version, new byte[8], retry, 1, retry.length));
    }

    /** RFC 9001 §5.8 and RFC 9369 §3.3.3: the fixed Retry key and nonce derive from the published Retry secrets. */
    @org.junit.jupiter.api.Test
    void retryKeyAndNonceDeriveFromTheRfcRetrySecrets() {
        byte[] v1 = Hex.decode("d9c9943e6101fd200021506bcc02814c73030f25c79d71ce876eca876e6fca8e");
        byte[] v2 = Hex.decode("c4dd2484d681aefa4ff4d69c2c20299984a765a5d3c31982f38fc74162155e9f");
        assertEquals("be0c690b9f66575a1d766b54e368c84e", Hex.encode(QuicVersion.V1.retryKey()));
        assertEquals("461599d35d632bf2239825bb", Hex.encode(QuicVersion.V1.retryNonce()));
        assertEquals("8fb4b01b56ac48e260fbcbcead7ccc92", Hex.encode(QuicVersion.V2.retryKey()));
        assertEquals("d86969bc2d7c6d9990efb04a", Hex.encode(QuicVersion.V2.retryNonce()));
        assertEquals(Hex.encode(QuicVersion.V1.retryKey()),
                Hex.encode(HkdfLabel.expandLabelSha256(v1, "quic key", null, 16)));
        assertEquals(Hex.encode(QuicVersion.V1.retryNonce()),
                Hex.encode(HkdfLabel.expandLabelSha256(v1, "quic iv", null, 12)));
        assertEquals(Hex.encode(QuicVersion.V2.retryKey()),
                Hex.encode(HkdfLabel.expandLabelSha256(v2, "quicv2 key", null, 16)));
        assertEquals(Hex.encode(QuicVersion.V2.retryNonce()),
                Hex.encode(HkdfLabel.expandLabelSha256(v2, "quicv2 iv", null, 12)));
    }
}
