/* Bilinear interpolation of one row's pixels, in OpenCV's arithmetic for each dtype (part
 * of the _native module, see _native.h; _native.c works out where each pixel reads).
 *
 * Every pixel reads the 2x2 taps whose top-left is source pixel ``pix[x]``, weighted by
 * grid position ``wix[x] = fy * 32 + fx`` (1/32 of a pixel each way), as cv2.remap does
 * after cv2.warpAffine has placed the points:
 * - uint8: integer weights (32 - fx) * (32 - fy), fx * (32 - fy), ... summing to 1024,
 *   the sum rounded by adding 512 and shifting by 10;
 * - uint16, int16, float32: float weights (1 - fy/32) * (1 - fx/32), ... (exact in
 *   float), the sum taken in float as ((t00 * w0 + t01 * w1) + t10 * w2) + t11 * w3 and,
 *   for the integer types, rounded half to even and saturated.
 * The loops for many channels (channel-wise, so the compiler or SSE does several at once)
 * and for one pixel after another give the same values as those formulas: built with
 * -ffp-contract=off, no fused multiply-add changes a float.
 */
#include "_native.h"

#define WSHIFT (2 * INTER_BITS)       /* integer weights sum to 1 << WSHIFT */

/* Weights of grid position wix: as two int16 pairs (top taps, bottom taps) for the uint8
 * loops, and as four floats (OpenCV's table) for the others. */
static int32_t weight_pairs[TAB * TAB * 2];
static float weight_floats[TAB * TAB * 4];

void init_weights(void)
{
    for (int fy = 0; fy < TAB; fy++)
        for (int fx = 0; fx < TAB; fx++) {
            const int i = fy * TAB + fx;
            weight_pairs[2 * i] = ((TAB - fx) * (TAB - fy)) | ((fx * (TAB - fy)) << 16);
            weight_pairs[2 * i + 1] = ((TAB - fx) * fy) | ((fx * fy) << 16);
            const float y1 = fy * (1.0f / TAB), x1 = fx * (1.0f / TAB);
            const float y0 = 1.0f - y1, x0 = 1.0f - x1;
            weight_floats[4 * i] = y0 * x0;
            weight_floats[4 * i + 1] = y0 * x1;
            weight_floats[4 * i + 2] = y1 * x0;
            weight_floats[4 * i + 3] = y1 * x1;
        }
}

/* ---------------------------------------------------------------- one pixel, any dtype */

#define BLEND_U8(p00, p01, p10, p11, fx, fy)                                             \
    (uint8_t)(((p00) * ((TAB - (fx)) * (TAB - (fy))) + (p01) * ((fx) * (TAB - (fy))) \
               + (p10) * ((TAB - (fx)) * (fy)) + (p11) * ((fx) * (fy))               \
               + (1 << (WSHIFT - 1))) >> WSHIFT)

static inline int round_even(float v)
{
#ifdef SEGAUG_X86
    return _mm_cvtss_si32(_mm_set_ss(v)); /* the processor's rounding: half to even */
#else
    return (int)lrintf(v);
#endif
}

static inline uint16_t to_u16(float v)
{
    const int i = round_even(v);
    return (uint16_t)(i < 0 ? 0 : (i > 65535 ? 65535 : i));
}

static inline int16_t to_s16(float v)
{
    const int i = round_even(v);
    return (int16_t)(i < -32768 ? -32768 : (i > 32767 ? 32767 : i));
}

#define FLOAT_SUM(t00, t01, t10, t11, w) \
    ((float)(t00) * (w)[0] + (float)(t01) * (w)[1] + (float)(t10) * (w)[2] + (float)(t11) * (w)[3])

void bilinear_pixel(int dtype, int cn, const uint8_t *t00, const uint8_t *t01,
                    const uint8_t *t10, const uint8_t *t11, int wix, uint8_t *o)
{
    const float *w = weight_floats + 4 * wix;
    switch (dtype) {
    case DT_U8: {
        const int fx = wix & (TAB - 1), fy = wix >> INTER_BITS;
        for (int c = 0; c < cn; c++) o[c] = BLEND_U8(t00[c], t01[c], t10[c], t11[c], fx, fy);
        break;
    }
#define TYPED(T, CAST)                                                              \
    {                                                                               \
        const T *a = (const T *)t00, *b = (const T *)t01, *c_ = (const T *)t10,     \
                *d = (const T *)t11;                                                \
        for (int c = 0; c < cn; c++) ((T *)o)[c] = CAST(FLOAT_SUM(a[c], b[c], c_[c], d[c], w)); \
        break;                                                                      \
    }
    case DT_U16: TYPED(uint16_t, to_u16)
    case DT_S16: TYPED(int16_t, to_s16)
    case DT_F32: TYPED(float, (float))
#undef TYPED
    }
}

