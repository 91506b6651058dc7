package dev.quicj.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The echo baseline: with {@code --echo-reply-bytes match} its replies are as long as the round's refusals were (a
 * plain echo, the default, sends back whole 1200-byte datagrams against 62-byte closes), and it runs on an IPv4 socket
 * as the reject server does.
 */
class EchoBaselineTest {
    private static LoadGenerator.Result result(long replies, long late, long replyBytes) {
        return new LoadGenerator.Result(replies, replies, late, 1, 0, 0, 0, replyBytes, 0);
    }

    @Test
    void matchedEchoRepliesAreAsLongAsTheRoundsRefusals() {
        List<LoadGenerator.Result> refusals = List.of(result(90, 10, 100 * 62), result(50, 0, 50 * 62));
        assertEquals(62, RejectThroughput.echoReplyBytes(RejectThroughput.MATCH, refusals));
        assertEquals(62, RejectThroughput.echoReplyBytes(RejectThroughput.MATCH,
                List.of(result(3, 0, 62 + 62 + 63))), "rounded");
        assertEquals(0, RejectThroughput.echoReplyBytes(RejectThroughput.MATCH, List.of(result(0, 0, 0))),
                "no refusal: whole datagrams");
        assertEquals(0, RejectThroughput.echoReplyBytes(0, refusals), "whole");
        assertEquals(100, RejectThroughput.echoReplyBytes(100, refusals), "a size given");
    }

    @Test
    void theEchoServerAnswersOnAnIpv4SocketWithTheReplySizeAsked() throws Exception {
        InitialPool pool = InitialPool.generate(20_000, 4);
        try (EchoServer server = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), EchoServer.Kind.AUTO, 1,
                62)) {
            // the first datagrams of a cold server can take longer than a short run on a busy machine
            LoadGenerator.run(server.localAddress(), pool, 1.0, 1, 0, 16, 1);
            LoadGenerator.Result r = LoadGenerator.run(server.localAddress(), pool, 0.5, 1, 0, 16, 1);
            assertTrue(r.replies() > 0, r::toString);
            assertEquals(0, r.strays(), r::toString);
            assertEquals(62.0, r.meanReplyBytes());
        }
    }
}
