package dev.lengthgen.engine.cpu;

import dev.lengthgen.engine.DropoutKey;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The mask cache finds a mask by its key's values, and a dropout site reuses its slot from one step to the next. */
class DropoutMaskCacheTest {

    @Test
    void aSiteReusesItsSlotAtTheNextStep() {
        DropoutMaskCache cache = new DropoutMaskCache();
        long[] step1 = cache.claim(DropoutKey.of(7, 1, 3), 0.2f, 1000);
        long[] other = cache.claim(DropoutKey.of(7, 1, 4), 0.2f, 1000);
        assertNotSame(step1, other);
        assertSame(step1, cache.find(DropoutKey.of(7, 1, 3), 0.2f, 1000));
        // the next step of the same site takes the same words; the mask of step 1 is gone
        assertSame(step1, cache.claim(DropoutKey.of(7, 2, 3), 0.2f, 1000));
        assertNull(cache.find(DropoutKey.of(7, 1, 3), 0.2f, 1000));
        assertSame(step1, cache.find(DropoutKey.of(7, 2, 3), 0.2f, 1000));
        assertSame(other, cache.find(DropoutKey.of(7, 1, 4), 0.2f, 1000));
    }

    @Test
    void findMatchesTheKeyValuesProbabilityAndLength() {
        DropoutMaskCache cache = new DropoutMaskCache();
        long[] words = cache.claim(DropoutKey.of(7, 1, 3), 0.2f, 1000);
        assertSame(words, cache.find(DropoutKey.of(7, 1, 3), 0.2f, 640));
        assertNull(cache.find(DropoutKey.of(8, 1, 3), 0.2f, 1000));
        assertNull(cache.find(DropoutKey.of(7, 1, 3), 0.1f, 1000));
        assertNull(cache.find(DropoutKey.of(7, 1, 3), 0.2f, 1001));
        cache.forget(words);
        assertNull(cache.find(DropoutKey.of(7, 1, 3), 0.2f, 1000));
    }
}
