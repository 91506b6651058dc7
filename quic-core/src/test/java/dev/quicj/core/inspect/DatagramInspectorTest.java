package dev.quicj.core.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quicj.core.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * InspectedPacket documents {@code form()} as null when the header did not parse, and {@code level()} with it.
     * The parser knows the packet type of these headers before it fails (a v1 Initial whose Token Length runs past
     * the end, one whose Length does, one too short for a header-protection sample, a short header with the fixed
     * bit clear), but the report of a header that did not parse has no IDs: it must not claim a type or a level.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "c0 00000001 08 0102030405060708 00 3f",                   // Initial: token of 63 bytes, none there
        "c0 00000001 08 0102030405060708 00 00 4400 000000",       // Initial: Length 1024, 3 bytes there
        "c0 00000001 08 0102030405060708 00 00 05 0000000000",    // Initial: too short for a sample
        "e0 00000001 08 0102030405060708 00 3f",                   // Handshake: Length 63, nothing there
        "00 0102030405060708 00000000000000000000000000000000",    // short header, fixed bit clear
    })
    void aHeaderThatDoesNotParseHasNoFormAndNoLevelWhateverItsType(String hex) {
        List<InspectedPacket> packets = DatagramInspector.inspect(Hex.decode(hex), DatagramInspector.KeySource.none(),
                8);
        assertEquals(1, packets.size());
        InspectedPacket p = packets.get(0);
        assertFalse(p.decrypted());
        assertNull(p.form(), p.headerLine());
        assertNull(p.level(), p.headerLine());
        assertFalse(p.headerLine().isEmpty());
    }
}
