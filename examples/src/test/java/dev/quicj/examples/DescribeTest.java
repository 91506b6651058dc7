package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The text the examples print for addresses and closes. */
class DescribeTest {
    private static String address(String literal, int port) throws Exception {
        return Describe.address(new InetSocketAddress(InetAddress.getByName(literal), port));
    }

    @Test
    void addressesAreWrittenAsRfc5952Literals() throws Exception {
        assertEquals("127.0.0.1:4433", address("127.0.0.1", 4433));
        assertEquals("[::1]:4433", address("::1", 4433));
        assertEquals("[::]:1", address("::", 1));
        assertEquals("[2001:db8::1:0:0:1]:443", address("2001:db8:0:0:1:0:0:1", 443));
        assertEquals("[2001:db8:0:1:1:1:1:1]:443", address("2001:db8:0:1:1:1:1:1", 443));
        assertEquals("[fe80::1%2]:5", address("fe80::1%2", 5));
    }

    @Test
    void closesAreWrittenAsTheyGoOnTheWire() {
        assertEquals("CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED) frame_type=0x0 reason_len=11"
                + " reason=\"server busy\"", Describe.closeOnWire(RejectServer.Config.DEFAULT_CLOSE_ERROR, true));
        CloseError app = CloseError.application(0x77, "bye \"now\"");
        assertEquals("CONNECTION_CLOSE type=0x1c error=0xc (APPLICATION_ERROR) frame_type=0x0 reason_len=0 reason=\"\"",
                Describe.closeOnWire(app, true));
        assertEquals("CONNECTION_CLOSE type=0x1d error=0x77 frame_type=0x0 reason_len=9 reason=\"bye \\\"now\\\"\"",
                Describe.closeOnWire(app, false));
        assertEquals("application 0x77 reason=\"bye \\\"now\\\"\"", Describe.closeError(app));
        assertEquals("transport 0xa (PROTOCOL_VIOLATION) frame_type=0x8 reason=\"x\"",
                Describe.closeError(CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x8, "x")));
    }
}
