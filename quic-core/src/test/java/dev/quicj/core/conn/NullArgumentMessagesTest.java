package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.client;
import static dev.quicj.core.conn.ConnectionFixtures.nullCrypto;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.wire.ConnectionCloseFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A null argument to the public API is a NullPointerException naming the parameter, thrown before anything changes,
 * as in the rest of the API (ServerBuilder.originalDestinationConnectionId, writeConnectionClose, ...): these threw
 * the JVM's NullPointerException from inside the method instead.
 */
class NullArgumentMessagesTest {

    @Test
    void nullArgumentsAreNamed() throws Exception {
        assertNpe("odcid", () -> QuicConnection.clientBuilder().originalDestinationConnectionId(null));
        QuicConnection c = client(nullCrypto());
        assertNpe("resetToken", () -> c.addStatelessResetToken(null));
        assertNpe("bytes", () -> ConnectionId.of(null));
        assertNpe("bytes", () -> ConnectionId.of(null, 0, 0));
        assertNpe("error", () -> CloseError.fromLibraryError(null, null));
        assertNpe("e", () -> CloseError.fromException(null));
        assertNpe("reasonPhrase", () -> ConnectionCloseFrame.transport(0, 0, null));
        assertNpe("reasonPhrase", () -> ConnectionCloseFrame.application(0, null));
    }

    private static void assertNpe(String name, Executable call) {
        assertEquals(name, assertThrows(NullPointerException.class, call).getMessage());
    }
}