/* ---------------------------------------------------------------- runs, plain C */

/* ``cn`` a constant where the caller passes one: the compiler then unrolls the channels
 * (and vectorises them where there are many). */
/* The weights are copied out first: the stores through ``o`` could otherwise alias them,
 * which keeps the compiler from vectorising the channels. */
#define RUN_BODY(T, CAST)                                                            \
    for (int x = a; x < b; x++) {                                                    \
        const T *p = src + (Py_ssize_t)pix[x] * cn, *q = p + ss;                     \
        const float *t = weight_floats + 4 * wix[x];                                 \
        const float w[4] = {t[0], t[1], t[2], t[3]};                                 \
        T *o = out + (Py_ssize_t)x * cn;                                             \
        for (int c = 0; c < cn; c++) o[c] = CAST(FLOAT_SUM(p[c], p[c + cn], q[c], q[c + cn], w)); \
    }

#define FLOAT_RUN(NAME, T, CAST)                                                        \
    static inline __attribute__((always_inline)) void NAME##_cn(                         \
        const T *src, Py_ssize_t ss, const int cn, const int32_t *pix,                   \
        const int32_t *wix, int a, int b, T *out) { RUN_BODY(T, CAST) }                  \
    static void NAME(const T *src, Py_ssize_t ss, int cn, const int32_t *pix,            \
                     const int32_t *wix, int a, int b, T *out)                           \
    {                                                                                    \
        switch (cn) {                                                                    \
        case 1: NAME##_cn(src, ss, 1, pix, wix, a, b, out); break;                       \
        case 2: NAME##_cn(src, ss, 2, pix, wix, a, b, out); break;                       \
        case 3: NAME##_cn(src, ss, 3, pix, wix, a, b, out); break;                       \
        case 4: NAME##_cn(src, ss, 4, pix, wix, a, b, out); break;                       \
        default: NAME##_cn(src, ss, cn, pix, wix, a, b, out);                            \
        }                                                                                \
    }

FLOAT_RUN(run_f32, float, (float))
FLOAT_RUN(run_u16, uint16_t, to_u16)
FLOAT_RUN(run_s16, int16_t, to_s16)

static inline __attribute__((always_inline)) void run_u8_cn(
    const uint8_t *src, Py_ssize_t ss, const int cn, const int32_t *pix, const int32_t *wix,
    int a, int b, uint8_t *out)
{
    for (int x = a; x < b; x++) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * cn;
        const int fx = wix[x] & (TAB - 1), fy = wix[x] >> INTER_BITS;
        uint8_t *o = out + (Py_ssize_t)x * cn;
        for (int c = 0; c < cn; c++)
            o[c] = BLEND_U8(p[c], p[c + cn], p[ss + c], p[ss + c + cn], fx, fy);
    }
}

static void run_u8(const uint8_t *src, Py_ssize_t ss, int cn, const int32_t *pix,
                   const int32_t *wix, int a, int b, uint8_t *out)
{
    switch (cn) {
    case 1: run_u8_cn(src, ss, 1, pix, wix, a, b, out); break;
    case 2: run_u8_cn(src, ss, 2, pix, wix, a, b, out); break;
    case 3: run_u8_cn(src, ss, 3, pix, wix, a, b, out); break;
    default: run_u8_cn(src, ss, cn, pix, wix, a, b, out);
    }
}

/* ---------------------------------------------------------------- runs, SIMD (uint8) */

#ifdef SEGAUG_X86
/* The 3- and 4-channel loops: each row of taps is loaded as 8 bytes, spread to (left,
 * right) int16 pairs per channel and multiplied-added with the weights. Stores 4 bytes a
 * pixel: for 3 channels the spare byte is overwritten by the next pixel (the caller keeps
 * the row's last pixel out of the run). The loads read 8 - 2 * cn bytes past the right
 * tap (the caller keeps those inside the source). */
