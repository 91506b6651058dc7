package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * StatelessClose's argument checks, made before anything happens, as QuicConnection.writeConnectionClose makes them:
 * a read-only destination is an IllegalArgumentException (not a ReadOnlyBufferException from the middle of the header,
 * after the caller's InitialProtections were re-keyed for the new DCID), and a null argument a NullPointerException
 * naming it, in every overload.
 */
class StatelessCloseArgumentsTest {
    private static final CryptoProvider CRYPTO = CryptoProvider.nullCrypto();

    @Test
    void readOnlyDestinationIsRefusedBeforeKeysAreDerived() throws CryptoException {
        ByteBuffer ro = ByteBuffer.allocate(1500).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(ro, QuicVersion.V1, CLIENT_ODCID,
                CLIENT_SCID, SERVER_SCID, CloseError.noError(), CRYPTO));
        InitialProtections keys = new InitialProtections(CRYPTO);
        keys.deriveServer(QuicVersion.V1, CLIENT_ODCID);
        PacketProtection before = keys.server();
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(ro, QuicVersion.V1, SERVER_SCID,
                CLIENT_SCID, SERVER_SCID, 0, CloseError.noError(), keys, new PacketWriter()));
        // nothing happened: the keys of the earlier DCID are still the ones held
        assertEquals(before, keys.server());
        PacketProtection p = InitialSecrets.serverProtection(CRYPTO, QuicVersion.V1, CLIENT_ODCID.toByteArray());
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(ro, QuicVersion.V1, CLIENT_SCID,
                SERVER_SCID, 0, CloseError.noError(), p, new PacketWriter()));
        assertEquals(0, ro.position());
    }

    @Test
    void nullArgumentsOfTheProtectionOverloadAreNamed() throws CryptoException {
        PacketProtection p = InitialSecrets.serverProtection(CRYPTO, QuicVersion.V1, CLIENT_ODCID.toByteArray());
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        CloseError e = CloseError.noError();
        assertNpe("dest", () -> StatelessClose.write(null, QuicVersion.V1, CLIENT_SCID, SERVER_SCID, 0, e, p, w));
        assertNpe("version", () -> StatelessClose.write(b, null, CLIENT_SCID, SERVER_SCID, 0, e, p, w));
        assertNpe("dcid", () -> StatelessClose.write(b, QuicVersion.V1, null, SERVER_SCID, 0, e, p, w));
        assertNpe("scid", () -> StatelessClose.write(b, QuicVersion.V1, CLIENT_SCID, null, 0, e, p, w));
        assertNpe("error", () -> StatelessClose.write(b, QuicVersion.V1, CLIENT_SCID, SERVER_SCID, 0, null, p, w));
        assertNpe("serverInitialProtection",
                () -> StatelessClose.write(b, QuicVersion.V1, CLIENT_SCID, SERVER_SCID, 0, e, null, w));
        assertNpe("writer", () -> StatelessClose.write(b, QuicVersion.V1, CLIENT_SCID, SERVER_SCID, 0, e, p, null));
        assertEquals(0, b.position());
        assertFalse(b.hasArray() && b.array()[0] != 0, "nothing written");
        assertEquals(CloseOutcome.WRITTEN,
                StatelessClose.write(b, QuicVersion.V1, CLIENT_SCID, SERVER_SCID, 0, e, p, w));
    }

    private static void assertNpe(String name, org.junit.jupiter.api.function.Executable call) {
        assertEquals(name, assertThrows(NullPointerException.class, call).getMessage());
    }
}
