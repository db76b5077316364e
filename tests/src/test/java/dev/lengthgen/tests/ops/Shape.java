package dev.lengthgen.tests.ops;

/**
 * The sizes an op case is built at. SMALL is deliberately awkward (T = 35, C = 48, NH = 3 so hs = 16, V = 16: no size
 * a multiple of a typical tile); LARGE is a micro-model-like shape with more rows and wider channels. WIDE_HEADS has
 * heads of 80 channels, wider than the cpu backend's row-block attention path takes (see its Attention class), so
 * they take its GEMM path; NARROW_HEADS has heads of 10 channels, less than a vector. TINY is for the simulated GPU,
 * which interprets every work-item: still no size a multiple of a tile, and T = 9 leaves room for the decoding
 * cases' positions.
 */
public record Shape(String label, int B, int T, int C, int NH, int V) {
    public static final Shape SMALL = new Shape("small", 2, 35, 48, 3, 16);
    public static final Shape LARGE = new Shape("large", 4, 65, 128, 4, 19);
    public static final Shape WIDE_HEADS = new Shape("wide-heads", 2, 19, 160, 2, 16);
    public static final Shape NARROW_HEADS = new Shape("narrow-heads", 2, 13, 30, 3, 16);
    public static final Shape TINY = new Shape("tiny", 2, 9, 8, 2, 7);

    public int N() {
        return B * T;
    }

    public int hs() {
        return C / NH;
    }

    @Override
    public String toString() {
        return label + " (B=" + B + " T=" + T + " C=" + C + " NH=" + NH + " V=" + V + ")";
    }
}
