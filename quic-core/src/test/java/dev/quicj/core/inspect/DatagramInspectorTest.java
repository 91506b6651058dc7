package dev.quicj.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quicj.core.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link DatagramInspector} reports for headers it cannot parse: untrusted bytes from the network, which every
 * accessor of the report must survive (close-client reads {@code level()} of whatever the server sends back).
 */
class DatagramInspectorTest {
    @Test
    void aLongHeaderOfAnUnsupportedVersionHasNoFormAndNoLevel() {
        byte[] unknownVersion = Hex.decode("c0" + "1a2a3a4a" + "08" + "0102030405060708" + "00" + "00".repeat(30));
        List<InspectedPacket> packets = DatagramInspector.inspect(unknownVersion, DatagramInspector.KeySource.none(),
                -1);
        assertEquals(1, packets.size());
        InspectedPacket p = packets.get(0);
        assertNull(p.form());
        assertNull(p.level());
        assertNull(p.version());
        assertEquals(0x1a2a3a4a, p.versionField());
        assertFalse(p.decrypted());
        assertFalse(p.headerLine().isEmpty());
    }

    @Test
    void aTruncatedHeaderHasNoFormAndNoLevel() {
        List<InspectedPacket> packets = DatagramInspector.inspect(Hex.decode("c0000000"),
                DatagramInspector.KeySource.none(), -1);
        assertEquals(1, packets.size());
        InspectedPacket p = packets.get(0);
        assertNull(p.form());
        assertNull(p.level());
        assertFalse(p.decrypted());
        assertFalse(p.headerLine().isEmpty());
    }
}
