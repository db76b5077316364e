package dev.lengthgen.model;

import dev.lengthgen.model.train.LrSchedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LrScheduleTest {

    @Test
    void warmupThenCosineToTheFloor() {
        LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3f, 1e-4f, 100, 1100);
        assertEquals(1e-5f, s.at(1), 1e-12f);
        assertEquals(5e-4f, s.at(50), 1e-10f);
        assertEquals(1e-3f, s.at(100), 1e-10f);
        assertEquals(5.5e-4f, s.at(600), 1e-9f); // halfway through the decay: (max + min) / 2
        assertEquals(1e-4f, s.at(1100), 1e-10f);
        assertEquals(1e-4f, s.at(5000), 1e-10f);
    }

    @Test
    void constantAfterWarmup() {
        LrSchedule s = new LrSchedule(LrSchedule.Kind.CONST, 1e-3f, 1e-4f, 10, 1000);
        assertEquals(1e-4f, s.at(1), 1e-10f);
        assertEquals(1e-3f, s.at(10), 1e-10f);
        assertEquals(1e-3f, s.at(999), 1e-10f);
        assertEquals(1e-3f, new LrSchedule(LrSchedule.Kind.CONST, 1e-3f, 0f, 0, 10).at(1), 0f);
    }
}
