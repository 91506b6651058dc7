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
}