__attribute__((target("ssse3")))
static void run_u8_34_ssse3(const uint8_t *src, Py_ssize_t ss, int cn, const int32_t *pix,
                            const int32_t *wix, int a, int b, uint8_t *out)
{
    const __m128i spread = cn == 3
        ? _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1)
        : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m128i round = _mm_set1_epi32(1 << (WSHIFT - 1));
    for (int x = a; x < b; x++) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * cn;
        const __m128i w = _mm_loadl_epi64((const __m128i *)(weight_pairs + 2 * wix[x]));
        const __m128i top = _mm_shuffle_epi8(_mm_loadl_epi64((const __m128i *)p), spread);
        const __m128i bottom = _mm_shuffle_epi8(_mm_loadl_epi64((const __m128i *)(p + ss)), spread);
        __m128i sum = _mm_add_epi32(_mm_madd_epi16(top, _mm_shuffle_epi32(w, 0x00)),
                                    _mm_madd_epi16(bottom, _mm_shuffle_epi32(w, 0x55)));
        sum = _mm_srai_epi32(_mm_add_epi32(sum, round), WSHIFT);
        sum = _mm_packus_epi16(_mm_packs_epi32(sum, sum), sum);
        const int32_t bytes = _mm_cvtsi128_si32(sum);
        memcpy(out + (Py_ssize_t)x * cn, &bytes, 4);
    }
}

/* As run_u8_34_ssse3, two pixels at a time in the two halves of 256-bit registers. */
__attribute__((target("avx2")))
static void run_u8_34_avx2(const uint8_t *src, Py_ssize_t ss, int cn, const int32_t *pix,
                           const int32_t *wix, int a, int b, uint8_t *out)
{
    const __m128i spread128 = cn == 3
        ? _mm_setr_epi8(0, -1, 3, -1, 1, -1, 4, -1, 2, -1, 5, -1, -1, -1, -1, -1)
        : _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    const __m256i spread = _mm256_broadcastsi128_si256(spread128);
    const __m256i round = _mm256_set1_epi32(1 << (WSHIFT - 1));
    int x = a;
    for (; x + 1 < b; x += 2) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * cn, *q = src + (Py_ssize_t)pix[x + 1] * cn;
        const __m256i w = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(weight_pairs + 2 * wix[x]))),
            _mm_loadl_epi64((const __m128i *)(weight_pairs + 2 * wix[x + 1])), 1);
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
        memcpy(out + (Py_ssize_t)x * cn, &first, 4);
        memcpy(out + (Py_ssize_t)(x + 1) * cn, &second, 4);
    }
    if (x < b) run_u8_34_ssse3(src, ss, cn, pix, wix, x, b, out);
}

/* Four or eight channels of one pixel, from the four taps' bytes at t (top-left), t + cn,
 * t + ss, t + ss + cn: the (left, right) bytes interleaved, widened to int16 pairs and
 * multiplied-added with the weights, exactly the integer sum of BLEND_U8. */
__attribute__((target("ssse3")))
static inline __m128i blend_pairs(__m128i top, __m128i bottom, __m128i wt, __m128i wb)
{
    const __m128i sum = _mm_add_epi32(_mm_madd_epi16(top, wt), _mm_madd_epi16(bottom, wb));
    return _mm_srai_epi32(_mm_add_epi32(sum, _mm_set1_epi32(1 << (WSHIFT - 1))), WSHIFT);
}

/* Any channel count of at least 4: channels in blocks of 8 (then 4), the last block
 * ending at the last channel (overlapping the one before, which writes the same bytes).
 * Every load and store stays inside the taps' pixels. */
