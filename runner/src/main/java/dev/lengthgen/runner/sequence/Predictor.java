package dev.lengthgen.runner.sequence;

import dev.lengthgen.model.GptModel;
import dev.lengthgen.model.decode.GreedyDecoder;
import dev.lengthgen.tasks.Problem;
import dev.lengthgen.tasks.format.Codec;
import dev.lengthgen.tasks.format.EncodedExample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers problems with a model by batched greedy decoding: the prompt is everything up to and including '=', the
 * model writes the answer and ';'. Problems whose prompts differ in length (unpadded formats) are decoded in groups
 * of equal prompt length, so no prompt needs padding. Position ids follow the model's scheme ({@link PositionIds}).
 */
public final class Predictor {
    private final Codec codec;
    private final GreedyDecoder decoder;
    private final int stopToken;
    private final int maxNew;
    private final PositionIds positions;

    /** @param longestSequence the longest encoded sequence (tokens) any problem may have */
    public Predictor(GptModel model, Codec codec, int batch, int longestSequence) {
        this.codec = codec;
        this.maxNew = codec.maxAnswerTokens() - 1; // the answer and ';' (no need to generate <eos>)
        // The final <eos> is never fed back, so positions [0, longest - 1) suffice.
        this.decoder = new GreedyDecoder(model, batch, longestSequence - 1);
        this.stopToken = codec.vocabulary().separatorId();
        this.positions = new PositionIds(model.config.position(), codec.format());
    }

    /** The answer each problem gets, as written (e.g. reversed and zero-padded), in input order. */
    public List<String> answers(List<Problem> problems) {
        Map<Integer, List<Integer>> byPromptLength = new LinkedHashMap<>();
        List<int[]> prompts = new ArrayList<>(problems.size());
        List<int[]> promptIds = new ArrayList<>(problems.size());
        for (int i = 0; i < problems.size(); i++) {
            EncodedExample e = codec.encode(problems.get(i));
            int[] prompt = Arrays.copyOf(e.tokens(), e.answerStart());
            prompts.add(prompt);
            promptIds.add(positions.evaluation(e, prompt.length));
            byPromptLength.computeIfAbsent(prompt.length, k -> new ArrayList<>()).add(i);
        }
        String[] out = new String[problems.size()];
        int B = decoder.batchSize();
        for (List<Integer> group : byPromptLength.values()) {
            for (int from = 0; from < group.size(); from += B) {
                List<Integer> rows = group.subList(from, Math.min(group.size(), from + B));
                int[][] batch = new int[rows.size()][];
                int[][] batchIds = new int[rows.size()][];
                int[][] generatedIds = new int[rows.size()][];
                int room = decoder.maxPositions() - prompts.get(rows.get(0)).length + 1;
                int steps = Math.min(maxNew, room);
                for (int r = 0; r < rows.size(); r++) {
                    batch[r] = prompts.get(rows.get(r));
                    batchIds[r] = promptIds.get(rows.get(r));
                    generatedIds[r] = positions.generated(batch[r].length, Math.max(0, steps - 1));
                }
                int[][] generated = decoder.decode(batch, batchIds, generatedIds, steps, stopToken);
                for (int r = 0; r < rows.size(); r++) {
                    out[rows.get(r)] = codec.decodeAnswer(generated[r]);
                }
            }
        }
        return Arrays.asList(out);
    }
}
