package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Claims of the public javadoc of the connection API that an audit of it doubted, checked against the code (the
 * undocumented exceptions and state changes it found are pinned here).
 */
class PublicApiContractAuditTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /**
     * A server that has read no client Initial (and was given no destination connection ID) has nowhere to send:
     * keys installed out of order must not turn that into a NullPointerException. The close is INVALID_STATE, as for
     * such a server without keys (close-spec project decision 3); writePacket refuses with IllegalStateException.
     */
    @Test
    void aServerThatKnowsNoPeerIdCannotWriteEvenWithKeys() throws Exception {
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        s.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        s.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[100]);
        assertNull(s.destinationConnectionId());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertThrows(IllegalStateException.class, () -> s.writePacket(null, null, dest, T0));
        assertEquals(0, dest.position());
        assertEquals(CloseOutcome.INVALID_STATE,
                s.writeConnectionClose(null, null, dest, CloseError.noError(), T0));
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        // without keys nothing changes: nothing to send
        QuicConnection fresh = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertEquals(0, fresh.writePacket(null, null, dest, T0));
    }
}
