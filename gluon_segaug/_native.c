/* Affine resampling kernels with the library's border rule built in, and the module
 * (the bilinear loops are in _bilinear.c, the per-pixel kernels in _pixels.c).
 *
 * The rule (see functional/sampling.py): an output pixel whose nearest source pixel lies
 * outside the source gets the fill; every other pixel is interpolated with the source's
 * edge pixels replicated outwards, so content never blends with the fill.
 *
 * The arithmetic is OpenCV's own fixed point for cv2.warpAffine (OpenCV 4.x, bilinear
 * and nearest): source points in 1/1024 of a pixel, each the rounded row term plus the
 * rounded column term; nearest takes the closest pixel, bilinear places the point on a
 * 1/32 grid and weighs the four taps as cv2.remap does for the dtype (_bilinear.c). So
 * these kernels give the same bytes as the OpenCV path they replace, and every channel
 * group of a sample is filled at the same pixels. What they add: along a row, the pixels
 * whose nearest source pixel is inside form one run (a line meets a rectangle in one
 * segment), as do the pixels whose four taps are inside; each row is cut into fill, edge
 * and interior runs, and only the interior run has the fast loop. Several arrays of one
 * size warped by one matrix (an image and its targets) share all of that: the runs, the
 * source indices and the weights of a row are worked out once for every array.
 */
#include "_native.h"

#define AB_BITS 10                    /* source points in 1 / 1024 of a pixel */
#define NEAREST_DELTA (1 << (AB_BITS - 1))
#define LINEAR_DELTA (1 << (AB_BITS - INTER_BITS - 1))
/* Terms of the source point larger than this are refused: OpenCV adds them in int32
 * units of 1/1024 pixel, and so do the kernels' chunked loops. */
#define MAX_TERM 524288.0

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

/* ---------------------------------------------------------------- planes */

/* One array to warp: its buffers, whether it is interpolated (else nearest), its dtype
 * and channels (bilinear) and the bytes of a pixel; fill.buf NULL for no fill. */
typedef struct {
    Py_buffer src, dst, fill;
    int linear, dtype, cn;
    Py_ssize_t pb;
} Plane;

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

/* Source pixel indices of the n pixels from x on (all inside), and the top-left taps
 * (source pixel indices) and grid positions (fy * 32 + fx) of the n pixels from x on (all
 * taps inside): loops the compiler vectorises, also for AVX2 (whose 32-bit multiply SSE2
 * lacks); the same integers either way. */
#define NEAREST_INDICES_BODY                                                           \
    const int32_t x0 = (int32_t)r->x0, y0 = (int32_t)r->y0;                            \
    const int32_t *ad = r->ad + x, *bd = r->bd + x;                                    \
    for (int k = 0; k < n; k++)                                                        \
        idx[k] = ((y0 + bd[k]) >> AB_BITS) * sw + ((x0 + ad[k]) >> AB_BITS);

#define GRID_INDICES_BODY                                                              \
    const int32_t x0 = (int32_t)r->x0, y0 = (int32_t)r->y0;                            \
    const int32_t *ad = r->ad + x, *bd = r->bd + x;                                    \
    for (int k = 0; k < n; k++) {                                                      \
        const int32_t gx = (x0 + ad[k]) >> (AB_BITS - INTER_BITS);                     \
        const int32_t gy = (y0 + bd[k]) >> (AB_BITS - INTER_BITS);                     \
        pix[k] = (gy >> INTER_BITS) * sw + (gx >> INTER_BITS);                         \
        wix[k] = ((gy & (TAB - 1)) << INTER_BITS) | (gx & (TAB - 1));                  \
    }

#ifdef SEGAUG_X86
__attribute__((target("avx2")))
static void nearest_indices_avx2(const Row *r, int x, int n, int sw, int32_t *idx)
{
    NEAREST_INDICES_BODY
}

__attribute__((target("avx2")))
static void grid_indices_avx2(const Row *r, int x, int n, int sw, int32_t *pix, int32_t *wix)
{
    GRID_INDICES_BODY
}
#endif

static void nearest_indices(const Row *r, int x, int n, int sw, int32_t *idx)
{
#ifdef SEGAUG_X86
    if (has_simd == 2) {
        nearest_indices_avx2(r, x, n, sw, idx);
        return;
    }
#endif
    NEAREST_INDICES_BODY
}

static void grid_indices(const Row *r, int x, int n, int sw, int32_t *pix, int32_t *wix)
{
#ifdef SEGAUG_X86
    if (has_simd == 2) {
        grid_indices_avx2(r, x, n, sw, pix, wix);
        return;
    }
#endif
    GRID_INDICES_BODY
}

#define GATHER(T)                                                                \
    for (int x = a; x < b; x++) ((T *)out)[x] = ((const T *)src)[idx[x]];

