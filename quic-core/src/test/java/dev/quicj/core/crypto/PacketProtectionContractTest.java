package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link PacketProtection} contract for every suite of {@link CryptoProvider#jca()}: identical results for
 * heap, sliced heap (non-zero array offset) and direct buffers; position, limit and mark never moved; indexes up to
 * the capacity even beyond the limit; duplicates open; failures are typed.
 */
class PacketProtectionContractTest {
    private static final int HEADER_OFFSET = 5;
    private static final int HEADER_LENGTH = 25;
    private static final int PAYLOAD_LENGTH = 1150;
    private static final int TOTAL = HEADER_OFFSET + HEADER_LENGTH + PAYLOAD_LENGTH + 16;
    private static final long PACKET_NUMBER = 0x1234_5678_9aL;

    /** The buffer kinds a caller may hand in; each holds the content at index 0 and has exactly its capacity. */
    enum Kind {
        HEAP {
            @Override
            ByteBuffer make(byte[] content) {
                return ByteBuffer.wrap(content.clone());
            }
        },
        HEAP_SLICE {
            @Override
            ByteBuffer make(byte[] content) {
                ByteBuffer whole = ByteBuffer.allocate(content.length + 11);
                ByteBuffer slice = whole.position(7).limit(7 + content.length).slice();
                slice.put(0, content);
                return slice;
            }
        },
        DIRECT {
            @Override
            ByteBuffer make(byte[] content) {
                ByteBuffer buf = ByteBuffer.allocateDirect(content.length);
                buf.put(0, content);
                return buf;
            }
        },
        DIRECT_SLICE {
            @Override
            ByteBuffer make(byte[] content) {
                ByteBuffer whole = ByteBuffer.allocateDirect(content.length + 11);
                ByteBuffer slice = whole.position(3).limit(3 + content.length).slice();
                slice.put(0, content);
                return slice;
            }
        };

        abstract ByteBuffer make(byte[] content);
    }

    private static byte[] secret(CipherSuite suite) {
        byte[] secret = new byte[suite.hashLength()];
        new Random(suite.code()).nextBytes(secret);
        return secret;
    }

    private static PacketProtection protection(CipherSuite suite) throws CryptoException {
        return CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret(suite));
    }

    private static byte[] content() {
        byte[] content = new byte[TOTAL];
        new Random(42).nextBytes(content);
        return content;
    }

    private static byte[] contents(ByteBuffer buf) {
        byte[] out = new byte[buf.capacity()];
        buf.duplicate().clear().get(out);
        return out;
    }

    /** Sets position 2, mark at 1, and a limit that ends inside the header (below the packet's end). */
    private static void scramble(ByteBuffer buf) {
        buf.limit(HEADER_OFFSET + 3).position(1).mark().position(2);
    }

    private static void assertUntouched(ByteBuffer buf) {
        assertEquals(2, buf.position(), "position");
        assertEquals(HEADER_OFFSET + 3, buf.limit(), "limit");
        buf.reset();
        assertEquals(1, buf.position(), "mark");
        buf.position(2);
    }

    private static final class Result {
        final byte[] sealed;
        final byte[] mask;

        Result(byte[] sealed, byte[] mask) {
            this.sealed = sealed;
            this.mask = mask;
        }
    }

    private static Result sealAndMask(CipherSuite suite, Kind kind) throws CryptoException {
        PacketProtection protection = protection(suite);
        ByteBuffer buf = kind.make(content());
        scramble(buf);
        protection.seal(buf, HEADER_OFFSET, HEADER_LENGTH, PAYLOAD_LENGTH, PACKET_NUMBER);
        assertUntouched(buf);
        byte[] mask = new byte[5];
        protection.headerProtectionMask(buf, HEADER_OFFSET + HEADER_LENGTH, mask);
        assertUntouched(buf);
        return new Result(contents(buf), mask);
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void everyBufferKindGivesTheSameBytes(CipherSuite suite) throws CryptoException {
        Result reference = sealAndMask(suite, Kind.HEAP);
        byte[] original = content();
        assertArrayEquals(Arrays.copyOf(original, HEADER_OFFSET + HEADER_LENGTH),
                Arrays.copyOf(reference.sealed, HEADER_OFFSET + HEADER_LENGTH), "header and bytes before it");
        assertFalse(Arrays.equals(original, reference.sealed));
        for (Kind kind : Kind.values()) {
            Result result = sealAndMask(suite, kind);
            assertArrayEquals(reference.sealed, result.sealed, kind.name());
            assertArrayEquals(reference.mask, result.mask, kind.name());
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void everyBufferKindOpensTwiceInARow(CipherSuite suite) throws CryptoException {
        byte[] sealed = sealAndMask(suite, Kind.HEAP).sealed;
        byte[] original = content();
        PacketProtection protection = protection(suite);
        for (Kind kind : Kind.values()) {
            for (int copy = 0; copy < 2; copy++) {
                ByteBuffer buf = kind.make(sealed);
                scramble(buf);
                byte[] mask = new byte[5];
                protection.headerProtectionMask(buf, HEADER_OFFSET + HEADER_LENGTH, mask);
                assertUntouched(buf);
                assertEquals(PAYLOAD_LENGTH,
                        protection.open(buf, HEADER_OFFSET, HEADER_LENGTH, PAYLOAD_LENGTH + 16, PACKET_NUMBER));
                assertUntouched(buf);
                assertArrayEquals(Arrays.copyOf(original, TOTAL - 16), Arrays.copyOf(contents(buf), TOTAL - 16),
                        kind + " copy " + copy);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void tamperedPacketsDoNotAuthenticate(CipherSuite suite) throws CryptoException {
        byte[] sealed = sealAndMask(suite, Kind.HEAP).sealed;
        PacketProtection protection = protection(suite);
        for (int index : new int[] {HEADER_OFFSET, HEADER_OFFSET + HEADER_LENGTH - 1, HEADER_OFFSET + HEADER_LENGTH,
                TOTAL - 17, TOTAL - 16, TOTAL - 1}) {
            for (Kind kind : new Kind[] {Kind.HEAP, Kind.DIRECT}) {
                byte[] bad = sealed.clone();
                bad[index] ^= 0x04;
                ByteBuffer buf = kind.make(bad);
                scramble(buf);
                CryptoException e = assertThrows(CryptoException.class, () -> protection.open(buf, HEADER_OFFSET,
                        HEADER_LENGTH, PAYLOAD_LENGTH + 16, PACKET_NUMBER), kind + " byte " + index);
                assertEquals("packet does not authenticate", e.getMessage());
                assertEquals(0, e.getStackTrace().length, "stackless");
                assertUntouched(buf);
            }
        }
        assertThrows(CryptoException.class, () -> protection.open(ByteBuffer.wrap(sealed.clone()), HEADER_OFFSET,
                HEADER_LENGTH, PAYLOAD_LENGTH + 16, PACKET_NUMBER + 1));
        // a different secret
        byte[] otherSecret = secret(suite);
        otherSecret[0] ^= 1;
        PacketProtection other = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, otherSecret);
        assertThrows(CryptoException.class, () -> other.open(ByteBuffer.wrap(sealed.clone()), HEADER_OFFSET,
                HEADER_LENGTH, PAYLOAD_LENGTH + 16, PACKET_NUMBER));
        // the packet still opens after all the failures
        assertEquals(PAYLOAD_LENGTH, protection.open(ByteBuffer.wrap(sealed.clone()), HEADER_OFFSET, HEADER_LENGTH,
                PAYLOAD_LENGTH + 16, PACKET_NUMBER));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void aCiphertextShorterThanTheTagIsRejected(CipherSuite suite) throws CryptoException {
        PacketProtection protection = protection(suite);
        for (int length = 0; length < 16; length++) {
            int n = length;
            CryptoException e = assertThrows(CryptoException.class,
                    () -> protection.open(ByteBuffer.allocate(64), 0, 20, n, 0));
            assertEquals(0, e.getStackTrace().length);
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void emptyPayloadAndLargestPacketNumberRoundTrip(CipherSuite suite) throws CryptoException {
        PacketProtection sender = protection(suite);
        PacketProtection receiver = protection(suite);
        long pn = (1L << 62) - 1;
        for (Kind kind : Kind.values()) {
            // 4000 and 9000 bytes outgrow the staging array of direct buffers
            for (int payload : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 4000, 9000}) {
                byte[] plain = new byte[10 + payload + 16];
                Arrays.fill(plain, 0, 10 + payload, (byte) 7);
                ByteBuffer buf = kind.make(plain);
                sender.seal(buf, 0, 10, payload, pn);
                assertFalse(payload > 0 && contents(buf)[10] == 7 && contents(buf)[10 + payload - 1] == 7, kind
                        + " payload " + payload + " looks unencrypted");
                assertEquals(payload, receiver.open(buf, 0, 10, payload + 16, pn), kind + " payload " + payload);
                assertArrayEquals(Arrays.copyOf(plain, 10 + payload), Arrays.copyOf(contents(buf), 10 + payload));
                pn--;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void argumentsAreChecked(CipherSuite suite) throws CryptoException {
        PacketProtection p = protection(suite);
        // the packet must fit the capacity (not the limit)
        assertThrows(IndexOutOfBoundsException.class, () -> p.seal(ByteBuffer.allocate(45), 0, 10, 20, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> p.seal(ByteBuffer.allocateDirect(45), 0, 10, 20, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> p.seal(ByteBuffer.allocate(46), -1, 10, 20, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> p.open(ByteBuffer.allocate(45), 0, 10, 36, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.headerProtectionMask(ByteBuffer.allocate(40), 25, new byte[5]));
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.headerProtectionMask(ByteBuffer.allocateDirect(40), 25, new byte[5]));
        assertThrows(IllegalArgumentException.class,
                () -> p.headerProtectionMask(ByteBuffer.allocate(40), 0, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> p.seal(ByteBuffer.allocate(46), 0, 10, 20, -1));
        assertThrows(IllegalArgumentException.class, () -> p.seal(ByteBuffer.allocate(46), 0, -1, 20, 0));
        // the limit does not matter
        p.seal(ByteBuffer.allocate(46).limit(0), 0, 10, 20, 1);
        p.headerProtectionMask(ByteBuffer.allocateDirect(40).limit(0), 24, new byte[5]);
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void theSecretLengthIsChecked(CipherSuite suite) {
        for (int length : new int[] {0, suite.hashLength() - 1, suite.hashLength() + 1, 64}) {
            assertThrows(IllegalArgumentException.class,
                    () -> CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, new byte[length]));
        }
    }

    @Test
    void jcaAesGcmRefusesToSealTheSameNonceTwiceInARow() throws Exception {
        // The JDK's nonce-reuse guard of the JCA fallback: reported as a CryptoException that keeps the JDK's
        // exception as its cause. (The intrinsic path has no such guard; connections never reuse a packet number.)
        Aead jca = new AesGcmAead(new byte[16]);
        byte[] nonce = new byte[12];
        jca.seal(nonce, new byte[64], 0, 10, 20);
        CryptoException e = assertThrows(CryptoException.class, () -> jca.seal(nonce, new byte[64], 0, 10, 20));
        assertInstanceOf(GeneralSecurityException.class, e.getCause());
        assertTrue(e.getStackTrace().length > 0);
        // the instance keeps working with the next nonce
        nonce[11] = 1;
        jca.seal(nonce, new byte[64], 0, 10, 20);
    }

    /**
     * Lengths whose int sum wraps to a small number passed the range check, and the AES-GCM intrinsics then ran past
     * the array: a crash of the JVM once compiled (found by an audit). Refused as out of bounds, before any cipher.
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void lengthsWhoseSumOverflowsAreRefusedAsOutOfBounds(CipherSuite suite) throws CryptoException {
        PacketProtection p = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite,
                new byte[suite.hashLength()]);
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertThrows(IndexOutOfBoundsException.class, () -> p.seal(buf, 0, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.seal(buf, 0, Integer.MAX_VALUE - 8, 0, 0), "the tag's 16 bytes overflow the sum");
        assertThrows(IndexOutOfBoundsException.class, () -> p.open(buf, 0, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        assertThrows(IndexOutOfBoundsException.class,
                () -> p.seal(direct, 0, Integer.MAX_VALUE, Integer.MAX_VALUE, 0));
        // and the protection still works
        p.seal(buf, 0, 20, 28, 1);
    }

    /** Every single-bit change of a sealed packet (header, ciphertext or tag) fails to open, for every suite. */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void everySingleBitFlipIsRejected(CipherSuite suite) throws CryptoException {
        byte[] secret = new byte[suite.hashLength()];
        new java.util.SplittableRandom(suite.ordinal()).nextBytes(secret);
        PacketProtection tx = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        PacketProtection rx = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        int header = 21;
        int payload = 37;
        byte[] plain = new byte[header + payload + 16];
        new java.util.SplittableRandom(7).nextBytes(plain);
        byte[] sealed = plain.clone();
        tx.seal(ByteBuffer.wrap(sealed), 0, header, payload, 12345);
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] bad = sealed.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(CryptoException.class, () -> rx.open(ByteBuffer.wrap(bad), 0, header, payload + 16, 12345),
                    "bit " + bit);
        }
        byte[] good = sealed.clone();
        assertEquals(payload, rx.open(ByteBuffer.wrap(good), 0, header, payload + 16, 12345));
        assertArrayEquals(Arrays.copyOf(plain, header + payload), Arrays.copyOf(good, header + payload));
    }
}
