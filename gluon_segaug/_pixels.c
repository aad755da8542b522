/* Per-pixel kernels: channel sums (the mean a contrast step needs), a colour matrix
 * written into CHW float32 planes (ToTensor with the colour steps before it) and uint8
 * class ids to int32 (ToTensor's masks). Part of the _native module (see _native.h); the
 * float loop runs with AVX2 or SSE4.1 where the processor has them, and every loop gives
 * the same values (built with -ffp-contract=off: no fused multiply-adds).
 */
#include "_native.h"

/* ---------------------------------------------------------------- sums */

#define SUM_BLOCK 32       /* pixels per block: the block's bytes repeat the channel order */
#define SUM_MAX_CHANNELS 16

/* Per-channel sums of n pixels of cn uint8 channels: blocks of SUM_BLOCK pixels are added
 * into uint16 lanes (vectorised by the compiler), flushed before they could overflow. */
static void channel_sums_kernel(const uint8_t *src, Py_ssize_t n, int cn, uint64_t *sums)
{
    const int lanes = SUM_BLOCK * cn;
    uint16_t acc[SUM_BLOCK * SUM_MAX_CHANNELS];
    Py_ssize_t blocks = n / SUM_BLOCK;
    memset(sums, 0, sizeof(uint64_t) * cn);
    while (blocks > 0) {
        const Py_ssize_t batch = blocks < 257 ? blocks : 257; /* 257 * 255 < 65536 */
        memset(acc, 0, sizeof(uint16_t) * lanes);
        for (Py_ssize_t k = 0; k < batch; k++, src += lanes)
            for (int j = 0; j < lanes; j++) acc[j] += src[j];
        for (int j = 0; j < lanes; j++) sums[j % cn] += acc[j];
        blocks -= batch;
    }
    for (Py_ssize_t i = 0; i < (n % SUM_BLOCK) * cn; i++) sums[i % cn] += src[i];
}

/* ---------------------------------------------------------------- colour to planes */

/* dst plane c, pixel i = clamp(m[c][0..cn-1] . src[i] + m[c][cn], lo[c], hi[c]) in
 * float32, each product and sum in the order written (no fused multiply-add), so every
 * instruction set gives the same floats. Three channels has its own loop, which the
 * compiler vectorises. */
#define COLOUR_PLANES_BODY                                                                 \
    if (cn == 3) {                                                                         \
        float *p0 = dst, *p1 = dst + n, *p2 = dst + 2 * n;                                 \
        const float a0 = m[0], a1 = m[1], a2 = m[2], a3 = m[3];                            \
        const float b0 = m[4], b1 = m[5], b2 = m[6], b3 = m[7];                            \
        const float c0 = m[8], c1 = m[9], c2 = m[10], c3 = m[11];                          \
        const float l0 = lo[0], l1 = lo[1], l2 = lo[2], h0 = hi[0], h1 = hi[1], h2 = hi[2]; \
        for (Py_ssize_t i = 0; i < n; i++) {                                               \
            const float r = (float)src[3 * i], g = (float)src[3 * i + 1],                  \
                        b = (float)src[3 * i + 2];                                         \
            float v0 = a0 * r + a1 * g + a2 * b + a3;                                      \
            float v1 = b0 * r + b1 * g + b2 * b + b3;                                      \
            float v2 = c0 * r + c1 * g + c2 * b + c3;                                      \
            v0 = v0 < l0 ? l0 : v0; v0 = v0 > h0 ? h0 : v0;                                \
            v1 = v1 < l1 ? l1 : v1; v1 = v1 > h1 ? h1 : v1;                                \
            v2 = v2 < l2 ? l2 : v2; v2 = v2 > h2 ? h2 : v2;                                \
            p0[i] = v0; p1[i] = v1; p2[i] = v2;                                            \
        }                                                                                  \
        return;                                                                            \
    }                                                                                      \
    for (int c = 0; c < cn; c++) {                                                         \
        const float *row = m + c * (cn + 1);                                               \
        float *plane = dst + c * n;                                                        \
        for (Py_ssize_t i = 0; i < n; i++) {                                               \
            float v = 0.0f;                                                                \
            for (int k = 0; k < cn; k++) v = v + row[k] * (float)src[cn * i + k];         \
            v = v + row[cn];                                                               \
            v = v < lo[c] ? lo[c] : v;                                                     \
            plane[i] = v > hi[c] ? hi[c] : v;                                              \
        }                                                                                  \
    }

