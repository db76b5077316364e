package dev.lengthgen.tests.simulated;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.opencl.KernelVariant;
import dev.lengthgen.engine.opencl.OpenClBackend;
import dev.lengthgen.engine.reference.ReferenceBackend;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.PositionConfig;
import dev.lengthgen.model.decode.GreedyDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Greedy decoding with the KV cache on the simulated GPU gives the reference's tokens: the prompt's prefill, the
 * cache stores, and one-token attention steps, with an additive bias (ALiBi) and with rotated q and k (RoPE).
 */
@SimulatedGpu
class SimulatedDecodeTest {

    @ParameterizedTest(name = "{0}, {1} kernels")
    @CsvSource({"APE, GPU", "ALIBI, GPU", "ROPE, GPU", "APE, CPU"})
    void kvCacheDecodingMatchesReference(PositionConfig.Scheme scheme, KernelVariant variant) {
        GptConfig c = new GptConfig(1, 2, 8, 12, 9, 0f, false, true, PositionConfig.of(scheme));
        int rows = 2, promptLength = 4, maxNew = 4;
        int[][] prompts = new int[rows][promptLength];
        SplittableRandom r = new SplittableRandom(13);
        for (int[] p : prompts) {
            for (int t = 0; t < promptLength; t++) {
                p[t] = r.nextInt(c.vocab());
            }
        }
        float[] params;
        int[][] want;
        try (ReferenceBackend ref = new ReferenceBackend()) {
            GptModel model = new GptModel(c, ref);
            model.initialize(3);
            params = model.downloadParameters();
            for (int i = 0; i < params.length; i++) {
                params[i] += (float) (0.5 * (r.nextDouble() - 0.5)); // sharper logits: no near-ties to decide
            }
            want = decode(model, params, prompts, maxNew);
        }
        try (OpenClBackend cl = Oclgrind.smallDevice(variant, 32)) {
            int[][] got = decode(new GptModel(c, cl), params, prompts, maxNew);
            for (int b = 0; b < rows; b++) {
                assertArrayEquals(want[b], got[b], scheme + " row " + b);
            }
        }
    }

    private static int[][] decode(GptModel model, float[] params, int[][] prompts, int maxNew) {
        Backend backend = model.backend;
        backend.upload(model.params.view(), params);
        return new GreedyDecoder(model, prompts.length, prompts[0].length + maxNew).decode(prompts, maxNew, -1);
    }
}
