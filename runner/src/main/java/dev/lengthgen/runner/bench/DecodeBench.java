package dev.lengthgen.runner.bench;

import dev.lengthgen.engine.Backend;
import dev.lengthgen.engine.graph.Profile;
import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.decode.GreedyDecoder;
import dev.lengthgen.runner.profile.ProfileTable;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.sampling.Dataset;
import dev.lengthgen.tasks.sampling.DigitSpec;
import dev.lengthgen.tasks.sampling.Sampler;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy evaluation throughput: {@code examples} addition problems at width W (prompts "&lt;bos&gt;a+b=" of 2W + 3
 * tokens) decoded in batches with the KV-cache decoder (one prefill pass, then one pass per generated token), each
 * answer turned back into text. Every example generates the full answer (W + 1 digits, ';', &lt;eos&gt;) — no
 * early stop on ';' — so the work equals that of an evaluation of a trained model and does not depend on what an
 * untrained one emits. One warm-up batch, then the whole set timed {@code samples} times; the median is reported.
 */
final class DecodeBench {
    private DecodeBench() {
    }

    static Map<String, Object> run(Backend backend, String preset, int examples, int batch, int width, int samples,
                                   PrintStream log) {
        Codec codec = StepBench.codec(width);
        int maxT = codec.maxSequenceLength(width);
        GptConfig config = GptConfig.preset(preset).withVocab(codec.vocabulary().size()).validate(maxT);
        Dataset data = new Dataset(codec.task(), codec.format(), DigitSpec.of(1), Sampler.A, StepBench.SEED,
                Dataset.ALL);
        List<Problem> problems = data.testSet(width, examples, Sampler.B);
        int[][] prompts = new int[problems.size()][];
        for (int i = 0; i < prompts.length; i++) {
            var e = codec.encode(problems.get(i));
            prompts[i] = Arrays.copyOf(e.tokens(), e.answerStart());
        }
        int promptLength = prompts[0].length;
        int maxNew = Math.min(codec.maxAnswerTokens(), maxT - promptLength + 1);
        GptModel model = new GptModel(config, backend);
        model.initialize(StepBench.SEED);
        GreedyDecoder decoder = new GreedyDecoder(model, Math.min(batch, prompts.length), maxT);
        int B = decoder.batchSize();
        // warm-up: one batch
        decoder.decode(Arrays.copyOf(prompts, Math.min(B, prompts.length)), maxNew, -1);
        double[] seconds = new double[samples];
        long checksum = 0;
        for (int s = 0; s < samples; s++) {
            long t0 = System.nanoTime();
            for (int from = 0; from < prompts.length; from += B) {
                int[][] rows = Arrays.copyOfRange(prompts, from, Math.min(prompts.length, from + B));
                int[][] generated = decoder.decode(rows, maxNew, -1);
                for (int[] g : generated) {
                    checksum += codec.decodeAnswer(g).length();
                }
            }
            seconds[s] = (System.nanoTime() - t0) / 1e9;
        }
        Samples time = new Samples(seconds);
        // one more batch with per-task timing (prefill and per-token tasks share names, so they add up)
        backend.resetProfile();
        backend.setProfiling(true);
        decoder.decode(Arrays.copyOf(prompts, Math.min(B, prompts.length)), maxNew, -1);
        backend.setProfiling(false);
        Profile profile = backend.profile();
        double perSecond = prompts.length / time.median();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", preset);
        m.put("examples", prompts.length);
        m.put("batch", B);
        m.put("width", width);
        m.put("prompt_tokens", promptLength);
        m.put("generated_tokens", maxNew);
        m.put("samples", samples);
        m.put("seconds_median", Peak.round(time.median()));
        m.put("seconds_min", Peak.round(time.min()));
        m.put("seconds_max", Peak.round(time.max()));
        m.put("examples_per_second", Peak.round(perSecond));
        m.put("answer_characters", checksum / samples);
        ProfileTable table = ProfileTable.of("profile of one batch of " + B + " (prefill + " + maxNew
                + " single-token steps)", profile, List.of()).byOp();
        m.put("profile_one_batch", table.toJson());
        if (log != null) {
            log.printf("%s, %,d examples at W=%d (prompt %d tokens + %d generated), batch %d:%n", preset,
                    prompts.length, width, promptLength, maxNew, B);
            log.printf("  %.2f s median (%.2f - %.2f over %d runs), %,.0f examples/s%n", time.median(), time.min(),
                    time.max(), samples, perSecond);
            log.print(table.toText());
        }
        return m;
    }
}
