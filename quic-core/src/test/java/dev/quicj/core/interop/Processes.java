package dev.quicj.core.interop;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Process and file plumbing shared by the harness classes (package-private). */
final class Processes {
    /** {@code -Dquicj.interop.keep=true} keeps the harness's temp dirs (logs, certificates, pcaps) for diagnosis. */
    static final boolean KEEP_TEMP = Boolean.getBoolean("quicj.interop.keep");

    private static final File DEV_NULL = new File("/dev/null");

    /** Every process the harness started and has not reaped yet; killed by a shutdown hook if the JVM exits first. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "quicj-interop-reaper"));
    }

    private Processes() {
    }

    /**
     * Starts {@code command} in {@code dir} with stdin from {@code /dev/null} and stdout plus stderr appended to
     * {@code log}. Environment entries with a {@code null} value are removed; {@code SSLKEYLOGFILE} is always
     * removed unless given, so no peer writes key logs by accident.
     */
    static Process start(List<String> command, Path dir, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = pb.environment();
        environment.remove("SSLKEYLOGFILE");
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue() == null) {
                environment.remove(e.getKey());
            } else {
                environment.put(e.getKey(), e.getValue());
            }
        }
        return track(pb.start());
    }

    /** Registers a started process for the shutdown hook; it is forgotten once it exits. */
    static Process track(Process process) {
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }

    /**
     * Stops a process and everything it started: SIGTERM, up to {@code grace} to exit, then SIGKILL and up to 5 s
     * more. Never throws; restores the interrupt flag if interrupted.
     */
    static void kill(Process process, Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        boolean interrupted = false;
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            process.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The whole file as ISO-8859-1 text (byte-for-byte), or "" if it does not exist. */
    static String readText(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} recursively unless {@link #KEEP_TEMP}; never throws. */
    static void deleteTree(Path dir) {
        if (dir == null || KEEP_TEMP) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a leftover temp dir must not fail a test
        }
    }

    /** The last {@code maxLines} lines of {@code text}, for failure messages. */
    static String tail(String text, int maxLines) {
        String[] lines = text.split("\r?\n");
        int from = Math.max(0, lines.length - maxLines);
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < lines.length; i++) {
            sb.append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    /** Sleeps, translating interruption into an unchecked-free boolean (false if interrupted, flag restored). */
    static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
