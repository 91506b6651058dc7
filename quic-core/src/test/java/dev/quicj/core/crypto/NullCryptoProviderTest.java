package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The null-crypto convention of close-spec §8.3: zero tag appended, payload untouched, zero mask. */
class NullCryptoProviderTest {

    private static PacketProtection protection(CipherSuite suite) {
        try {
            return CryptoProvider.nullCrypto().newPacketProtection(QuicVersion.V1, suite, new byte[suite.hashLength()]);
        } catch (CryptoException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void reportsTheSuiteItWasAskedFor(CipherSuite suite) {
        assertSame(suite, protection(suite).suite());
        assertEquals(16, protection(suite).tagLength());
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void sealWritesSixteenZerosAfterAnUntouchedPayload(CipherSuite suite) throws CryptoException {
        byte[] packet = new byte[3 + 10 + 20 + 16 + 4];
        Arrays.fill(packet, (byte) 0x5a);
        byte[] before = packet.clone();
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.wrap(packet), direct(packet)}) {
            buf.position(2).limit(5);
            protection(suite).seal(buf, 3, 10, 20, 1234);
            assertEquals(2, buf.position());
            assertEquals(5, buf.limit());
            byte[] after = contents(buf);
            assertArrayEquals(Arrays.copyOf(before, 33), Arrays.copyOf(after, 33));
            assertArrayEquals(new byte[16], Arrays.copyOfRange(after, 33, 49));
            assertArrayEquals(Arrays.copyOfRange(before, 49, 53), Arrays.copyOfRange(after, 49, 53));
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void openAcceptsOnlyAZeroTag(CipherSuite suite) throws CryptoException {
        byte[] packet = new byte[10 + 20 + 16];
        Arrays.fill(packet, 0, 30, (byte) 0x33);
        byte[] before = packet.clone();
        PacketProtection p = protection(suite);
        assertEquals(20, p.open(ByteBuffer.wrap(packet), 0, 10, 36, 0));
        assertEquals(20, p.open(direct(packet), 0, 10, 36, 0));
        assertArrayEquals(before, packet);
        assertEquals(0, p.open(ByteBuffer.wrap(packet), 14, 16, 16, 0));
        for (int i = 30; i < 46; i++) {
            byte[] bad = packet.clone();
            bad[i] = (byte) 0x80;
            CryptoException e = assertThrows(CryptoException.class, () -> p.open(ByteBuffer.wrap(bad), 0, 10, 36, 0));
            assertEquals("packet does not authenticate", e.getMessage());
            assertThrows(CryptoException.class, () -> p.open(direct(bad), 0, 10, 36, 0));
        }
        assertThrows(CryptoException.class, () -> p.open(ByteBuffer.wrap(packet), 0, 30, 15, 0));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void maskIsFiveZeros(CipherSuite suite) throws CryptoException {
        byte[] mask = {1, 2, 3, 4, 5, 6};
        protection(suite).headerProtectionMask(ByteBuffer.wrap(new byte[40]), 24, mask);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 6}, mask);
        assertThrows(IndexOutOfBoundsException.class,
                () -> protection(suite).headerProtectionMask(ByteBuffer.wrap(new byte[40]), 25, mask));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void secretLengthIsCheckedLikeTheRealProvider(CipherSuite suite) {
        assertThrows(IllegalArgumentException.class, () -> CryptoProvider.nullCrypto()
                .newPacketProtection(QuicVersion.V1, suite, new byte[suite.hashLength() - 1]));
        assertThrows(IllegalArgumentException.class, () -> CryptoProvider.nullCrypto()
                .newPacketProtection(QuicVersion.V2, suite, new byte[suite.hashLength() + 1]));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void boundsAreChecked(CipherSuite suite) {
        PacketProtection p = protection(suite);
        assertThrows(IndexOutOfBoundsException.class, () -> p.seal(ByteBuffer.allocate(45), 0, 10, 20, 0));
        assertThrows(IllegalArgumentException.class, () -> p.seal(ByteBuffer.allocate(46), 0, 10, 20, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> p.open(ByteBuffer.allocate(45), 0, 10, 36, 0));
    }

    /**
     * The PacketProtection contract: a range outside the capacity is an IndexOutOfBoundsException. Header length,
     * payload length and the 16-byte tag summed in int wrap to a small positive total (2 * (2^31 - 1) + 16 = 14 mod
     * 2^32) that passed the range check, and seal then zeroed 16 bytes before the header and returned normally, the
     * defect AeadPacketProtection had (commit 86cae3f).
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void lengthsWhoseSumOverflowsAreRefusedAsOutOfBounds(CipherSuite suite) {
        PacketProtection p = protection(suite);
        byte[] content = new byte[64];
        Arrays.fill(content, (byte) 0x5a);
        ByteBuffer heap = ByteBuffer.wrap(content);
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.seal(heap, 10, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.seal(heap, 10, Integer.MAX_VALUE - 8, 0, 0), "the tag's 16 bytes overflow the sum");
        byte[] untouched = new byte[64];
        Arrays.fill(untouched, (byte) 0x5a);
        assertArrayEquals(untouched, content, "nothing written");
        ByteBuffer direct = direct(untouched);
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.seal(direct, 10, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        assertArrayEquals(untouched, contents(direct), "nothing written");
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.open(heap, 10, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
    }

    private static ByteBuffer direct(byte[] content) {
        ByteBuffer buf = ByteBuffer.allocateDirect(content.length);
        buf.put(0, content);
        return buf;
    }

    private static byte[] contents(ByteBuffer buf) {
        byte[] out = new byte[buf.capacity()];
        buf.duplicate().clear().get(out);
        return out;
    }
}