static void gather(const uint8_t *src, Py_ssize_t pb, const int32_t *idx, int a, int b,
                   uint8_t *out)
{
    switch (pb) {
    case 1: GATHER(uint8_t) break;
    case 2: GATHER(uint16_t) break;
    case 4: GATHER(uint32_t) break;
    case 8: GATHER(uint64_t) break;
    default:
        /* Other sizes in fixed-size words (moves, not calls), the last word of a pixel
         * overlapping the one before it. */
        if (pb > 8) {
            for (int x = a; x < b; x++) {
                const uint8_t *from = src + (Py_ssize_t)idx[x] * pb;
                uint8_t *to = out + x * pb;
                for (Py_ssize_t k = 0; k + 8 < pb; k += 8) memcpy(to + k, from + k, 8);
                memcpy(to + pb - 8, from + pb - 8, 8);
            }
        } else {
            const int word = pb > 4 ? 4 : 2; /* 5 to 7 bytes, or 3 */
            for (int x = a; x < b; x++) {
                const uint8_t *from = src + (Py_ssize_t)idx[x] * pb;
                uint8_t *to = out + x * pb;
                memcpy(to, from, word);
                memcpy(to + pb - word, from + pb - word, word);
            }
        }
    }
}

static inline int clampi(int64_t v, int hi) { return v < 0 ? 0 : (v > hi ? hi : (int)v); }

/* Pixels a..b-1 bilinear with some tap outside: the source's edge replicated. */
static void bilinear_edge(const Plane *p, const Row *r, int sh, int sw, int a, int b,
                          uint8_t *out)
{
    const uint8_t *src = p->src.buf;
    const Py_ssize_t pb = p->pb;
    for (int x = a; x < b; x++) {
        const int64_t gx = (r->x0 + r->ad[x]) >> (AB_BITS - INTER_BITS);
        const int64_t gy = (r->y0 + r->bd[x]) >> (AB_BITS - INTER_BITS);
        const int64_t ix = gx >> INTER_BITS, iy = gy >> INTER_BITS;
        const Py_ssize_t x0 = clampi(ix, sw - 1) * pb, x1 = clampi(ix + 1, sw - 1) * pb;
        const Py_ssize_t y0 = clampi(iy, sh - 1) * sw * pb, y1 = clampi(iy + 1, sh - 1) * sw * pb;
        bilinear_pixel(p->dtype, p->cn, src + y0 + x0, src + y0 + x1, src + y1 + x0,
                       src + y1 + x1, (int)(((gy & (TAB - 1)) << INTER_BITS) | (gx & (TAB - 1))),
                       out + x * pb);
    }
}

/* Every plane, row by row: where each output pixel reads is worked out once per row for
 * all planes (the nearest run and indices, the bilinear runs, taps and weights), then
 * each plane is written: fill, nearest or bilinear pixels, fill. ``rows`` has room for
 * three rows of dw int32. */
