/* Affine resampling kernels with the library's border rule built in, and the module
 * (the per-pixel kernels are in _pixels.c).
 *
 * The rule (see functional/sampling.py): an output pixel whose nearest source pixel lies
 * outside the source gets the fill; every other pixel is interpolated with the source's
 * edge pixels replicated outwards, so content never blends with the fill.
 *
 * The arithmetic is OpenCV's own fixed point for cv2.warpAffine (OpenCV 4.x, 8-bit
 * bilinear and any nearest): source points in 1/1024 of a pixel, each the rounded row
 * term plus the rounded column term; nearest takes the closest pixel, bilinear places the
 * point on a 1/32 grid with integer weights. So these kernels give the same bytes as the
 * OpenCV path they replace, and every channel group of a sample is filled at the same
 * pixels. What they add: along a row, the pixels whose nearest source pixel is inside form
 * one run (a line meets a rectangle in one segment), as do the pixels whose four taps are
 * inside; each row is cut into fill, edge and interior runs, and only the interior run
 * has the fast loop, which for 3- and 4-channel uint8 images uses AVX2 (two pixels at a
 * time) or SSSE3 where the processor has them (the scalar loop gives the same bytes).
 */
#include "_native.h"

#define AB_BITS 10                    /* source points in 1 / 1024 of a pixel */
#define INTER_BITS 5                  /* bilinear grid: 1 / 32 of a pixel */
#define TAB (1 << INTER_BITS)
#define NEAREST_DELTA (1 << (AB_BITS - 1))
#define LINEAR_DELTA (1 << (AB_BITS - INTER_BITS - 1))
#define WSHIFT (2 * INTER_BITS)       /* weights sum to 1 << WSHIFT */
/* Terms of the source point larger than this are refused: OpenCV adds them in int32
 * units of 1/1024 pixel, and so do the kernels' chunked loops. */
#define MAX_TERM 524288.0
#define CHUNK 64                      /* pixels whose addresses are worked out together */

int has_simd = 0;

/* The source point of output pixel x of one row is (x0 + ad[x], y0 + bd[x]) / 1024. */
typedef struct {
    int64_t x0, y0;
    const int32_t *ad, *bd;
} Row;

static inline int64_t to_fixed(double v) { return (int64_t)llrint(v * (1 << AB_BITS)); }

static inline Row row_of(const double *inv, int y, int delta, const int32_t *ad,
                         const int32_t *bd)
{
    Row r = {to_fixed(inv[1] * y + inv[2]) + delta, to_fixed(inv[4] * y + inv[5]) + delta,
             ad, bd};
    return r;
}

/* The column terms of every output column, rounded once for all rows. */
static int32_t *column_terms(const double *inv, int dw)
{
    int32_t *terms = malloc(sizeof(int32_t) * 2 * (size_t)(dw > 0 ? dw : 1));
    if (terms == NULL) return NULL;
    for (int x = 0; x < dw; x++) {
        terms[x] = (int32_t)to_fixed(inv[0] * x);
        terms[dw + x] = (int32_t)to_fixed(inv[3] * x);
    }
    return terms;
}

static inline int nearest_in(const Row *r, int x, int sw, int sh)
{
    const int64_t nx = (r->x0 + r->ad[x]) >> AB_BITS, ny = (r->y0 + r->bd[x]) >> AB_BITS;
    return nx >= 0 && nx < sw && ny >= 0 && ny < sh;
}

/* Whether the taps ix..ix+1 (plus ``spare`` columns read past them) and iy..iy+1 are
 * all inside. */
static inline int taps_in(const Row *r, int x, int sw, int sh, int spare)
{
    const int64_t ix = (r->x0 + r->ad[x]) >> AB_BITS, iy = (r->y0 + r->bd[x]) >> AB_BITS;
    return ix >= 0 && ix + 1 + spare < sw && iy >= 0 && iy + 1 < sh;
}

/* The run of x in [0, dw) where ``lo <= c + e * x <= hi`` on both axes, widened by two
 * pixels either side: a superset of the exact run, which EXACT_RUN then finds. */
