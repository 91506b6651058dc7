package dev.quicj.core.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.wire.CloseType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The inspector's value types are immutable, as InspectedFrame's javadoc promises ("byte arrays are copies owned by
 * the frame"): neither the array given to a constructor nor the one an accessor returns can change a frame, so its
 * equals and hashCode stay stable (a frame in a HashSet stays findable).
 */
class InspectedValuesImmutableTest {

    @Test
    void cryptoDataIsCopiedInAndOut() {
        byte[] data = {1, 2, 3};
        InspectedFrame.Crypto f = new InspectedFrame.Crypto(7, data);
        Set<InspectedFrame> set = new HashSet<>(List.of(f));
        data[0] = 9;
        f.data()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, f.data());
        assertEquals(new InspectedFrame.Crypto(7, new byte[] {1, 2, 3}), f);
        assertEquals(true, set.contains(new InspectedFrame.Crypto(7, new byte[] {1, 2, 3})));
    }

    @Test
    void newTokenIsCopiedInAndOut() {
        byte[] token = {4, 5};
        InspectedFrame.NewToken f = new InspectedFrame.NewToken(token);
        token[0] = 0;
        f.token()[1] = 0;
        assertArrayEquals(new byte[] {4, 5}, f.token());
        assertEquals("NEW_TOKEN token=0405", f.toString());
    }

    @Test
    void connectionCloseReasonIsCopiedInAndOut() {
        byte[] reason = "foo".getBytes();
        InspectedFrame.ConnectionClose f = new InspectedFrame.ConnectionClose(CloseType.TRANSPORT, 1, 0, reason);
        int hash = f.hashCode();
        reason[0] = 'b';
        f.reason()[1] = 'x';
        assertEquals("foo", f.reasonString());
        assertEquals(hash, f.hashCode());
    }

    @Test
    void nullArraysAndTypesAreRefusedWithTheirName() {
        assertEquals("data", assertThrows(NullPointerException.class,
                () -> new InspectedFrame.Crypto(0, null)).getMessage());
        assertEquals("token", assertThrows(NullPointerException.class,
                () -> new InspectedFrame.NewToken(null)).getMessage());
        assertEquals("reason", assertThrows(NullPointerException.class,
                () -> new InspectedFrame.ConnectionClose(CloseType.TRANSPORT, 0, 0, null)).getMessage());
        assertEquals("type", assertThrows(NullPointerException.class,
                () -> new InspectedFrame.ConnectionClose(null, 0, 0, new byte[0])).getMessage());
    }

    @Test
    void packetFramesAreAnUnmodifiableCopy() {
        List<InspectedFrame> frames = new ArrayList<>(List.of(new InspectedFrame.Ping()));
        InspectedPacket p = new InspectedPacket(0, 30, PacketForm.ONE_RTT, 0, null, ConnectionId.empty(),
                ConnectionId.empty(), 0, 0, 1, 10, "k", null, frames);
        frames.add(new InspectedFrame.HandshakeDone());
        assertEquals(List.of(new InspectedFrame.Ping()), p.frames());
        assertThrows(UnsupportedOperationException.class, () -> p.frames().add(new InspectedFrame.Ping()));
        assertEquals(QuicVersion.V1, new InspectedPacket(0, 30, PacketForm.INITIAL, 1, QuicVersion.V1,
                ConnectionId.empty(), ConnectionId.empty(), 0, 0, 1, 10, "k", null, List.of()).version());
    }
}
