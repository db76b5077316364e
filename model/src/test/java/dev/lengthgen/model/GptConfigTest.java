package dev.lengthgen.model;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.layout.ParameterLayout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptConfigTest {

    @Test
    void presetsHaveThePapersParameterCounts() {
        // docs/ARCHITECTURE.md, "The paper's setup": micro 0.82M, mini 10.73M at vocab 16 and context 256 (tied
        // embeddings, no biases).
        assertEquals(822_400, new ParameterLayout(GptConfig.preset("micro")).total());
        assertEquals(10_726_272, new ParameterLayout(GptConfig.preset("mini")).total());
    }

    @Test
    void matricesComeBeforeVectors() {
        ParameterLayout l = new ParameterLayout(GptConfig.preset("nano").withBias(true));
        for (var t : l.tensors()) {
            assertEquals(t.shape().length == 2, t.offset() < l.decayCount(), t.name());
            assertEquals(t.decay(), t.shape().length == 2, t.name());
        }
    }

    @Test
    void untiedHeadIsItsOwnTensor() {
        ParameterLayout tied = new ParameterLayout(GptConfig.preset("nano"));
        ParameterLayout untied = new ParameterLayout(GptConfig.preset("nano").withTiedEmbeddings(false));
        assertEquals(tied.total() + 16 * 48, untied.total());
        assertTrue(untied.lmHead != untied.wte);
    }

    @Test
    void invalidCombinationsAreRejectedWithTheFix() {
        var e = assertThrows(IllegalArgumentException.class, () -> GptConfig.preset("micro").withDim(130).validate(0));
        assertTrue(e.getMessage().contains("not divisible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GptConfig.preset("micro").withContext(32).validate(66));
        assertTrue(e.getMessage().contains("raise context to at least 66"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GptConfig.preset("pico"));
    }
}