__attribute__((target("ssse3")))
static void run_u8_blocks_ssse3(const uint8_t *src, Py_ssize_t ss, int cn, const int32_t *pix,
                                const int32_t *wix, int a, int b, uint8_t *out)
{
    const __m128i zero = _mm_setzero_si128();
    for (int x = a; x < b; x++) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * cn;
        uint8_t *o = out + (Py_ssize_t)x * cn;
        const __m128i wt = _mm_set1_epi32(weight_pairs[2 * wix[x]]);
        const __m128i wb = _mm_set1_epi32(weight_pairs[2 * wix[x] + 1]);
        int c = 0;
        while (c < cn) {
            if (cn >= 8) {
                if (cn - c < 8) c = cn - 8;
                const __m128i t = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(p + c)),
                                                    _mm_loadl_epi64((const __m128i *)(p + cn + c)));
                const __m128i d = _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(p + ss + c)),
                                                    _mm_loadl_epi64((const __m128i *)(p + ss + cn + c)));
                const __m128i lo = blend_pairs(_mm_unpacklo_epi8(t, zero), _mm_unpacklo_epi8(d, zero), wt, wb);
                const __m128i hi = blend_pairs(_mm_unpackhi_epi8(t, zero), _mm_unpackhi_epi8(d, zero), wt, wb);
                _mm_storel_epi64((__m128i *)(o + c), _mm_packus_epi16(_mm_packs_epi32(lo, hi), zero));
                c += 8;
            } else {
                if (cn - c < 4) c = cn - 4;
                int32_t v[4];
                memcpy(v, p + c, 4);
                memcpy(v + 1, p + cn + c, 4);
                memcpy(v + 2, p + ss + c, 4);
                memcpy(v + 3, p + ss + cn + c, 4);
                const __m128i t = _mm_unpacklo_epi8(_mm_cvtsi32_si128(v[0]), _mm_cvtsi32_si128(v[1]));
                const __m128i d = _mm_unpacklo_epi8(_mm_cvtsi32_si128(v[2]), _mm_cvtsi32_si128(v[3]));
                const __m128i lo = blend_pairs(_mm_unpacklo_epi8(t, zero), _mm_unpacklo_epi8(d, zero), wt, wb);
                const int32_t bytes = _mm_cvtsi128_si32(_mm_packus_epi16(_mm_packs_epi32(lo, lo), zero));
                memcpy(o + c, &bytes, 4);
                c += 4;
            }
        }
    }
}

/* ---------------------------------------------------------------- one channel (SSE) */

/* FLOAT_SUM of 4 pixels in its order, the weights of grid positions g computed as
 * init_weights makes them (exact in float, so they are the table's values). */
__attribute__((target("ssse3")))
static inline __m128 float_sum_4(__m128 t00, __m128 t01, __m128 t10, __m128 t11, __m128i g)
{
    const __m128 step = _mm_set1_ps(1.0f / TAB), one = _mm_set1_ps(1.0f);
    const __m128 x1 = _mm_mul_ps(_mm_cvtepi32_ps(_mm_and_si128(g, _mm_set1_epi32(TAB - 1))), step);
    const __m128 y1 = _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(g, INTER_BITS)), step);
    const __m128 x0 = _mm_sub_ps(one, x1), y0 = _mm_sub_ps(one, y1);
    __m128 sum = _mm_add_ps(_mm_mul_ps(t00, _mm_mul_ps(y0, x0)), _mm_mul_ps(t01, _mm_mul_ps(y0, x1)));
    sum = _mm_add_ps(sum, _mm_mul_ps(t10, _mm_mul_ps(y1, x0)));
    return _mm_add_ps(sum, _mm_mul_ps(t11, _mm_mul_ps(y1, x1)));
}

/* The (left, right) taps of 4 pixels, each pair loaded as 8 bytes, split into the
 * lefts and the rights. */
__attribute__((target("ssse3")))
static inline void float_pairs_4(const float *row, const int32_t *pix, __m128 *left,
                                 __m128 *right)
{
    __m128 p01 = _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + pix[0]));
    __m128 p23 = _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + pix[2]));
    p01 = _mm_loadh_pi(p01, (const __m64 *)(row + pix[1]));
    p23 = _mm_loadh_pi(p23, (const __m64 *)(row + pix[3]));
    *left = _mm_shuffle_ps(p01, p23, _MM_SHUFFLE(2, 0, 2, 0));
    *right = _mm_shuffle_ps(p01, p23, _MM_SHUFFLE(3, 1, 3, 1));
}

/* One-channel float32, 4 pixels at a time. */
__attribute__((target("ssse3")))
static void run_f32_c1_sse(const float *src, Py_ssize_t ss, const int32_t *pix,
                           const int32_t *wix, int a, int b, float *out)
{
    int x = a;
    for (; x + 4 <= b; x += 4) {
        __m128 t00, t01, t10, t11;
        float_pairs_4(src, pix + x, &t00, &t01);
        float_pairs_4(src + ss, pix + x, &t10, &t11);
        const __m128i g = _mm_loadu_si128((const __m128i *)(wix + x));
        _mm_storeu_ps(out + x, float_sum_4(t00, t01, t10, t11, g));
    }
    run_f32(src, ss, 1, pix, wix, x, b, out);
}