static void rough_run(const double *inv, int y, double lo_x, double hi_x, double lo_y,
                      double hi_y, int dw, int *a, int *b)
{
    double lo = 0.0, hi = dw - 1.0;
    const double c[2] = {inv[1] * y + inv[2], inv[4] * y + inv[5]}, e[2] = {inv[0], inv[3]};
    const double l[2] = {lo_x, lo_y}, h[2] = {hi_x, hi_y};
    for (int k = 0; k < 2; k++) {
        if (e[k] > 0) {
            lo = fmax(lo, (l[k] - c[k]) / e[k]);
            hi = fmin(hi, (h[k] - c[k]) / e[k]);
        } else if (e[k] < 0) {
            lo = fmax(lo, (h[k] - c[k]) / e[k]);
            hi = fmin(hi, (l[k] - c[k]) / e[k]);
        } else if (c[k] < l[k] - 1.0 || c[k] > h[k] + 1.0) {
            hi = -1.0;
        }
    }
    if (!(lo <= hi + 4.0)) { /* also catches NaN */
        *a = *b = 0;
        return;
    }
    const double fa = floor(lo) - 2.0, fb = ceil(hi) + 3.0;
    *a = fa < 0 ? 0 : (fa > dw ? dw : (int)fa);
    *b = fb < 0 ? 0 : (fb > dw ? dw : (int)fb);
}

/* Shrink a superset [a, b) of the run where ``pred`` holds to that run. */
#define EXACT_RUN(a, b, pred)                          \
    do {                                               \
        while ((a) < (b) && !(pred((a)))) (a)++;       \
        while ((b) > (a) && !(pred((b) - 1))) (b)--;   \
    } while (0)

static void nearest_run(const Row *r, const double *inv, int y, int sw, int sh, int dw,
                        int *a, int *b)
{
    rough_run(inv, y, -0.5, sw - 0.5, -0.5, sh - 0.5, dw, a, b);
#define NEAR_PRED(x) nearest_in(r, (x), sw, sh)
    EXACT_RUN(*a, *b, NEAR_PRED);
#undef NEAR_PRED
}

/* ---------------------------------------------------------------- nearest */

static void fill_pixels(uint8_t *out, int n, const uint8_t *fill, Py_ssize_t pb)
{
    if (n <= 0) return;
    if (pb == 1) {
        memset(out, fill[0], (size_t)n);
        return;
    }
    /* One pixel, then the filled part doubled until the run is full. */
    const size_t total = (size_t)n * (size_t)pb;
    size_t done = (size_t)pb;
    memcpy(out, fill, done);
    while (done < total) {
        const size_t step = done < total - done ? done : total - done;
        memcpy(out + done, out, step);
        done += step;
    }
}

/* Source pixel indices of the n pixels from x on (all inside): a loop the compiler
 * vectorises. */
static inline void nearest_indices(const Row *r, int x, int n, int sw, int32_t *idx)
{
    const int32_t x0 = (int32_t)r->x0, y0 = (int32_t)r->y0;
    const int32_t *ad = r->ad + x, *bd = r->bd + x;
    for (int k = 0; k < n; k++)
        idx[k] = ((y0 + bd[k]) >> AB_BITS) * sw + ((x0 + ad[k]) >> AB_BITS);
}

#define NEAREST_LOOP(T)                                                           \
    for (int x = a; x < b; x += CHUNK) {                                          \
        const int n = b - x < CHUNK ? b - x : CHUNK;                              \
        int32_t idx[CHUNK];                                                       \
        nearest_indices(&r, x, n, sw, idx);                                       \
        for (int k = 0; k < n; k++) ((T *)out)[x + k] = ((const T *)src)[idx[k]]; \
    }

static void warp_nearest_kernel(const uint8_t *src, int sh, int sw, Py_ssize_t pb,
                                uint8_t *dst, int dh, int dw, const double *inv,
                                const uint8_t *fill, const int32_t *terms)
{
    const Py_ssize_t ss = sw * pb;
    for (int y = 0; y < dh; y++) {
        uint8_t *out = dst + (Py_ssize_t)y * dw * pb;
        const Row r = row_of(inv, y, NEAREST_DELTA, terms, terms + dw);
        int a, b;
        nearest_run(&r, inv, y, sw, sh, dw, &a, &b);
        fill_pixels(out, a, fill, pb);
        switch (pb) {
        case 1: NEAREST_LOOP(uint8_t) break;
        case 2: NEAREST_LOOP(uint16_t) break;
        case 4: NEAREST_LOOP(uint32_t) break;
        case 8: NEAREST_LOOP(uint64_t) break;
        default:
            for (int x = a; x < b; x++) {
                const int64_t X = (r.x0 + r.ad[x]) >> AB_BITS, Y = (r.y0 + r.bd[x]) >> AB_BITS;
                memcpy(out + x * pb, src + Y * ss + X * pb, (size_t)pb);
            }
        }
        fill_pixels(out + b * pb, dw - b, fill, pb);
    }
}

