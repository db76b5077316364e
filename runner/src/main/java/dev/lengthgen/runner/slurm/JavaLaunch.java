package dev.lengthgen.runner.slurm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * How this lengthgen process was started, so that a job on another node starts the same program: the JDK's java by
 * its absolute path, the JVM flags this process was given (the launcher's, and LENGTHGEN_JAVA_OPTS, some of which
 * change what a run computes), and the code: the runnable jar, or the class path of a build tree.
 *
 * @param java      the java executable of this JVM
 * @param jvmFlags  this JVM's flags, without those that attach a debugger or an agent (one per node would clash)
 * @param jar       the runnable jar this process runs from, or null when it runs from a class path
 * @param classPath the class path (absolute entries) when there is no jar, else null
 */
public record JavaLaunch(Path java, List<String> jvmFlags, Path jar, String classPath) {
    /** The program's entry point, for a launch from a class path (a jar names it in its manifest). */
    public static final String MAIN_CLASS = "dev.lengthgen.runner.Main";
    private static final List<String> NOT_PASSED = List.of("-agentlib:", "-agentpath:", "-javaagent:", "-Xdebug",
            "-Xrunjdwp");

    /** This process's launch. */
    public static JavaLaunch current() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath();
        List<String> flags = new ArrayList<>();
        for (String f : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (NOT_PASSED.stream().noneMatch(f::startsWith)) {
                flags.add(f);
            }
        }
        Path code = codeLocation();
        if (code != null && Files.isRegularFile(code) && code.getFileName().toString().endsWith(".jar")) {
            return new JavaLaunch(java, flags, code, null);
        }
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return new JavaLaunch(java, flags, null, String.join(File.pathSeparator, entries));
    }

    private static Path codeLocation() {
        try {
            return Path.of(JavaLaunch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The name a copy of the jar gets beside the experiment: lengthgen-HASH.jar, HASH the start of its content's
     * SHA-256, so that a build is copied once however often it submits, and another build gets a file of its own.
     * Null without a jar.
     */
    public String jarCopyName() throws IOException {
        if (jar == null) {
            return null;
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(jar)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return "lengthgen-" + HexFormat.of().formatHex(sha.digest(), 0, 6) + ".jar";
    }

    /** Copies the jar to {@code target} unless a file is there already (the same build: its name is its hash). */
    public void copyJarTo(Path target) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