/* As run_f32_c1_sse, 8 pixels at a time (the two 128-bit halves hold pixels 0-3, 4-7). */
__attribute__((target("avx2")))
static void run_f32_c1_avx2(const float *src, Py_ssize_t ss, const int32_t *pix,
                            const int32_t *wix, int a, int b, float *out)
{
    const __m256 step = _mm256_set1_ps(1.0f / TAB), one = _mm256_set1_ps(1.0f);
    int x = a;
    for (; x + 8 <= b; x += 8) {
        const int32_t *i = pix + x;
        __m256 taps[4];
        for (int r = 0; r < 2; r++) {
            const float *row = src + r * ss;
            const __m256 p0 = _mm256_setr_m128(_mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + i[0])), (const __m64 *)(row + i[1])),
                                               _mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + i[4])), (const __m64 *)(row + i[5])));
            const __m256 p1 = _mm256_setr_m128(_mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + i[2])), (const __m64 *)(row + i[3])),
                                               _mm_loadh_pi(_mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(row + i[6])), (const __m64 *)(row + i[7])));
            taps[2 * r] = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0));
            taps[2 * r + 1] = _mm256_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1));
        }
        const __m256i g = _mm256_loadu_si256((const __m256i *)(wix + x));
        const __m256 x1 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(g, _mm256_set1_epi32(TAB - 1))), step);
        const __m256 y1 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(g, INTER_BITS)), step);
        const __m256 x0 = _mm256_sub_ps(one, x1), y0 = _mm256_sub_ps(one, y1);
        __m256 sum = _mm256_add_ps(_mm256_mul_ps(taps[0], _mm256_mul_ps(y0, x0)),
                                   _mm256_mul_ps(taps[1], _mm256_mul_ps(y0, x1)));
        sum = _mm256_add_ps(sum, _mm256_mul_ps(taps[2], _mm256_mul_ps(y1, x0)));
        _mm256_storeu_ps(out + x, _mm256_add_ps(sum, _mm256_mul_ps(taps[3], _mm256_mul_ps(y1, x1))));
    }
    run_f32_c1_sse(src, ss, pix, wix, x, b, out);
}

/* Four values (pixels or channels) of uint16, int16 or float32 as floats, and back
 * (rounded half to even and saturated, as to_u16 / to_s16); load8 / store8 below take
 * eight with AVX2. */
__attribute__((target("ssse3")))
static inline __m128 load4(int dtype, const void *ptr)
{
    if (dtype == DT_F32) return _mm_loadu_ps((const float *)ptr);
    const __m128i v = _mm_loadl_epi64((const __m128i *)ptr);
    return _mm_cvtepi32_ps(dtype == DT_U16 ? _mm_unpacklo_epi16(v, _mm_setzero_si128())
                                           : _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16));
}

__attribute__((target("ssse3")))
static inline void store4(int dtype, void *ptr, __m128 sum)
{
    if (dtype == DT_F32) {
        _mm_storeu_ps((float *)ptr, sum);
        return;
    }
    __m128i v = _mm_cvtps_epi32(sum);
    const __m128i lo = _mm_set1_epi32(dtype == DT_S16 ? -32768 : 0);
    const __m128i hi = _mm_set1_epi32(dtype == DT_S16 ? 32767 : 65535);
    v = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi32(v, hi), hi), _mm_andnot_si128(_mm_cmpgt_epi32(v, hi), v));
    v = _mm_or_si128(_mm_and_si128(_mm_cmplt_epi32(v, lo), lo), _mm_andnot_si128(_mm_cmplt_epi32(v, lo), v));
    _mm_storel_epi64((__m128i *)ptr, _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, -1, -1,
                                                                      -1, -1, -1, -1, -1, -1)));
}

/* One-channel uint16 / int16, 4 pixels at a time: each row's two taps loaded as one
 * 32-bit word. */