/* ---------------------------------------------------------------- bilinear */

static inline int clampi(int64_t v, int hi) { return v < 0 ? 0 : (v > hi ? hi : (int)v); }

/* Position of pixel x on the 1/32 grid: whole pixel and the weights' index. */
#define GRID(r, x, ix, iy, fx, fy)                                                  \
    const int64_t gx_ = ((r)->x0 + (r)->ad[x]) >> (AB_BITS - INTER_BITS);           \
    const int64_t gy_ = ((r)->y0 + (r)->bd[x]) >> (AB_BITS - INTER_BITS);           \
    const int64_t ix = gx_ >> INTER_BITS, iy = gy_ >> INTER_BITS;                   \
    const int fx = (int)(gx_ & (TAB - 1)), fy = (int)(gy_ & (TAB - 1))

#define BLEND(p00, p01, p10, p11, fx, fy)                                            \
    (uint8_t)(((p00) * ((TAB - (fx)) * (TAB - (fy))) + (p01) * ((fx) * (TAB - (fy)))  \
               + (p10) * ((TAB - (fx)) * (fy)) + (p11) * ((fx) * (fy))                \
               + (1 << (WSHIFT - 1))) >> WSHIFT)

/* One pixel, any tap outside replicated from the edge. */
static inline void bilinear_edge(const uint8_t *src, int sh, int sw, int cn, const Row *r,
                                 int x, uint8_t *o)
{
    GRID(r, x, ix, iy, fx, fy);
    const int x0 = clampi(ix, sw - 1), x1 = clampi(ix + 1, sw - 1);
    const int y0 = clampi(iy, sh - 1), y1 = clampi(iy + 1, sh - 1);
    const Py_ssize_t ss = (Py_ssize_t)sw * cn;
    const uint8_t *p00 = src + y0 * ss + x0 * cn, *p01 = src + y0 * ss + x1 * cn;
    const uint8_t *p10 = src + y1 * ss + x0 * cn, *p11 = src + y1 * ss + x1 * cn;
    for (int c = 0; c < cn; c++) o[c] = BLEND(p00[c], p01[c], p10[c], p11[c], fx, fy);
}

/* The interior run: all four taps inside. Scalar version. */
static void bilinear_run_scalar(const uint8_t *src, int sw, int cn, const Row *r, int a,
                                int b, uint8_t *out)
{
    const Py_ssize_t ss = (Py_ssize_t)sw * cn;
    for (int x = a; x < b; x++) {
        GRID(r, x, ix, iy, fx, fy);
        const uint8_t *p = src + iy * ss + ix * cn;
        uint8_t *o = out + x * cn;
        for (int c = 0; c < cn; c++)
            o[c] = BLEND(p[c], p[c + cn], p[ss + c], p[ss + c + cn], fx, fy);
    }
}

/* Byte offsets of the top-left taps and weight indices of the n pixels from x on (all
 * taps inside): a loop the compiler vectorises. */
static inline void grid_chunk(const Row *r, int x, int n, int32_t ss, int cn, int32_t *offset,
                              int32_t *weights)
{
    const int32_t x0 = (int32_t)r->x0, y0 = (int32_t)r->y0;
    const int32_t *ad = r->ad + x, *bd = r->bd + x;
    for (int k = 0; k < n; k++) {
        const int32_t gx = (x0 + ad[k]) >> (AB_BITS - INTER_BITS);
        const int32_t gy = (y0 + bd[k]) >> (AB_BITS - INTER_BITS);
        offset[k] = (gy >> INTER_BITS) * ss + (gx >> INTER_BITS) * cn;
        weights[k] = ((gy & (TAB - 1)) << INTER_BITS) | (gx & (TAB - 1));
    }
}

#ifdef SEGAUG_X86
/* Weights of each grid position (fy, fx): the top pair and the bottom pair of taps, as
 * two int16 pairs. */
static int32_t weight_table[TAB * TAB * 2];

