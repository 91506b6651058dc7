package dev.quicj.core.conn;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The connection properties with seeded randomness, so every {@code mvn test} explores fresh inputs. The seed is
 * printed; rerun one with {@code -Dquicj.seed=N}.
 */
class ConnectionPropertyTest {
    private static final long SEED = Long.getLong("quicj.seed", System.nanoTime());

    @Test
    void arbitraryDatagramsOnlyEverThrowQuicExceptionAndDropsChangeNothing() throws Exception {
        System.out.println("ConnectionPropertyTest seed " + SEED + " (rerun with -Dquicj.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        for (int i = 0; i < 300; i++) {
            byte[] dg;
            if (random.nextBoolean()) {
                dg = new byte[random.nextInt(1500)];
                random.nextBytes(dg);
            } else {
                // a valid Initial with a few bytes changed: reaches decryption and frame decoding
                dg = initial.clone();
                for (int k = random.nextInt(1, 6); k > 0; k--) {
                    dg[random.nextInt(dg.length)] = (byte) random.nextInt(256);
                }
            }
            for (QuicConnection c : ConnectionProperties.targets()) {
                ConnectionProperties.receiveArbitrary(c, dg);
            }
        }
    }

    @Test
    void aServerNeverSendsMoreThanThreeTimesWhatItReceived() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        for (int i = 0; i < 500; i++) {
            ConnectionProperties.amplification(random.split(), initial);
        }
    }
}
