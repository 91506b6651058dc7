package dev.quicj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run.sh's contract for the JMH part, checked on {@code jmh-results.awk} (what run.sh runs on JMH's CSV): exactly one
 * {@code result metric=NAME ns_per_op=X alloc_bytes_per_op=Y} line per metric, and a non-zero exit when a metric has
 * no time or no allocation (before, a benchmark that failed in JMH just left its line out, the script exited 0, and a
 * missing allocation row printed {@code alloc_bytes_per_op=0}).
 */
class JmhResultsTest {
    private static final String HEADER =
            "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\",\"Param: dest\"";
    private static final String[][] BENCHMARKS = {
        {"dev.quicj.core.conn.CloseBenchmarks.closeClientInitial", "heap", "305.5", "0.000001"},
        {"dev.quicj.core.conn.CloseBenchmarks.close1Rtt", "heap", "191.2", "0.000001"},
        {"dev.quicj.bench.StatelessCloseBenchmark.statelessClose", "", "1253.4", "0.000002"},
        {"dev.quicj.core.conn.CloseBenchmarks.connLoop", "heap", "2564.0", "4592.1"},
        {"dev.quicj.core.conn.CloseBenchmarks.connLoopFull", "heap", "3140.0", "6280.4"},
        {"dev.quicj.core.conn.HandlerCloseBenchmark.handlerClose", "", "922.3", "320.0"},
    };

    @TempDir
    Path dir;

    private static List<String> csv(Predicate<String> keep) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (String[] b : BENCHMARKS) {
            String[] rows = {
                "\"" + b[0] + "\",\"avgt\",1,5," + b[2] + ",2.5,\"ns/op\"," + b[1],
                "\"" + b[0] + ":gc.alloc.rate\",\"avgt\",1,5,12.3,NaN,\"MB/sec\"," + b[1],
                "\"" + b[0] + ":gc.alloc.rate.norm\",\"avgt\",1,5," + b[3] + ",0.1,\"B/op\"," + b[1],
                "\"" + b[0] + ":gc.count\",\"avgt\",1,5,0.0,NaN,\"counts\"," + b[1],
            };
            for (String row : rows) {
                if (keep.test(row)) {
                    lines.add(row);
                }
            }
        }
        return lines;
    }

    private record Run(int exit, List<String> out, String err) {
    }

    private Run awk(List<String> csv) throws IOException, InterruptedException {
        Path script = Path.of("jmh-results.awk").toAbsolutePath();
        assertTrue(Files.isRegularFile(script), () -> script + " missing (the test runs in the benchmarks module)");
        Path file = dir.resolve("jmh.csv");
        Files.write(file, csv, StandardCharsets.UTF_8);
        Process p;
        try {
            p = new ProcessBuilder("awk", "-f", script.toString(), file.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no awk on this machine: " + e);
            throw e;
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        int exit = p.waitFor();
        return new Run(exit, new String(out, StandardCharsets.UTF_8).lines().toList(),
                new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void everyMetricGivesExactlyOneResultLineInTheContractFormat() throws Exception {
        Run r = awk(csv(row -> true));
        assertEquals(0, r.exit(), r.err());
        List<String> results = r.out().stream().filter(l -> l.startsWith("result ")).toList();
        assertEquals(List.of(
                "result metric=close_client_initial ns_per_op=305.5 alloc_bytes_per_op=0",
                "result metric=close_1rtt ns_per_op=191.2 alloc_bytes_per_op=0",
                "result metric=stateless_close ns_per_op=1253.4 alloc_bytes_per_op=0",
                "result metric=conn_loop ns_per_op=2564.0 alloc_bytes_per_op=4592",
                "result metric=conn_loop_full ns_per_op=3140.0 alloc_bytes_per_op=6280",
                "result metric=handler_close ns_per_op=922.3 alloc_bytes_per_op=320"), results);
        assertTrue(r.out().stream().allMatch(l -> l.startsWith("result ") || l.startsWith("# ")), r.out()::toString);
    }

    @Test
    void aMetricWhoseBenchmarkFailedFailsTheRun() throws Exception {
        Run r = awk(csv(row -> !row.contains("connLoopFull")));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("conn_loop_full"), r.err());
    }

    @Test
    void aMetricWithoutItsAllocationFailsTheRunRatherThanReportingZero() throws Exception {
        Run r = awk(csv(row -> !row.contains("handlerClose:gc.alloc.rate.norm")));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("handler_close"), r.err());
        assertTrue(r.out().stream().noneMatch(l -> l.startsWith("result metric=handler_close")), r.out()::toString);
    }

    @Test
    void twoResultsForOneMetricFailTheRun() throws Exception {
        List<String> lines = csv(row -> true);
        lines.add("\"dev.quicj.core.conn.CloseBenchmarks.closeClientInitial\",\"avgt\",1,5,400.0,2.5,\"ns/op\",direct");
        Run r = awk(lines);
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("close_client_initial"), r.err());
    }
}