static void colour_planes_plain(const uint8_t *src, Py_ssize_t n, int cn, const float *m,
                                const float *lo, const float *hi, float *dst)
{
    COLOUR_PLANES_BODY
}

#ifdef SEGAUG_X86
__attribute__((target("sse4.1")))
static void colour_planes_sse41(const uint8_t *src, Py_ssize_t n, int cn, const float *m,
                                const float *lo, const float *hi, float *dst)
{
    COLOUR_PLANES_BODY
}

__attribute__((target("avx2")))
static void colour_planes_avx2(const uint8_t *src, Py_ssize_t n, int cn, const float *m,
                               const float *lo, const float *hi, float *dst)
{
    COLOUR_PLANES_BODY
}
#endif

static void colour_planes_kernel(const uint8_t *src, Py_ssize_t n, int cn, const float *m,
                                 const float *lo, const float *hi, float *dst)
{
#ifdef SEGAUG_X86
    if (has_simd == 2) {
        colour_planes_avx2(src, n, cn, m, lo, hi, dst);
        return;
    }
    if (has_simd == 1 && __builtin_cpu_supports("sse4.1")) {
        colour_planes_sse41(src, n, cn, m, lo, hi, dst);
        return;
    }
#endif
    colour_planes_plain(src, n, cn, m, lo, hi, dst);
}

/* ---------------------------------------------------------------- class ids to int32 */

/* dst[i] = src[i], or ``replacement`` where src[i] == ignore (ignore < 0: none). */
#define LABELS_BODY                                                                  \
    for (Py_ssize_t i = 0; i < n; i++) {                                             \
        const int32_t v = src[i];                                                    \
        dst[i] = v == ignore ? replacement : v;                                      \
    }

static void labels_plain(const uint8_t *src, Py_ssize_t n, int32_t ignore, int32_t replacement,
                         int32_t *dst)
{
    LABELS_BODY
}

#ifdef SEGAUG_X86
__attribute__((target("avx2")))
static void labels_avx2(const uint8_t *src, Py_ssize_t n, int32_t ignore, int32_t replacement,
                        int32_t *dst)
{
    LABELS_BODY
}
#endif

static void labels_kernel(const uint8_t *src, Py_ssize_t n, int32_t ignore, int32_t replacement,
                          int32_t *dst)
{
#ifdef SEGAUG_X86
    if (has_simd == 2) {
        labels_avx2(src, n, ignore, replacement, dst);
        return;
    }
#endif
    labels_plain(src, n, ignore, replacement, dst);
}

