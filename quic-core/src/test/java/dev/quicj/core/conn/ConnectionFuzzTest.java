package dev.quicj.core.conn;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.SplittableRandom;

/**
 * Jazzer fuzz targets for a connection's receive path and amplification limit (tag {@code jazzer}). Under plain
 * {@code mvn test} each runs on the empty input and on the files in
 * {@code src/test/resources/dev/quicj/core/conn/ConnectionFuzzTestInputs/<method>/}. To fuzz one target:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl quic-core test -Dtest='ConnectionFuzzTest#arbitraryDatagrams' -Djazzer.max_duration=60s
 * </pre>
 */
class ConnectionFuzzTest {

    /** Arbitrary bytes to connections in several states: only QuicException escapes; drops change nothing. */
    @FuzzTest
    void arbitraryDatagrams(byte[] data) throws Exception {
        for (QuicConnection c : ConnectionProperties.targets()) {
            ConnectionProperties.receiveArbitrary(c, data);
        }
        // a 1-RTT packet before the handshake completed is held, and processed by the first receive after it
        QuicConnection s = ConnectionFixtures.serverAllKeys(ConnectionFixtures.nullCrypto());
        ConnectionProperties.receiveArbitrary(s, data);
        s.handshakeCompleted();
        ConnectionProperties.receiveArbitrary(s, data);
    }

    /** A valid client Initial (null crypto) with fuzzed bytes flipped, to a fresh server. */
    @FuzzTest
    void mutatedClientInitials(FuzzedDataProvider data) throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        int edits = data.consumeInt(0, 16);
        for (int i = 0; i < edits; i++) {
            initial[data.consumeInt(0, initial.length - 1)] = data.consumeByte();
        }
        int length = data.consumeInt(0, initial.length);
        byte[] dg = java.util.Arrays.copyOf(initial, length);
        ConnectionProperties.receiveArbitrary(ConnectionFixtures.serverBuilder(ConnectionFixtures.nullCrypto())
                .build(ConnectionFixtures.T0), dg);
    }

    /** A server driven by a fuzzed sequence of datagrams, writes and closes never exceeds 3x what it received. */
    @FuzzTest
    void serverAmplificationLimit(long seed) throws Exception {
        ConnectionProperties.amplification(new SplittableRandom(seed),
                ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto()));
    }
}
