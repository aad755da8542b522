/* What the sources of the _native module share: includes, the processor's loop level,
 * the bilinear loops (_bilinear.c) and the per-pixel entry points (_pixels.c) that
 * _native.c's module lists. */
#ifndef SEGAUG_NATIVE_H
#define SEGAUG_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define SEGAUG_X86 1
#endif

/* The interior loops to use: 2 AVX2, 1 SSSE3 (and SSE4.1 where present), 0 scalar. */
extern int has_simd;

#define INTER_BITS 5                  /* bilinear grid: 1 / 32 of a pixel */
#define TAB (1 << INTER_BITS)

/* The dtypes the bilinear loops interpolate (_bilinear.c). */
enum { DT_U8, DT_U16, DT_S16, DT_F32 };

void init_weights(void);
/* Output pixels a..b-1 of a row (dw pixels) of cn channels, each from the 2x2 taps whose
 * top-left is source pixel pix[x] (the source sw pixels wide, every tap inside) at grid
 * position wix[x] = fy * 32 + fx. */
void bilinear_run(int dtype, const uint8_t *src, int sw, int cn, const int32_t *pix,
                  const int32_t *wix, int a, int b, int dw, uint8_t *out);
/* One output pixel o from the taps t00 (top-left), t01, t10, t11. */
void bilinear_pixel(int dtype, int cn, const uint8_t *t00, const uint8_t *t01,
                    const uint8_t *t10, const uint8_t *t11, int wix, uint8_t *o);

/* src read-only and dst writable, both C-contiguous with their formats; on failure
 * neither is held and an error is set. */
int get_buffers(PyObject *src_obj, PyObject *dst_obj, Py_buffer *src, Py_buffer *dst);

PyObject *py_channel_sums(PyObject *self, PyObject *arg);
PyObject *py_colour_planes(PyObject *self, PyObject *args);
PyObject *py_labels_int32(PyObject *self, PyObject *args);

#endif
