package dev.quicj.core.interop;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs the interop harness drives, and lets a JUnit 5 test require them.
 *
 * <p>Every program is an ordinary Debian 12 package. A test that needs one calls {@link #requireTool(Tool...)}
 * first: on a developer machine without the program the test is reported as <em>skipped</em> (a JUnit assumption),
 * but when the environment variable {@code CI} is {@code true} (or {@code 1}) the test <em>fails</em> with a message
 * naming the Debian packages to install, so a CI image that lost a package cannot go green silently.
 *
 * <p>Programs are looked up on {@code PATH}, then in {@code /usr/sbin}, {@code /usr/bin}, {@code /sbin},
 * {@code /bin}, {@code /usr/local/sbin} and {@code /usr/local/bin} ({@code gtlsserver} lives in {@code /usr/sbin},
 * which is not on every user's {@code PATH}). The system property {@code quicj.interop.<program>} (for example
 * {@code -Dquicj.interop.tshark=/opt/wireshark/bin/tshark}) overrides the lookup. Results are cached per JVM.
 */
public final class Peers {
    /** The external programs the harness uses, each with the Debian package that provides it. */
    public enum Tool {
        /** Wireshark's command-line dissector (Debian package {@code tshark}). */
        TSHARK("tshark", "tshark"),
        /** Wireshark's capture program; comes with {@code tshark} (Debian package {@code wireshark-common}). */
        DUMPCAP("dumpcap", "tshark"),
        /** OpenSSL's command-line tool, used for throwaway certificates (Debian package {@code openssl}). */
        OPENSSL("openssl", "openssl"),
        /** ngtcp2's example HTTP/3 server over GnuTLS (Debian package {@code ngtcp2-server}). */
        GTLSSERVER("gtlsserver", "ngtcp2-server"),
        /** ngtcp2's example HTTP/3 client over GnuTLS (Debian package {@code ngtcp2-client}). */
        GTLSCLIENT("gtlsclient", "ngtcp2-client");

        private final String executable;
        private final String debianPackage;

        Tool(String executable, String debianPackage) {
            this.executable = executable;
            this.debianPackage = debianPackage;
        }

        /** The program's file name, e.g. {@code gtlsserver}. */
        public String executable() {
            return executable;
        }

        /** The Debian package to {@code apt-get install} for this program, e.g. {@code ngtcp2-server}. */
        public String debianPackage() {
            return debianPackage;
        }
    }

    private static final List<String> EXTRA_DIRS =
            List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin");

    private static final Map<Tool, Optional<Path>> CACHE = new ConcurrentHashMap<>();
    private static volatile Boolean captureAllowed;
    private static volatile String captureProblem = "";

    private Peers() {
    }

    /** The program's absolute path, or empty if it is not installed (see the class comment for the lookup). */
    public static Optional<Path> find(Tool tool) {
        return CACHE.computeIfAbsent(tool, Peers::lookup);
    }

    /** Whether the program is installed. */
    public static boolean isAvailable(Tool tool) {
        return find(tool).isPresent();
    }

    /**
     * The program's absolute path.
     *
     * @throws IllegalStateException if it is not installed; the message names the Debian package
     */
    public static Path path(Tool tool) {
        return find(tool).orElseThrow(() -> new IllegalStateException(missingMessage(List.of(tool))));
    }

    /** Whether the environment variable {@code CI} is {@code true} or {@code 1} (case-insensitive). */
    public static boolean isCi() {
        return isCi(System.getenv("CI"));
    }

    /**
     * Makes the calling JUnit test skip itself (assumption) if any of {@code tools} is missing, or fail if
     * {@link #isCi()}. The message lists the missing programs and the {@code apt-get install} line.
     */
    public static void requireTool(Tool... tools) {
        List<Tool> missing = new ArrayList<>();
        for (Tool t : tools) {
            if (!isAvailable(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            unavailable(isCi(), missingMessage(missing));
        }
    }

    /**
     * Requires everything {@link LoopbackCapture} needs: {@code dumpcap} and the permission to capture on {@code lo}
     * (root, or {@code dumpcap} with {@code CAP_NET_RAW} and {@code CAP_NET_ADMIN}). Skips or, on CI, fails like
     * {@link #requireTool(Tool...)}. The permission is probed once per JVM with {@code dumpcap -i lo -L}.
     */
    public static void requireLoopbackCapture() {
        requireTool(Tool.DUMPCAP);
        if (!canCaptureOnLoopback()) {
            unavailable(isCi(), "cannot capture on the loopback interface with " + path(Tool.DUMPCAP) + " ("
                    + captureProblem + "); run the tests as root, or grant dumpcap the capabilities: "
                    + "setcap cap_net_raw,cap_net_admin=eip " + path(Tool.DUMPCAP));
        }
    }

    /**
     * Whether {@code dumpcap} may open the loopback interface for capture (probed once with {@code dumpcap -i lo -L},
     * which opens the interface without capturing). False if {@code dumpcap} is missing.
     */
    public static boolean canCaptureOnLoopback() {
        Boolean allowed = captureAllowed;
        if (allowed == null) {
            synchronized (Peers.class) {
                allowed = captureAllowed;
                if (allowed == null) {
                    allowed = probeCapture();
                    captureAllowed = allowed;
                }
            }
        }
        return allowed;
    }

    /**
     * The shell line that installs the Debian packages providing {@code tools}, e.g.
     * {@code apt-get install -y ngtcp2-client ngtcp2-server}.
     */
    public static String installHint(Tool... tools) {
        Set<String> pkgs = new LinkedHashSet<>();
        for (Tool t : tools) {
            pkgs.add(t.debianPackage());
        }
        return "apt-get install -y " + String.join(" ", pkgs);
    }

    static boolean isCi(String value) {
        return value != null && (value.trim().equalsIgnoreCase("true") || value.trim().equals("1"));
    }

    /** Aborts (skip) or fails the current test; package-private so the decision is testable without touching env. */
    static void unavailable(boolean ci, String message) {
        if (ci) {
            Assertions.fail("CI=true and a required interop peer is unavailable: " + message);
        }
        Assumptions.abort(message + " (test skipped; set CI=true to make this a failure)");
    }

    static String missingMessage(List<Tool> missing) {
        String names = missing.stream().map(Tool::executable).collect(Collectors.joining(", "));
        return "missing program(s) " + names + "; install the Debian package(s) with: "
                + installHint(missing.toArray(new Tool[0]));
    }

    private static Optional<Path> lookup(Tool tool) {
        String override = System.getProperty("quicj.interop." + tool.executable());
        if (override != null && !override.isBlank()) {
            Path p = Paths.get(override.trim()).toAbsolutePath();
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            Path p = Paths.get(d, tool.executable());
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static boolean probeCapture() {
        Optional<Path> dumpcap = find(Tool.DUMPCAP);
        if (dumpcap.isEmpty()) {
            captureProblem = "dumpcap not installed";
            return false;
        }
        try {
            Path out = Files.createTempFile("quicj-dumpcap-probe", ".txt");
            try {
                Process p = new ProcessBuilder(dumpcap.get().toString(), "-i", "lo", "-L")
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                Processes.track(p);
                if (!p.waitFor(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS)) {
                    Processes.kill(p, Duration.ofSeconds(2));
                    captureProblem = "dumpcap -i lo -L did not finish within 20 s";
                    return false;
                }
                if (p.exitValue() != 0) {
                    captureProblem = "dumpcap -i lo -L exited with " + p.exitValue() + ": "
                            + Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
                    return false;
                }
                return true;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            captureProblem = "could not run dumpcap: " + e;
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            captureProblem = "interrupted while probing dumpcap";
            return false;
        }
    }
}
