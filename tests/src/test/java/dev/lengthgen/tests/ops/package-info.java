/**
 * Op-level tests: one catalog of op cases ({@link dev.lengthgen.tests.ops.OpCatalog}) serves every check.
 *
 * <ul>
 *   <li>{@link dev.lengthgen.tests.ops.OpGradientCheckTest}: each backward op against central finite differences on
 *       the reference backend (double precision), and that backward ops accumulate.</li>
 *   <li>{@link dev.lengthgen.tests.ops.BackendParityTest}: each case, forward and backward, on the cpu and opencl
 *       backends against the reference, within the case's stated tolerance
 *       ({@link dev.lengthgen.tests.ops.ParityCheck} does the work and prints the largest error per op).</li>
 *   <li>{@link dev.lengthgen.tests.ops.ReferenceOpsTest}: semantics finite differences cannot check (decoding with
 *       the KV cache, argmax ties, AdamW by hand, exact sums, dropout masks).</li>
 * </ul>
 *
 * <p>A case ({@link dev.lengthgen.tests.ops.OpCase}) declares its tensors with a role (input, output, in-place,
 * gradient, scratch) and a seeded fill, its forward and backward steps as calls on {@link dev.lengthgen.engine.Ops},
 * its fp32 tolerance, and which gradients finite differences should check. A new op needs one builder call in the
 * catalog; both tests pick it up. {@code -Dlengthgen.ops=matmul,attention} restricts both tests to some op families
 * (or case ids such as {@code "matmul[bias] small"}).
 */
package dev.lengthgen.tests.ops;
