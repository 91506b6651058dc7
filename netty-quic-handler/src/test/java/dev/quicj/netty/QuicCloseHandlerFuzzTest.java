package dev.quicj.netty;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

/**
 * Feeds arbitrary datagrams, mutated valid client Initials, clock jumps, close commands and exceptions through a
 * {@link QuicCloseHandler} on an EmbeddedChannel and checks, after every operation, that no buffer leaked, that
 * nothing but the project's typed errors escaped, and that nothing was sent to an unvalidated address beyond three
 * times what was received from it ({@link HandlerFuzzHarness}).
 *
 * <p>In a plain build the fuzz test runs on its committed inputs (under
 * {@code src/test/resources/dev/quicj/netty/QuicCloseHandlerFuzzTestInputs/}); to fuzz:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl netty-quic-handler test -Dtest='QuicCloseHandlerFuzzTest#handlerInvariantsHold' \
 *     -Djazzer.max_duration=60s -Djazzer.instrument='dev.quicj.**'
 * </pre>
 * The seeded sequences run the same harness on every build; set {@code -Dquicj.fuzz.seed=N} to move them.
 */
class QuicCloseHandlerFuzzTest {
    private static final long SEED_BASE = Long.getLong("quicj.fuzz.seed", 0x5eed_c105eL);
    private static final int SEEDED_SEQUENCES = 300;

    @FuzzTest(maxDuration = "60s")
    void handlerInvariantsHold(FuzzedDataProvider data) throws Exception {
        HandlerFuzzHarness.run(HandlerFuzzHarness.of(data));
    }

    @Test
    void seededSequencesKeepTheInvariants() throws Exception {
        // one test for all seeds: the leak gate's forced collections run once, not per sequence
        for (long seed = SEED_BASE; seed < SEED_BASE + SEEDED_SEQUENCES; seed++) {
            try {
                HandlerFuzzHarness.run(HandlerFuzzHarness.seeded(seed));
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (-Dquicj.fuzz.seed=" + seed + " reproduces it first)", e);
            }
        }
    }
}