PyObject *py_channel_sums(PyObject *self, PyObject *arg)
{
    Py_buffer src;
    if (PyObject_GetBuffer(arg, &src, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    const int cn = src.ndim == 3 ? (int)src.shape[2] : 0;
    if (src.ndim != 3 || src.format == NULL || strcmp(src.format, "B") != 0 || cn < 1
        || cn > SUM_MAX_CHANNELS) {
        PyBuffer_Release(&src);
        PyErr_Format(PyExc_ValueError,
                     "channel_sums takes uint8 (height, width, channels) with 1 to %d channels",
                     SUM_MAX_CHANNELS);
        return NULL;
    }
    uint64_t sums[SUM_MAX_CHANNELS];
    Py_BEGIN_ALLOW_THREADS
    channel_sums_kernel(src.buf, src.shape[0] * src.shape[1], cn, sums);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&src);
    PyObject *out = PyTuple_New(cn);
    for (int c = 0; out != NULL && c < cn; c++) {
        PyObject *v = PyLong_FromUnsignedLongLong(sums[c]);
        if (v == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyTuple_SET_ITEM(out, c, v);
    }
    return out;
}

#define PLANES_MAX_CHANNELS 4

static int parse_floats(PyObject *obj, int count, float *out, const char *name)
{
    if (!PyTuple_Check(obj) || PyTuple_GET_SIZE(obj) != count) {
        PyErr_Format(PyExc_ValueError, "%s must be a tuple of %d floats", name, count);
        return 0;
    }
    for (int i = 0; i < count; i++) {
        const double v = PyFloat_AsDouble(PyTuple_GET_ITEM(obj, i));
        if (v == -1.0 && PyErr_Occurred()) return 0;
        if (!isfinite(v)) {
            PyErr_Format(PyExc_ValueError, "%s[%d] is %R, not finite", name, i,
                         PyTuple_GET_ITEM(obj, i));
            return 0;
        }
        out[i] = (float)v;
    }
    return 1;
}

PyObject *py_colour_planes(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *dst_obj, *m_obj, *lo_obj, *hi_obj;
    if (!PyArg_ParseTuple(args, "OOOOO", &src_obj, &dst_obj, &m_obj, &lo_obj, &hi_obj))
        return NULL;
    Py_buffer src, dst;
    if (!get_buffers(src_obj, dst_obj, &src, &dst)) return NULL;
    const int cn = src.ndim == 3 ? (int)src.shape[2] : 0;
    float m[PLANES_MAX_CHANNELS * (PLANES_MAX_CHANNELS + 1)], lo[PLANES_MAX_CHANNELS],
        hi[PLANES_MAX_CHANNELS];
    int ok = 1;
    if (src.ndim != 3 || src.format == NULL || strcmp(src.format, "B") != 0 || cn < 1
        || cn > PLANES_MAX_CHANNELS) {
        PyErr_Format(PyExc_ValueError, "colour_planes takes a uint8 (height, width, channels) "
                     "src with 1 to %d channels", PLANES_MAX_CHANNELS);
        ok = 0;
    } else if (dst.ndim != 3 || dst.format == NULL || strcmp(dst.format, "f") != 0
               || dst.shape[0] != cn || dst.shape[1] != src.shape[0]
               || dst.shape[2] != src.shape[1]) {
        PyErr_SetString(PyExc_ValueError, "colour_planes takes a float32 (channels, height, "
                        "width) dst of the src's size");
        ok = 0;
    }
    ok = ok && parse_floats(m_obj, cn * (cn + 1), m, "matrix") && parse_floats(lo_obj, cn, lo, "lo")
         && parse_floats(hi_obj, cn, hi, "hi");
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        colour_planes_kernel(src.buf, src.shape[0] * src.shape[1], cn, m, lo, hi, dst.buf);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

PyObject *py_labels_int32(PyObject *self, PyObject *args)
{
    PyObject *src_obj, *dst_obj;
    int ignore, replacement;
    if (!PyArg_ParseTuple(args, "OOii", &src_obj, &dst_obj, &ignore, &replacement)) return NULL;
    Py_buffer src, dst;
    if (!get_buffers(src_obj, dst_obj, &src, &dst)) return NULL;
    const int ok = src.format != NULL && strcmp(src.format, "B") == 0 && dst.format != NULL
                   && dst.itemsize == 4 && (strcmp(dst.format, "i") == 0 || strcmp(dst.format, "l") == 0)
                   && dst.len == src.len * 4;
    if (ok) {
        Py_BEGIN_ALLOW_THREADS
        labels_kernel(src.buf, src.len, ignore, replacement, dst.buf);
        Py_END_ALLOW_THREADS
    } else {
        PyErr_SetString(PyExc_ValueError, "labels_int32 takes a uint8 src and an int32 dst "
                        "of as many elements");
    }
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}