static void init_weights(void)
{
    for (int fy = 0; fy < TAB; fy++)
        for (int fx = 0; fx < TAB; fx++) {
            int32_t *w = weight_table + 2 * (fy * TAB + fx);
            w[0] = ((TAB - fx) * (TAB - fy)) | ((fx * (TAB - fy)) << 16);
            w[1] = ((TAB - fx) * fy) | ((fx * fy) << 16);
        }
}

/* The interior run of a 3- or 4-channel image: each row of taps is loaded as 8 bytes,
 * spread to (left, right) int16 pairs per channel and multiplied-added with the
 * weights. Stores 4 bytes a pixel: for 3 channels the spare byte is overwritten by the
 * next pixel (the caller keeps the row's last pixel out of the run). The loads read
 * 8 - 2 * cn bytes past the right tap (the caller keeps those inside the source). */
__attribute__((target("ssse3")))
static void bilinear_run_ssse3(const uint8_t *src, int sw, int cn, const Row *r, int a,
                               int b, uint8_t *out)
{
    const Py_ssize_t ss = (Py_ssize_t)sw * cn;
    const __m128i spread = cn == 3
        ? _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1)
        : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m128i round = _mm_set1_epi32(1 << (WSHIFT - 1));
    int32_t offset[CHUNK], weights[CHUNK];
    for (int x0 = a; x0 < b; x0 += CHUNK) {
        const int n = b - x0 < CHUNK ? b - x0 : CHUNK;
        grid_chunk(r, x0, n, (int32_t)ss, cn, offset, weights);
        for (int k = 0; k < n; k++) {
            const uint8_t *p = src + offset[k];
            const __m128i w = _mm_loadl_epi64((const __m128i *)(weight_table + 2 * weights[k]));
            const __m128i top = _mm_shuffle_epi8(_mm_loadl_epi64((const __m128i *)p), spread);
            const __m128i bottom = _mm_shuffle_epi8(
                _mm_loadl_epi64((const __m128i *)(p + ss)), spread);
            __m128i sum = _mm_add_epi32(_mm_madd_epi16(top, _mm_shuffle_epi32(w, 0x00)),
                                        _mm_madd_epi16(bottom, _mm_shuffle_epi32(w, 0x55)));
            sum = _mm_srai_epi32(_mm_add_epi32(sum, round), WSHIFT);
            sum = _mm_packus_epi16(_mm_packs_epi32(sum, sum), sum);
            const int32_t bytes = _mm_cvtsi128_si32(sum);
            memcpy(out + (x0 + k) * cn, &bytes, 4);
        }
    }
}
#endif

/* As bilinear_run_ssse3, two pixels at a time in the two halves of 256-bit registers. */
__attribute__((target("avx2")))
static void bilinear_run_avx2(const uint8_t *src, int sw, int cn, const Row *r, int a,
                              int b, uint8_t *out)
{
    const Py_ssize_t ss = (Py_ssize_t)sw * cn;
    const __m128i spread128 = cn == 3
        ? _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1)
        : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m256i spread = _mm256_broadcastsi128_si256(spread128);
    const __m256i round = _mm256_set1_epi32(1 << (WSHIFT - 1));
    int32_t offset[CHUNK], weights[CHUNK];
    for (int x0 = a; x0 < b; x0 += CHUNK) {
        const int n = b - x0 < CHUNK ? b - x0 : CHUNK;
        grid_chunk(r, x0, n, (int32_t)ss, cn, offset, weights);
        int k = 0;
        for (; k + 1 < n; k += 2) {
            const uint8_t *p = src + offset[k], *q = src + offset[k + 1];
            const __m256i w = _mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(weight_table + 2 * weights[k]))),
                _mm_loadl_epi64((const __m128i *)(weight_table + 2 * weights[k + 1])), 1);
            const __m256i top = _mm256_shuffle_epi8(_mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)p)),
                _mm_loadl_epi64((const __m128i *)q), 1), spread);
            const __m256i bottom = _mm256_shuffle_epi8(_mm256_inserti128_si256(
                _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(p + ss))),
                _mm_loadl_epi64((const __m128i *)(q + ss)), 1), spread);
            __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(top, _mm256_shuffle_epi32(w, 0x00)),
                                           _mm256_madd_epi16(bottom, _mm256_shuffle_epi32(w, 0x55)));
            sum = _mm256_srai_epi32(_mm256_add_epi32(sum, round), WSHIFT);
            sum = _mm256_packus_epi16(_mm256_packs_epi32(sum, sum), sum);
            const int32_t first = _mm256_cvtsi256_si32(sum);
            const int32_t second = _mm_cvtsi128_si32(_mm256_extracti128_si256(sum, 1));
            memcpy(out + (x0 + k) * cn, &first, 4);
            memcpy(out + (x0 + k + 1) * cn, &second, 4);
        }
        if (k < n) bilinear_run_ssse3(src, sw, cn, r, x0 + k, x0 + k + 1, out);
    }
}

