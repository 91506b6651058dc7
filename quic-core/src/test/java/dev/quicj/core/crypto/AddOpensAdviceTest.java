package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.modpathprobe.PrintCryptoImplementations;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "run with --add-opens ..." advice in {@link CryptoProvider#aesGcmImplementation()} and
 * {@link CryptoProvider#sha256Implementation()} names the module that needs the opening: {@code ALL-UNNAMED} on the
 * class path, but {@code dev.quicj.core} when quic-core is on the module path (its automatic module), where
 * {@code =ALL-UNNAMED} opens nothing to it and the fast paths stay off.
 */
class AddOpensAdviceTest {

    @Test
    void onTheClassPathTheAdviceOpensToAllUnnamed() {
        Module unnamed = AddOpensAdviceTest.class.getClassLoader().getUnnamedModule();
        assertEquals("--add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED",
                JdkGcmPrimitives.addOpensFlag("com.sun.crypto.provider", unnamed));
    }

    @Test
    void onTheModulePathTheAdviceOpensToTheNamedModule() {
        // java.base stands in for any named module: on the module path quic-core is dev.quicj.core
        Module named = Object.class.getModule();
        assertEquals("--add-opens java.base/sun.security.provider=java.base",
                JdkGcmPrimitives.addOpensFlag("sun.security.provider", named));
    }

    @Test
    void bothReasonsUseTheModuleQuicCoreIsIn() {
        String target = JdkGcmPrimitives.class.getModule().isNamed()
                ? JdkGcmPrimitives.class.getModule().getName() : "ALL-UNNAMED";
        assertEquals("--add-opens java.base/com.sun.crypto.provider=" + target,
                JdkGcmPrimitives.addOpensFlag("com.sun.crypto.provider", JdkGcmPrimitives.class.getModule()));
    }

    /**
     * The real thing: quic-core as the automatic module {@code dev.quicj.core} (a jar of its classes with the
     * manifest's Automatic-Module-Name) in a child JVM without the flags. The advice it prints must be a flag that
     * works there: {@code =ALL-UNNAMED} does not open anything to a named module.
     */
    @Test
    void onTheModulePathQuicCoreAdvisesOpeningToDevQuicjCore(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("quic-core.jar");
        jarOf(Paths.get(CryptoProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI()), jar);
        Path probe = Paths.get(PrintCryptoImplementations.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "--module-path", jar.toString(), "--add-modules", "dev.quicj.core",
                "-cp", probe + File.pathSeparator + System.getProperty("java.class.path"),
                PrintCryptoImplementations.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("module=dev.quicj.core"), out);
        assertTrue(out.contains("--add-opens java.base/com.sun.crypto.provider=dev.quicj.core"), out);
        assertTrue(out.contains("--add-opens java.base/sun.security.provider=dev.quicj.core"), out);
        assertTrue(!out.contains("ALL-UNNAMED"), out);
    }

    private static void jarOf(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Automatic-Module-Name"), "dev.quicj.core");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.startsWith("META-INF/MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }
}