static void warp_planes_kernel(const Plane *planes, int n, int sh, int sw, int dh, int dw,
                               const double *inv, const int32_t *terms, int32_t *rows)
{
    int32_t *idx = rows, *pix = rows + dw, *wix = rows + 2 * (Py_ssize_t)dw;
    int any_nearest = 0, any_linear = 0;
    for (int i = 0; i < n; i++) {
        any_nearest |= !planes[i].linear;
        any_linear |= planes[i].linear;
    }
    for (int y = 0; y < dh; y++) {
        const Row rn = row_of(inv, y, NEAREST_DELTA, terms, terms + dw);
        int na, nb;
        nearest_run(&rn, inv, y, sw, sh, dw, &na, &nb);
        if (any_nearest) nearest_indices(&rn, na, nb - na, sw, idx + na);
        Row rl = rn;
        int ia = nb, ib = nb;
        if (any_linear) {
            rl = row_of(inv, y, LINEAR_DELTA, terms, terms + dw);
            /* The interior run lies within the nearest run (taps inside: nearest
             * inside, one of them). */
            rough_run(inv, y, 0.0, sw - 1.0, 0.0, sh - 1.0, dw, &ia, &ib);
            ia = ia < na ? na : ia;
            ib = ib > nb ? nb : ib;
#define TAPS_PRED(x) taps_in(&rl, (x), sw, sh, 0)
            EXACT_RUN(ia, ib, TAPS_PRED);
#undef TAPS_PRED
            if (ib <= ia) ia = ib = nb;
            grid_indices(&rl, ia, ib - ia, sw, pix + ia, wix + ia);
        }
        for (int i = 0; i < n; i++) {
            const Plane *p = planes + i;
            const uint8_t *fill = p->fill.buf;
            uint8_t *out = (uint8_t *)p->dst.buf + (Py_ssize_t)y * dw * p->pb;
            if (fill != NULL) fill_pixels(out, na, fill, p->pb);
            if (!p->linear) {
                gather(p->src.buf, p->pb, idx, na, nb, out);
            } else {
                bilinear_edge(p, &rl, sh, sw, fill != NULL ? na : 0, ia, out);
                bilinear_run(p->dtype, p->src.buf, sw, p->cn, pix, wix, ia, ib, dw, out);
                bilinear_edge(p, &rl, sh, sw, ib, fill != NULL ? nb : dw, out);
            }
            /* After any spill of the bilinear run. */
            if (fill != NULL) fill_pixels(out + (Py_ssize_t)nb * p->pb, dw - nb, fill, p->pb);
        }
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
    } else if (src->shape[0] * src->shape[1] > INT32_MAX) {
        problem = "src must have fewer than 2**31 pixels";
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


/* The dtype of a buffer the bilinear loops take, or -1. */
static int dtype_of(const Py_buffer *b)
{
    const char *f = b->format != NULL ? b->format : "B";
    const uint16_t one = 1;
    const int little = *(const uint8_t *)&one == 1;
    if (*f == '@' || *f == '=' || (*f == '<' && little)) f++;
    if (f[0] == '\0' || f[1] != '\0') return -1;
    switch (f[0]) {
    case 'B': return DT_U8;
    case 'H': return DT_U16;
    case 'h': return DT_S16;
    case 'f': return DT_F32;
    default: return -1;
    }
}

static void release_plane(Plane *p)
{
    PyBuffer_Release(&p->src);
    PyBuffer_Release(&p->dst);
    if (p->fill.obj != NULL) PyBuffer_Release(&p->fill);
}

/* Take the buffers of one plane and check them; on failure nothing is held and an
 * error is set. */
static int get_plane(PyObject *src_obj, PyObject *dst_obj, int linear, PyObject *fill_obj,
                     Plane *p)
{
    memset(p, 0, sizeof(*p));
    p->linear = linear;
    if (fill_obj != Py_None && PyObject_GetBuffer(fill_obj, &p->fill, PyBUF_SIMPLE) < 0)
        return 0;
    if (!get_images(src_obj, dst_obj, &p->src, &p->dst, &p->pb)) {
        if (p->fill.obj != NULL) PyBuffer_Release(&p->fill);
        return 0;
    }
    if (linear) {
        p->dtype = dtype_of(&p->src);
        if (p->src.ndim != 3 || p->dst.ndim != 3 || p->dtype < 0
            || dtype_of(&p->dst) != p->dtype) {
            PyErr_SetString(PyExc_ValueError, "src and dst must be uint8, uint16, int16 or "
                            "float32 (height, width, channels) of one dtype");
            release_plane(p);
            return 0;
        }
        p->cn = (int)p->src.shape[2];
    } else if (fill_obj == Py_None) {
        PyErr_SetString(PyExc_ValueError, "a nearest warp needs a fill");
        release_plane(p);
        return 0;
    }
    if (fill_obj != Py_None && p->fill.len != p->pb) {
        PyErr_Format(PyExc_ValueError, "fill has %zd bytes, a pixel has %zd", p->fill.len, p->pb);
        release_plane(p);
        return 0;
    }
    return 1;
}

/* Warp the n planes (of one source size and one output size) by inv; errors are set. */
static void warp_planes(const double *inv, Plane *planes, int n)
{
    const Py_ssize_t dh = planes[0].dst.shape[0], dw = planes[0].dst.shape[1];
    int32_t *terms = checked_terms(inv, dh, dw);
    if (terms == NULL) return;
    int32_t *rows = malloc(sizeof(int32_t) * 3 * (size_t)(dw > 0 ? dw : 1));
    if (rows == NULL) {
        free(terms);
        PyErr_NoMemory();
        return;
    }
    Py_BEGIN_ALLOW_THREADS
    warp_planes_kernel(planes, n, (int)planes[0].src.shape[0], (int)planes[0].src.shape[1],
                       (int)dh, (int)dw, inv, terms, rows);
    Py_END_ALLOW_THREADS
    free(rows);
    free(terms);
}

static PyObject *warp_one(PyObject *args, int linear)
{
    PyObject *src_obj, *dst_obj, *inv_obj, *fill_obj;
    double inv[6];
    Plane plane;
    if (!PyArg_ParseTuple(args, "OOO!O", &src_obj, &dst_obj, &PyTuple_Type, &inv_obj, &fill_obj)
        || !parse_inverse(inv_obj, inv) || !get_plane(src_obj, dst_obj, linear, fill_obj, &plane))
        return NULL;
    warp_planes(inv, &plane, 1);
    release_plane(&plane);
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *py_warp_nearest(PyObject *self, PyObject *args) { return warp_one(args, 0); }

static PyObject *py_warp_linear(PyObject *self, PyObject *args) { return warp_one(args, 1); }

/* The error set, prefixed with which plane it is about. */
static void name_plane(Py_ssize_t i)
{
    PyObject *type, *value, *trace;
    PyErr_Fetch(&type, &value, &trace);
    PyErr_NormalizeException(&type, &value, &trace);
    PyErr_Format(type, "planes[%zd]: %S", i, value);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(trace);
}

static PyObject *py_warp_planes(PyObject *self, PyObject *args)
{
    PyObject *inv_obj, *seq;
    double inv[6];
    if (!PyArg_ParseTuple(args, "O!O", &PyTuple_Type, &inv_obj, &seq) || !parse_inverse(inv_obj, inv))
        return NULL;
    PyObject *items = PySequence_Fast(seq, "planes must be a sequence of (src, dst, linear, fill)");
    if (items == NULL) return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(items);
    Plane *planes = calloc(n > 0 ? (size_t)n : 1, sizeof(Plane));
    Py_ssize_t held = 0;
    if (planes == NULL) PyErr_NoMemory();
    for (; planes != NULL && held < n; held++) {
        PyObject *item = PySequence_Fast_GET_ITEM(items, held), *src, *dst, *fill;
        int linear;
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 4) {
            PyErr_Format(PyExc_TypeError, "planes[%zd] must be a tuple (src, dst, linear, fill), "
                         "not %R", held, item);
            break;
        }
        if (!PyArg_ParseTuple(item, "OOpO", &src, &dst, &linear, &fill)
            || !get_plane(src, dst, linear, fill, planes + held)) {
            name_plane(held);
            break;
        }
        const Plane *p = planes + held, *first = planes;
        if (p->src.shape[0] != first->src.shape[0] || p->src.shape[1] != first->src.shape[1]
            || p->dst.shape[0] != first->dst.shape[0] || p->dst.shape[1] != first->dst.shape[1]) {
            PyErr_Format(PyExc_ValueError, "planes[%zd] warps %zdx%zd into %zdx%zd, planes[0] "
                         "%zdx%zd into %zdx%zd: all planes must share both sizes", held,
                         p->src.shape[0], p->src.shape[1], p->dst.shape[0], p->dst.shape[1],
                         first->src.shape[0], first->src.shape[1], first->dst.shape[0],
                         first->dst.shape[1]);
            release_plane(planes + held);
            break;
        }
    }
    if (!PyErr_Occurred() && n > 0) {
        if (n > INT32_MAX) PyErr_SetString(PyExc_ValueError, "too many planes");
        else warp_planes(inv, planes, (int)n);
    }
    for (Py_ssize_t i = 0; i < held; i++) release_plane(planes + i);
    free(planes);
    Py_DECREF(items);
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
     "simd()\n--\n\nThe interior loop of uint8 bilinear warps: 2 AVX2, 1 SSSE3, 0 scalar."},
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
     "Bilinear affine warp of the C-contiguous uint8, uint16, int16 or float32 ``src``\n"
     "(height, width, channels) into ``dst`` of its dtype, the source's edge replicated;\n"
     "``fill`` (the bytes of one pixel, or None for no fill) is written where the nearest\n"
     "source pixel is outside."},
    {"warp_planes", py_warp_planes, METH_VARARGS,
     "warp_planes(inverse, planes)\n--\n\n"
     "Several warps by one ``inverse`` (as for ``warp_nearest``) in one pass: ``planes`` is\n"
     "a sequence of ``(src, dst, linear, fill)``, all sources of one height and width and\n"
     "all outputs of one height and width; each is warped as ``warp_linear`` (``linear``\n"
     "true) or ``warp_nearest`` would, with the source indices and weights of each output\n"
     "row worked out once for all of them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native",
                                    "Affine resampling kernels, several arrays in one pass (see functional/sampling.py), channel sums "
                                    "and colour matrices into CHW planes.",
                                    -1, methods};

PyMODINIT_FUNC PyInit__native(void)
{
#ifdef SEGAUG_X86
    __builtin_cpu_init();
    has_simd = best_simd();
#endif
    init_weights();
    PyObject *m = PyModule_Create(&module);
    /* The dtypes the bilinear warps take (nearest takes any), which the dispatch and
     * ``info`` read. */
    PyObject *dtypes = Py_BuildValue("(ssss)", "uint8", "uint16", "int16", "float32");
    if (m == NULL || dtypes == NULL || PyModule_AddObject(m, "LINEAR_DTYPES", dtypes) < 0) {
        Py_XDECREF(dtypes);
        Py_XDECREF(m);
        return NULL;
    }
    return m;
}
