package dev.lengthgen.tests.opencl;

import dev.lengthgen.engine.opencl.Kernel;
import dev.lengthgen.engine.opencl.KernelBuildOptions;
import dev.lengthgen.engine.opencl.KernelFamily;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every kernel family, in every build the backend can make ({@link KernelBuildOptions#everyBuild()}), compiled as
 * OpenCL C 1.2 by clang for NVIDIA's target (nvptx64-nvidia-nvcl: PTX, what NVIDIA's driver consumes) and for AMD's
 * (amdgcn-amd-amdhsa, gfx900), against libclc's builtins for each: so a kernel that those compilers would reject, or
 * that calls a function no driver defines, fails here rather than on a user's GPU. Warnings fail too, and every
 * kernel {@link Kernel} names must come out as an entry point. The outputs are kept in
 * target/kernels-cross-compiled/ (e.g. to read a kernel's PTX).
 *
 * <p>Needs clang 15 and libclc 15 (Debian/Ubuntu: apt-get install clang-15 libclc-15 libclc-15-dev; elsewhere
 * -Dlengthgen.clang=PATH -Dlengthgen.libclc=DIR). Without them it is skipped with one line; under
 * LENGTHGEN_REQUIRE_GPU_CHECKS=1 (.ci/run sets it) that is a failure.
 */
class KernelCrossCompileTest {
    static final String REQUIRE = "LENGTHGEN_REQUIRE_GPU_CHECKS";
    private static final String CLANG = System.getProperty("lengthgen.clang", "clang-15");
    private static final Path LIBCLC = Path.of(System.getProperty("lengthgen.libclc", "/usr/lib/clc"));
    private static final Path OUT = Path.of("target", "kernels-cross-compiled");

    /** A GPU target: clang's triple and CPU, libclc's builtins for it, and how its assembly names a kernel. */
    enum Target {
        NVIDIA("nvptx64-nvidia-nvcl", null, "nvptx64--nvidiacl.bc", "ptx", ".entry %s("),
        AMD("amdgcn-amd-amdhsa", "gfx900", "amdgcn--amdhsa.bc", "s", ".amdhsa_kernel %s\n");

        final String triple;
        final String cpu;
        final String libclc;
        final String extension;
        final String entry;

        Target(String triple, String cpu, String libclc, String extension, String entry) {
            this.triple = triple;
            this.cpu = cpu;
            this.libclc = libclc;
            this.extension = extension;
            this.entry = entry;
        }

        List<String> targetOptions() {
            List<String> o = new ArrayList<>(List.of("-target", triple));
            if (cpu != null) {
                o.addAll(List.of("-mcpu=" + cpu, "-nogpulib"));   // libclc, not ROCm's device libraries
            }
            return o;
        }
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void everyBuildCompilesForTheTarget(Target target) throws IOException {
        requireTools(target);
        Path dir = OUT.resolve(target.name().toLowerCase());
        Files.createDirectories(dir);
        List<String> failures = new ArrayList<>();
        int builds = 0;
        long start = System.nanoTime();
        for (KernelBuildOptions build : KernelBuildOptions.everyBuild()) {
            builds++;
            String stem = build.family().fileName() + build.defines().stream()
                    .filter(d -> !d.name().equals("TK") && !d.name().equals("WPT") && !d.name().contains("ROWS")
                            && !d.name().equals("REDUCE_CHUNK"))
                    .map(d -> "-" + d.name() + d.value()).reduce("", String::concat);
            Path source = dir.resolve(stem + ".cl");
            Path linked = dir.resolve(stem + ".ll");
            Path assembly = dir.resolve(stem + "." + target.extension);
            Files.writeString(source, build.family().programSource());
            // 1. OpenCL C 1.2 to LLVM IR, with libclc's builtins linked in; warnings are errors
            List<String> compile = new ArrayList<>(List.of(CLANG, "-x", "cl"));
            compile.addAll(Arrays.asList(build.compilerOptions().split(" ")));
            compile.addAll(target.targetOptions());
            compile.addAll(List.of("-Xclang", "-mlink-builtin-bitcode", "-Xclang",
                    LIBCLC.resolve(target.libclc).toString(),
                    "-Wall", "-Werror",
                    // libclc names its triples "nvptx64-unknown-nvidiacl" and "amdgcn-unknown-amdhsa"
                    "-Wno-linker-warnings",
                    // common.cl's helpers are compiled into every family, and not every family uses each
                    "-Wno-unused-function",
                    "-O2", "-emit-llvm", "-S", source.toString(),
                    "-o", linked.toString()));
            String error = run(compile);
            if (error != null) {
                failures.add(build + ": " + error);
                continue;
            }
            // 2. every function called is defined: by our source or by libclc (LLVM's intrinsics aside)
            List<String> undefined = new ArrayList<>();
            for (String line : Files.readAllLines(linked)) {
                Matcher m = DECLARE.matcher(line);
                if (m.find() && !m.group(1).startsWith("llvm.")) {
                    undefined.add(m.group(1));
                }
            }
            if (!undefined.isEmpty()) {
                failures.add(build + ": calls functions that nothing defines: " + undefined);
                continue;
            }
            // 3. LLVM IR to the target's assembly
            List<String> lower = new ArrayList<>(List.of(CLANG));
            lower.addAll(target.targetOptions());
            lower.addAll(List.of("-O2", "-S", linked.toString(), "-o", assembly.toString()));
            error = run(lower);
            if (error != null) {
                failures.add(build + ": " + error);
                continue;
            }
            // 4. every kernel of the build is an entry point
            String asm = Files.readString(assembly);
            for (Kernel k : kernelsOf(build)) {
                if (!asm.contains(String.format(target.entry, k.clName()))) {
                    failures.add(build + ": no entry point " + k.clName() + " in " + assembly);
                }
            }
        }
        System.out.printf("cross-compiled %d builds for %s (%s%s) in %.1f s: %d failed%n", builds, target,
                target.triple, target.cpu == null ? "" : ", " + target.cpu, (System.nanoTime() - start) / 1e9,
                failures.size());
        if (!failures.isEmpty()) {
            fail(failures.size() + " build(s) fail for " + target + ":\n  " + String.join("\n  ", failures));
        }
    }

    private static final Pattern DECLARE = Pattern.compile("^declare [^@]*@\"?([\\w.]+)\"?\\(");

    /** The kernels a build defines: its family's, those built per head size only where it has one. */
    private static List<Kernel> kernelsOf(KernelBuildOptions build) {
        boolean heads = build.defines().stream().anyMatch(d -> d.name().equals("HS"));
        return Arrays.stream(Kernel.values())
                .filter(k -> k.family() == build.family() && (heads || !k.perHeadSize())).toList();
    }

    /** The kernels of the sources and the constants of {@link Kernel} are the same, family by family. */
    @Test
    void kernelNamesMatchTheSources() {
        Pattern kernel = Pattern.compile("__kernel(?:\\s+__attribute__\\s*\\(\\(.*?\\)\\))?\\s+void\\s+(\\w+)",
                Pattern.DOTALL);
        for (KernelFamily f : KernelFamily.values()) {
            Set<String> inSource = new TreeSet<>();
            Matcher m = kernel.matcher(f.source());
            while (m.find()) {
                inSource.add(m.group(1));
            }
            Set<String> named = new TreeSet<>();
            EnumSet.allOf(Kernel.class).stream().filter(k -> k.family() == f).forEach(k -> named.add(k.clName()));
            assertEquals(inSource, named, f.fileName() + ".cl: its __kernel functions and the Kernel constants");
        }
    }

    private static void requireTools(Target target) {
        String missing = null;
        if (run(List.of(CLANG, "--version")) != null) {
            missing = CLANG + " is not installed";
        } else if (!Files.isRegularFile(LIBCLC.resolve(target.libclc))) {
            missing = "libclc's " + LIBCLC.resolve(target.libclc) + " is not installed";
        }
        if (missing != null) {
            String message = "kernel cross-compilation skipped: " + missing + " (Debian/Ubuntu: apt-get install "
                    + "clang-15 libclc-15 libclc-15-dev; or -Dlengthgen.clang=PATH -Dlengthgen.libclc=DIR)";
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(message + "; " + REQUIRE + "=1 requires it");
            }
            System.out.println(message);
            Assumptions.abort(message);
        }
    }

    /** Runs a command; null when it succeeds, else what it printed (or why it could not start). */
    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out: " + String.join(" ", command);
            }
            return p.exitValue() == 0 ? null : new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }
}