static void warp_linear_kernel(const uint8_t *src, int sh, int sw, int cn, uint8_t *dst,
                               int dh, int dw, const double *inv, const uint8_t *fill,
                               const int32_t *terms)
{
    /* The 8-byte loads of the fast run need 8 - 2 * cn spare bytes right of the taps. */
    const int fast = (cn == 3 || cn == 4) ? has_simd : 0;
    const int spare = fast && cn == 3 ? 1 : 0;
    for (int y = 0; y < dh; y++) {
        uint8_t *out = dst + (Py_ssize_t)y * dw * cn;
        int na = 0, nb = dw;
        if (fill != NULL) {
            const Row n = row_of(inv, y, NEAREST_DELTA, terms, terms + dw);
            nearest_run(&n, inv, y, sw, sh, dw, &na, &nb);
            fill_pixels(out, na, fill, cn);
        }
        const Row r = row_of(inv, y, LINEAR_DELTA, terms, terms + dw);
        /* The interior run lies within the nearest run (taps inside: nearest inside). */
        int ia, ib;
        rough_run(inv, y, 0.0, sw - 1.0 - spare, 0.0, sh - 1.0, dw, &ia, &ib);
        ia = ia < na ? na : ia;
        ib = ib > nb ? nb : ib;
#define TAPS_PRED(x) taps_in(&r, (x), sw, sh, spare)
        EXACT_RUN(ia, ib, TAPS_PRED);
#undef TAPS_PRED
        if (fast && cn == 3 && ib == dw && ib > ia) ib--; /* its 4-byte store would spill */
        if (ib <= ia) ia = ib = nb;
        for (int x = na; x < ia; x++) bilinear_edge(src, sh, sw, cn, &r, x, out + x * cn);
#ifdef SEGAUG_X86
        if (fast == 2)
            bilinear_run_avx2(src, sw, cn, &r, ia, ib, out);
        else if (fast)
            bilinear_run_ssse3(src, sw, cn, &r, ia, ib, out);
        else
#endif
            bilinear_run_scalar(src, sw, cn, &r, ia, ib, out);
        for (int x = ib; x < nb; x++) bilinear_edge(src, sh, sw, cn, &r, x, out + x * cn);
        if (fill != NULL) fill_pixels(out + nb * cn, dw - nb, fill, cn); /* after any spill */
    }
}

/* ---------------------------------------------------------------- Python */

static int parse_inverse(PyObject *obj, double *inv)
{
    if (!PyArg_ParseTuple(obj, "dddddd;inverse must be 6 floats", inv, inv + 1, inv + 2,
                          inv + 3, inv + 4, inv + 5))
        return 0;
    for (int i = 0; i < 6; i++)
        if (!isfinite(inv[i])) {
            PyErr_Format(PyExc_ValueError, "inverse[%d] is %R, not finite", i,
                         PyTuple_GET_ITEM(obj, i));
            return 0;
        }
    return 1;
}

/* The rounded column terms of an output of width dw and height dh, or NULL with an
 * error set when a term of the source point could overflow OpenCV's int32 arithmetic. */
static int32_t *checked_terms(const double *inv, Py_ssize_t dh, Py_ssize_t dw)
{
    const double last_x = dw > 0 ? dw - 1.0 : 0.0, last_y = dh > 0 ? dh - 1.0 : 0.0;
    const double terms[6] = {inv[0] * last_x, inv[3] * last_x, inv[2], inv[5],
                             inv[1] * last_y + inv[2], inv[4] * last_y + inv[5]};
    for (int i = 0; i < 6; i++)
        if (!(fabs(terms[i]) < MAX_TERM)) {
            PyErr_Format(PyExc_ValueError,
                         "the inverse maps the output to source points beyond 2**19 pixels");
            return NULL;
        }
    int32_t *out = column_terms(inv, (int)dw);
    if (out == NULL) PyErr_NoMemory();
    return out;
}

