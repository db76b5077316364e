package dev.lengthgen.model;

import dev.lengthgen.model.config.GptConfig;
import dev.lengthgen.model.config.InvalidConfigException;
import dev.lengthgen.model.layout.ParameterLayout;
import dev.lengthgen.model.train.LrSchedule;
import org.junit.jupiter.api.Test;

import java.util.List;

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

    @Test
    void configErrorsSpeakTheConfigsTermsAndNameTheirFields() {
        var e = assertThrows(InvalidConfigException.class, () -> GptConfig.preset("micro").withDim(130).validate(0));
        assertEquals("dim 130 is not divisible by heads 4: choose a dim that is a multiple of heads", e.getMessage());
        assertEquals(List.of("dim", "heads"), e.fields());
        assertEquals("--dim 130 is not divisible by --heads 4: choose a --dim that is a multiple of --heads",
                e.render(field -> "--" + field));
        var schedule = assertThrows(InvalidConfigException.class,
                () -> new LrSchedule(LrSchedule.Kind.COSINE, 1e-3f, 5e-3f, 10, 100).validate());
        assertEquals(List.of("minLr", "maxLr"), schedule.fields());
    }
}