__attribute__((target("ssse3")))
static void run_16_c1_sse(const uint8_t *src, Py_ssize_t ss, int is_signed,
                          const int32_t *pix, const int32_t *wix, int a, int b, uint8_t *out)
{
    const uint8_t *below = src + 2 * ss;
    int x = a;
    for (; x + 4 <= b; x += 4) {
        int32_t w[8];
        for (int k = 0; k < 4; k++) {
            memcpy(w + k, src + 2 * (Py_ssize_t)pix[x + k], 4);
            memcpy(w + 4 + k, below + 2 * (Py_ssize_t)pix[x + k], 4);
        }
        const __m128i top = _mm_loadu_si128((const __m128i *)w);
        const __m128i bottom = _mm_loadu_si128((const __m128i *)(w + 4));
        __m128i t00, t01, t10, t11;
        if (is_signed) {
            t00 = _mm_srai_epi32(_mm_slli_epi32(top, 16), 16);
            t10 = _mm_srai_epi32(_mm_slli_epi32(bottom, 16), 16);
            t01 = _mm_srai_epi32(top, 16);
            t11 = _mm_srai_epi32(bottom, 16);
        } else {
            t00 = _mm_and_si128(top, _mm_set1_epi32(0xFFFF));
            t10 = _mm_and_si128(bottom, _mm_set1_epi32(0xFFFF));
            t01 = _mm_srli_epi32(top, 16);
            t11 = _mm_srli_epi32(bottom, 16);
        }
        const __m128i g = _mm_loadu_si128((const __m128i *)(wix + x));
        const __m128 sum = float_sum_4(_mm_cvtepi32_ps(t00), _mm_cvtepi32_ps(t01),
                                       _mm_cvtepi32_ps(t10), _mm_cvtepi32_ps(t11), g);
        store4(is_signed ? DT_S16 : DT_U16, out + 2 * (Py_ssize_t)x, sum);
    }
    if (is_signed)
        run_s16((const int16_t *)src, ss, 1, pix, wix, x, b, (int16_t *)out);
    else
        run_u16((const uint16_t *)src, ss, 1, pix, wix, x, b, (uint16_t *)out);
}

/* ---------------------------------------------------------------- many channels (float) */

/* uint16, int16 or float32 with 4 or more channels: blocks of 4 channels, the last
 * ending at the last channel (overlapping the one before, which writes the same
 * values); FLOAT_SUM's order in every lane. */
__attribute__((target("ssse3")))
static void run_float_blocks_sse(int dtype, const uint8_t *src, Py_ssize_t ss, int cn,
                                 const int32_t *pix, const int32_t *wix, int a, int b,
                                 uint8_t *out)
{
    const Py_ssize_t size = dtype == DT_F32 ? 4 : 2, pb = cn * size, row = ss * size;
    for (int x = a; x < b; x++) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * pb, *q = p + row;
        const float *t = weight_floats + 4 * wix[x];
        const __m128 w0 = _mm_set1_ps(t[0]), w1 = _mm_set1_ps(t[1]);
        const __m128 w2 = _mm_set1_ps(t[2]), w3 = _mm_set1_ps(t[3]);
        uint8_t *o = out + (Py_ssize_t)x * pb;
        for (int c = 0; c < cn; c += 4) {
            if (cn - c < 4) c = cn - 4;
            const Py_ssize_t k = c * size;
            __m128 sum = _mm_add_ps(_mm_mul_ps(load4(dtype, p + k), w0),
                                    _mm_mul_ps(load4(dtype, p + pb + k), w1));
            sum = _mm_add_ps(sum, _mm_mul_ps(load4(dtype, q + k), w2));
            store4(dtype, o + k, _mm_add_ps(sum, _mm_mul_ps(load4(dtype, q + pb + k), w3)));
        }
    }
}

__attribute__((target("avx2")))
static inline __m256 load8(int dtype, const void *ptr)
{
    if (dtype == DT_F32) return _mm256_loadu_ps((const float *)ptr);
    const __m128i v = _mm_loadu_si128((const __m128i *)ptr);
    return _mm256_cvtepi32_ps(dtype == DT_U16 ? _mm256_cvtepu16_epi32(v) : _mm256_cvtepi16_epi32(v));
}

__attribute__((target("avx2")))
static inline void store8(int dtype, void *ptr, __m256 sum)
{
    if (dtype == DT_F32) {
        _mm256_storeu_ps((float *)ptr, sum);
        return;
    }
    const __m256i v = _mm256_cvtps_epi32(sum); /* half to even; the packs saturate */
    const __m256i packed = dtype == DT_S16 ? _mm256_packs_epi32(v, v) : _mm256_packus_epi32(v, v);
    _mm_storeu_si128((__m128i *)ptr, _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, 0x08)));
}

