package dev.quicj.core.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.quicj.core.EncryptionLevel;

/**
 * Jazzer fuzz targets for the wire layer (tag {@code jazzer}). Under plain {@code mvn test} each runs once on the
 * empty input and on every file in {@code src/test/resources/dev/quicj/core/wire/WireFuzzTestInputs/<method>/}.
 * To fuzz one target:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl quic-core test -Dtest='WireFuzzTest#arbitraryPayload' -Djazzer.max_duration=60s
 * </pre>
 * A finding is written to that folder as {@code crash-<sha1>}; commit it as a regression input.
 */
class WireFuzzTest {

    /** Any long: encoded, decoded, truncated and widened in range; rejected outside it. */
    @FuzzTest
    void varintRoundTrip(long value) {
        WireProperties.varint(value);
    }

    /** Any close type, codes and reason: every field survives encode then decode, or the arguments are rejected. */
    @FuzzTest
    void connectionCloseRoundTrip(@NotNull CloseType type, long errorCode, long frameType, byte @NotNull [] reason) {
        WireProperties.connectionClose(type, errorCode, frameType, reason);
    }

    /** Valid frame sequences built from the fuzzer's data decode exactly; every truncated prefix is rejected. */
    @FuzzTest
    void truncatedFrameSequences(FuzzedDataProvider data) {
        EncryptionLevel level = data.pickValue(EncryptionLevel.values());
        WireProperties.framePrefixes(TestFrames.fuzzed(data), level);
    }

    /** Arbitrary payloads at every level: only QuicException, the buffer unchanged, the same result twice. */
    @FuzzTest
    void arbitraryPayload(byte[] data) {
        WireProperties.arbitraryPayload(data);
    }
}
