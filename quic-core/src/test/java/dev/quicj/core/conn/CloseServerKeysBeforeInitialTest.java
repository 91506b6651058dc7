package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Shrunk from CloseModelBasedTest: a server that has read no client Initial but was given Handshake or 1-RTT keys
 * (installed out of order through the public API) has no Destination Connection ID to write to. close-spec §2.3
 * (first row: "No client Initial processed" is INVALID_STATE for both close types, project decision 3) and the
 * contract of writeConnectionClose (only IllegalArgumentException is thrown) say INVALID_STATE, with path and ECN
 * filled (§1.2 step 9, case (b)) and the state unchanged.
 */
class CloseServerKeysBeforeInitialTest {
    private static void assertInvalidState(QuicConnection s, ConnectionState before) {
        for (CloseError e : new CloseError[] {CloseError.transport(1), CloseError.application(1)}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.INVALID_STATE, s.writeConnectionClose(path, pi, dest, e, T0));
            assertEquals(0, dest.position());
            assertEquals(SERVER_PATH, path.path());
            assertEquals(Ecn.NOT_ECT, pi.ecn());
            assertEquals(before, s.state());
        }
    }

    @Test
    void oneRttKeyAndCompletedHandshakeBeforeTheClientInitial() throws Exception {
        Settings settings = ConnectionFixtures.nullCrypto();
        QuicConnection s = ConnectionFixtures.serverBuilder(settings).validatedToken(new byte[] {1}).build(T0);
        s.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        s.handshakeCompleted();
        assertInvalidState(s, ConnectionState.POST_HANDSHAKE);
    }

    @Test
    void handshakeKeyBeforeTheClientInitial() throws Exception {
        Settings settings = ConnectionFixtures.nullCrypto();
        QuicConnection s = ConnectionFixtures.serverBuilder(settings).validatedToken(new byte[] {1}).build(T0);
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE,
                ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        assertInvalidState(s, ConnectionState.SERVER_INITIAL);
    }
}
