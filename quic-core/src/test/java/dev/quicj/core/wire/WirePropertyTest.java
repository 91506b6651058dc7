package dev.quicj.core.wire;

import dev.quicj.core.EncryptionLevel;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized checks of the {@link WireProperties}. The seed is printed once per run (in the surefire output
 * file); rerun a failure with {@code -Dwire.seed=<seed>}, and change the number of cases with
 * {@code -Dwire.cases=<n>}.
 */
class WirePropertyTest {
    private static long seed;
    private static int cases;

    @BeforeAll
    static void chooseSeed() {
        String fixed = System.getProperty("wire.seed");
        seed = fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
        cases = Integer.getInteger("wire.cases", 1_000);
        System.out.println("WirePropertyTest seed = " + seed + " (rerun with -Dwire.seed=" + seed + "), cases = "
                + cases);
    }

    @Test
    void varintRoundTripsOverTheWholeRangeAndRejectsTheRest() {
        run("varint", random -> {
            long value;
            switch (random.nextInt(4)) {
                case 0: // around a length boundary
                    long[] edges = {0, 64, 16384, 1L << 30, 1L << 62};
                    value = edges[random.nextInt(edges.length)] + random.nextInt(-2, 3);
                    break;
                case 1:
                    value = random.nextLong(0, VarInt.MAX_VALUE + 1);
                    break;
                case 2:
                    value = random.nextLong(0, 1L << (1 + random.nextInt(62)));
                    break;
                default:
                    value = random.nextLong();
                    break;
            }
            WireProperties.varint(value);
        });
    }

    @Test
    void connectionCloseRoundTripsEveryField() {
        run("connectionClose", random -> {
            CloseType type = random.nextBoolean() ? CloseType.TRANSPORT : CloseType.APPLICATION;
            byte[] reason = new byte[random.nextInt(4) == 0 ? random.nextInt(64, 2000) : random.nextInt(64)];
            random.nextBytes(reason);
            WireProperties.connectionClose(type, code(random), code(random), reason);
        });
    }

    @Test
    void everyPrefixOfAValidFrameSequenceIsWholeFramesOrFrameEncodingError() {
        run("framePrefixes", random -> {
            EncryptionLevel level = EncryptionLevel.values()[random.nextInt(4)];
            WireProperties.framePrefixes(TestFrames.random(random), level);
        });
    }

    @Test
    void arbitraryBytesThrowOnlyQuicExceptionAndLeaveTheBufferAlone() {
        run("arbitraryPayload", random -> {
            byte[] data = new byte[random.nextInt(48)];
            random.nextBytes(data);
            // Bias toward small frame types, as random bytes rarely start a known frame otherwise.
            for (int i = 0; i < data.length; i++) {
                if (random.nextInt(3) == 0) {
                    data[i] = (byte) random.nextInt(0x20);
                }
            }
            WireProperties.arbitraryPayload(data);
        });
    }

    @Test
    void packetNumberRoundTripsThroughTheChosenLength() {
        run("packetNumber", random -> {
            long pn = random.nextInt(3) == 0 ? random.nextLong(0, 1 << 20) : random.nextLong(0, PacketNumber.MAX + 1);
            // Encoding can only cover a distance of 2^31 in 4 bytes, the longest field.
            long distance = 1 + random.nextLong(Math.min(pn + 1, random.nextBoolean() ? 1L << 31 : 1000));
            long largestAcked = pn - distance;
            long largestReceived = largestAcked + random.nextLong(pn - largestAcked);
            WireProperties.packetNumber(pn, largestAcked, largestReceived);
        });
    }

    /** Values spread over all four varint lengths, with a few out of range. */
    private static long code(SplittableRandom random) {
        switch (random.nextInt(6)) {
            case 0:
                return random.nextLong(64);
            case 1:
                return random.nextLong(16384);
            case 2:
                return random.nextLong(1L << 30);
            case 3:
                return random.nextLong(VarInt.MAX_VALUE + 1);
            case 4:
                return VarInt.MAX_VALUE - random.nextInt(2);
            default:
                return random.nextBoolean() ? -1 - random.nextLong(5) : (1L << 62) + random.nextLong(5);
        }
    }

    private static void run(String property, Consumer<SplittableRandom> check) {
        SplittableRandom random = new SplittableRandom(seed ^ property.hashCode());
        for (int i = 0; i < cases; i++) {
            try {
                check.accept(random);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(property + " failed at case " + i + " with -Dwire.seed=" + seed + ": " + e,
                        e);
            }
        }
    }
}