/* As run_float_blocks_sse, blocks of 8 channels (8 or more). */
__attribute__((target("avx2")))
static void run_float_blocks_avx2(int dtype, const uint8_t *src, Py_ssize_t ss, int cn,
                                  const int32_t *pix, const int32_t *wix, int a, int b,
                                  uint8_t *out)
{
    const Py_ssize_t size = dtype == DT_F32 ? 4 : 2, pb = cn * size, row = ss * size;
    for (int x = a; x < b; x++) {
        const uint8_t *p = src + (Py_ssize_t)pix[x] * pb, *q = p + row;
        const float *t = weight_floats + 4 * wix[x];
        const __m256 w0 = _mm256_set1_ps(t[0]), w1 = _mm256_set1_ps(t[1]);
        const __m256 w2 = _mm256_set1_ps(t[2]), w3 = _mm256_set1_ps(t[3]);
        uint8_t *o = out + (Py_ssize_t)x * pb;
        for (int c = 0; c < cn; c += 8) {
            if (cn - c < 8) c = cn - 8;
            const Py_ssize_t k = c * size;
            __m256 sum = _mm256_add_ps(_mm256_mul_ps(load8(dtype, p + k), w0),
                                       _mm256_mul_ps(load8(dtype, p + pb + k), w1));
            sum = _mm256_add_ps(sum, _mm256_mul_ps(load8(dtype, q + k), w2));
            store8(dtype, o + k, _mm256_add_ps(sum, _mm256_mul_ps(load8(dtype, q + pb + k), w3)));
        }
    }
}
#endif

/* ---------------------------------------------------------------- dispatch */

void bilinear_run(int dtype, const uint8_t *src, int sw, int cn, const int32_t *pix,
                  const int32_t *wix, int a, int b, int dw, uint8_t *out)
{
    if (b <= a) return;
    const Py_ssize_t ss = (Py_ssize_t)sw * cn; /* in elements */
    switch (dtype) {
    case DT_U8:
#ifdef SEGAUG_X86
        if (has_simd && (cn == 3 || cn == 4)) {
            /* The 8-byte loads of 3 channels read one pixel past the right taps, and the
             * 4-byte stores spill into the next pixel: those pixels go the plain way. */
            int fa = a, fb = b;
            if (cn == 3) {
                while (fb > fa && pix[fb - 1] % sw + 2 >= sw) fb--;
                while (fa < fb && pix[fa] % sw + 2 >= sw) fa++;
                if (fb == dw && fb > fa) fb--;
            }
            run_u8(src, ss, cn, pix, wix, a, fa, out);
            if (has_simd == 2)
                run_u8_34_avx2(src, ss, cn, pix, wix, fa, fb, out);
            else
                run_u8_34_ssse3(src, ss, cn, pix, wix, fa, fb, out);
            run_u8(src, ss, cn, pix, wix, fb, b, out); /* after the spill */
        } else if (has_simd && cn > 4) {
            run_u8_blocks_ssse3(src, ss, cn, pix, wix, a, b, out);
        } else
#endif
            run_u8(src, ss, cn, pix, wix, a, b, out);
        break;
    case DT_U16:
    case DT_S16:
#ifdef SEGAUG_X86
        if (has_simd == 2 && cn >= 8) {
            run_float_blocks_avx2(dtype, src, ss, cn, pix, wix, a, b, out);
            break;
        }
        if (has_simd && cn >= 4) {
            run_float_blocks_sse(dtype, src, ss, cn, pix, wix, a, b, out);
            break;
        }
        if (has_simd && cn == 1) {
            run_16_c1_sse(src, ss, dtype == DT_S16, pix, wix, a, b, out);
            break;
        }
#endif
        if (dtype == DT_U16)
            run_u16((const uint16_t *)src, ss, cn, pix, wix, a, b, (uint16_t *)out);
        else
            run_s16((const int16_t *)src, ss, cn, pix, wix, a, b, (int16_t *)out);
        break;
    case DT_F32:
#ifdef SEGAUG_X86
        if (has_simd == 2 && cn >= 8) {
            run_float_blocks_avx2(dtype, src, ss, cn, pix, wix, a, b, out);
            break;
        }
        if (has_simd && cn >= 4) {
            run_float_blocks_sse(dtype, src, ss, cn, pix, wix, a, b, out);
            break;
        }
        if (has_simd == 2 && cn == 1) {
            run_f32_c1_avx2((const float *)src, ss, pix, wix, a, b, (float *)out);
            break;
        }
        if (has_simd && cn == 1) {
            run_f32_c1_sse((const float *)src, ss, pix, wix, a, b, (float *)out);
            break;
        }
#endif
        run_f32((const float *)src, ss, cn, pix, wix, a, b, (float *)out);
        break;
    }
}
