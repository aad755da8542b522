/* What the two sources of the _native module share: includes, the processor's loop
 * level, and the per-pixel entry points (_pixels.c) that _native.c's module lists. */
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

/* src read-only and dst writable, both C-contiguous with their formats; on failure
 * neither is held and an error is set. */
int get_buffers(PyObject *src_obj, PyObject *dst_obj, Py_buffer *src, Py_buffer *dst);

PyObject *py_channel_sums(PyObject *self, PyObject *arg);
PyObject *py_colour_planes(PyObject *self, PyObject *args);
PyObject *py_labels_int32(PyObject *self, PyObject *args);

#endif