/* src and dst as C-contiguous buffers of at least two dimensions (height, width, ...);
 * the bytes of one pixel. */
int get_buffers(PyObject *src_obj, PyObject *dst_obj, Py_buffer *src, Py_buffer *dst)
{
    if (PyObject_GetBuffer(src_obj, src, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return 0;
    if (PyObject_GetBuffer(dst_obj, dst, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_WRITABLE)
        < 0) {
        PyBuffer_Release(src);
        return 0;
    }
    return 1;
}

static int get_images(PyObject *src_obj, PyObject *dst_obj, Py_buffer *src, Py_buffer *dst,
                      Py_ssize_t *pixel_bytes)
{
    if (!get_buffers(src_obj, dst_obj, src, dst)) return 0;
    const char *problem = NULL;
    if (src->ndim < 2 || dst->ndim < 2) {
        problem = "src and dst must have at least 2 dimensions (height, width, ...)";
    } else if (src->shape[0] <= 0 || src->shape[1] <= 0 || src->shape[0] > INT32_MAX / 2
               || src->shape[1] > INT32_MAX / 2 || dst->shape[0] > INT32_MAX / 2
               || dst->shape[1] > INT32_MAX / 2) {
        problem = "src must be non-empty and both sizes below 2**30";
    } else {
        const Py_ssize_t sp = src->len / (src->shape[0] * src->shape[1]);
        const Py_ssize_t dst_pixels = dst->shape[0] * dst->shape[1];
        const Py_ssize_t dp = dst_pixels > 0 ? dst->len / dst_pixels : sp;
        if (sp != dp || sp <= 0) problem = "src and dst pixels must have the same bytes";
        *pixel_bytes = sp;
    }
    if (problem != NULL) {
        PyErr_SetString(PyExc_ValueError, problem);
        PyBuffer_Release(src);
        PyBuffer_Release(dst);
        return 0;
    }
    return 1;
}

static PyObject *py_warp_nearest(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *dst_obj, *inv_obj;
    Py_buffer src, dst, fill;
    double inv[6];
    if (!PyArg_ParseTuple(args, "OOO!y*", &src_obj, &dst_obj, &PyTuple_Type, &inv_obj, &fill))
        return NULL;
    Py_ssize_t pb = 0;
    if (!parse_inverse(inv_obj, inv) || !get_images(src_obj, dst_obj, &src, &dst, &pb)) {
        PyBuffer_Release(&fill);
        return NULL;
    }
    int32_t *terms = NULL;
    if (fill.len != pb) {
        PyErr_Format(PyExc_ValueError, "fill has %zd bytes, a pixel has %zd", fill.len, pb);
    } else if ((terms = checked_terms(inv, dst.shape[0], dst.shape[1])) != NULL) {
        Py_BEGIN_ALLOW_THREADS
        warp_nearest_kernel(src.buf, (int)src.shape[0], (int)src.shape[1], pb, dst.buf,
                            (int)dst.shape[0], (int)dst.shape[1], inv, fill.buf, terms);
        Py_END_ALLOW_THREADS
        free(terms);
    }
    PyBuffer_Release(&fill);
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_warp_linear(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *dst_obj, *inv_obj, *fill_obj;
    Py_buffer src, dst, fill = {0};
    double inv[6];
    if (!PyArg_ParseTuple(args, "OOO!O", &src_obj, &dst_obj, &PyTuple_Type, &inv_obj,
                          &fill_obj))
        return NULL;
    if (fill_obj != Py_None && PyObject_GetBuffer(fill_obj, &fill, PyBUF_SIMPLE) < 0)
        return NULL;
    Py_ssize_t pb = 0;
    if (!parse_inverse(inv_obj, inv) || !get_images(src_obj, dst_obj, &src, &dst, &pb)) {
        if (fill_obj != Py_None) PyBuffer_Release(&fill);
        return NULL;
    }
    if (src.ndim != 3 || dst.ndim != 3 || src.itemsize != 1 || src.format == NULL
        || strcmp(src.format, "B") != 0 || dst.format == NULL || strcmp(dst.format, "B") != 0) {
        PyErr_SetString(PyExc_ValueError, "src and dst must be uint8 (height, width, channels)");
    } else if (fill_obj != Py_None && fill.len != pb) {
        PyErr_Format(PyExc_ValueError, "fill has %zd bytes, a pixel has %zd", fill.len, pb);
    } else {
        int32_t *terms = checked_terms(inv, dst.shape[0], dst.shape[1]);
        if (terms != NULL) {
            Py_BEGIN_ALLOW_THREADS
            warp_linear_kernel(src.buf, (int)src.shape[0], (int)src.shape[1], (int)pb,
                               dst.buf, (int)dst.shape[0], (int)dst.shape[1], inv,
                               fill_obj == Py_None ? NULL : fill.buf, terms);
            Py_END_ALLOW_THREADS
            free(terms);
        }
    }
    if (fill_obj != Py_None) PyBuffer_Release(&fill);
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

/* The best interior loop the processor runs: 2 AVX2, 1 SSSE3, 0 scalar. */
static int best_simd(void)
{
#ifdef SEGAUG_X86
    if (__builtin_cpu_supports("avx2")) return 2;
    if (__builtin_cpu_supports("ssse3")) return 1;
#endif
    return 0;
}

static PyObject *py_use_simd(PyObject *self, PyObject *arg)
{
    const int previous = has_simd;
    const long wanted = PyLong_AsLong(arg);
    if (wanted == -1 && PyErr_Occurred()) return NULL;
    const int best = best_simd();
    has_simd = wanted < 0 ? 0 : (wanted > best ? best : (int)wanted);
    return PyLong_FromLong(previous);
}

static PyObject *py_simd(PyObject *self, PyObject *unused)
{
    return PyLong_FromLong(has_simd);
}

static PyMethodDef methods[] = {
    {"channel_sums", py_channel_sums, METH_O,
     "channel_sums(src)\n--\n\n"
     "The sum of every channel of the uint8 C-contiguous ``src`` (height, width, channels),\n"
     "as exact integers."},
    {"colour_planes", py_colour_planes, METH_VARARGS,
     "colour_planes(src, dst, matrix, lo, hi)\n--\n\n"
     "The affine ``matrix`` (channels x (channels + 1) floats, row by row) applied to\n"
     "every pixel of the uint8 ``src`` (height, width, channels), clamped to ``lo`` ..\n"
     "``hi`` per channel, written in float32 into the planes of ``dst`` (channels,\n"
     "height, width). The same floats with and without AVX2."},
    {"labels_int32", py_labels_int32, METH_VARARGS,
     "labels_int32(src, dst, ignore, replacement)\n--\n\n"
     "The uint8 C-contiguous ``src`` into the int32 ``dst`` (as many elements), with\n"
     "``replacement`` where a value equals ``ignore`` (a negative ``ignore``: none)."},
    {"simd", py_simd, METH_NOARGS,
     "simd()\n--\n\nThe interior loop of 3- and 4-channel bilinear warps: 2 AVX2, 1 SSSE3, 0 scalar."},
    {"use_simd", py_use_simd, METH_O,
     "use_simd(level)\n--\n\n"
     "The interior loop of bilinear warps: 2 AVX2, 1 SSSE3, 0 scalar (capped at what the\n"
     "processor runs); returns the previous level. All give the same bytes: this exists\n"
     "to test that."},
    {"warp_nearest", py_warp_nearest, METH_VARARGS,
     "warp_nearest(src, dst, inverse, fill)\n--\n\n"
     "Nearest-neighbour affine warp of the C-contiguous ``src`` (height, width, ...) into\n"
     "``dst`` (any dtype: pixels are copied as bytes). ``inverse`` holds the 2x3 matrix\n"
     "from output to source pixel centres, row by row; ``fill`` the bytes of one pixel,\n"
     "written where the nearest source pixel is outside."},
    {"warp_linear", py_warp_linear, METH_VARARGS,
     "warp_linear(src, dst, inverse, fill)\n--\n\n"
     "Bilinear affine warp of the uint8 C-contiguous ``src`` (height, width, channels)\n"
     "into ``dst``, the source's edge replicated; ``fill`` (the bytes of one pixel, or\n"
     "None for no fill) is written where the nearest source pixel is outside."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Affine resampling kernels (see functional/sampling.py), channel sums "
                                    "and colour matrices into CHW planes.",
                                    -1, methods};

PyMODINIT_FUNC PyInit__native(void)
{
#ifdef SEGAUG_X86
    __builtin_cpu_init();
    has_simd = best_simd();
    init_weights();
#endif
    PyObject *m = PyModule_Create(&module);
    return m;
}
