/* The NDArray boundary of a pipeline call in one C call each way.
 *
 * Reading a dense CPU NDArray takes six calls of MXNet's C API (storage type, context,
 * wait for pending writes, shape, dtype, data address), and making one takes two
 * (create, data address). From Python each is a ctypes call with its own argument
 * objects: together a large share of a small pipeline call. Here they run back
 * to back, with the GIL released (waiting on MXNet's engine must not hold it). Handing
 * a large buffer over without a copy (DLPack, as mx.nd.from_numpy does with ctypes
 * structures built per call) is one call too: take_over.
 *
 * The extension neither includes nor links MXNet: Python hands over the addresses of the
 * C API functions of the libmxnet it loaded (bind), so the two always match. A failing
 * MXNet call gives None, and Python then takes the slow path, where MXNet raises its own
 * error.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIMS 32

typedef int (*int_of_fn)(void *, int *);
typedef int (*context_fn)(void *, int *, int *);
typedef int (*wait_fn)(void *);
typedef int (*shape_fn)(void *, int *, const int **);
typedef int (*data_fn)(void *, void **);
typedef int (*create_fn)(const uint32_t *, uint32_t, int, int, int, int, void **);
typedef int (*free_fn)(void *);

/* DLPack as MXNet 1.9 declares it (include/dlpack/dlpack.h). */
typedef struct {
    int device_type; /* 1: CPU */
    int device_id;
} DLContext;

typedef struct {
    uint8_t code; /* 0: int, 1: uint, 2: float */
    uint8_t bits;
    uint16_t lanes;
} DLDataType;

typedef struct {
    void *data;
    DLContext ctx;
    int ndim;
    DLDataType dtype;
    int64_t *shape;
    int64_t *strides;
    uint64_t byte_offset;
} DLTensor;

typedef struct DLManagedTensor {
    DLTensor dl_tensor;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;

typedef int (*from_dlpack_fn)(DLManagedTensor *, bool, void **);

static struct {
    int_of_fn storage_type;
    context_fn context;
    wait_fn wait_to_read;
    shape_fn shape;
    int_of_fn dtype;
    data_fn data;
    create_fn create;
    free_fn release;
    from_dlpack_fn from_dlpack;
} api;

static pthread_t main_thread; /* see release_owner */
static int main_thread_known = 0;

static void drain_deferred(void);

static PyObject *py_bind(PyObject *self, PyObject *args)
{
    unsigned long long a[9], main_ident;
    if (!PyArg_ParseTuple(args, "KKKKKKKKKK", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6],
                          &a[7], &a[8], &main_ident))
        return NULL;
    for (int i = 0; i < 9; i++) {
        if (a[i] == 0) {
            PyErr_SetString(PyExc_ValueError, "bind: a null function address");
            return NULL;
        }
    }
    api.storage_type = (int_of_fn)(uintptr_t)a[0];
    api.context = (context_fn)(uintptr_t)a[1];
    api.wait_to_read = (wait_fn)(uintptr_t)a[2];
    api.shape = (shape_fn)(uintptr_t)a[3];
    api.dtype = (int_of_fn)(uintptr_t)a[4];
    api.data = (data_fn)(uintptr_t)a[5];
    api.create = (create_fn)(uintptr_t)a[6];
    api.release = (free_fn)(uintptr_t)a[7];
    api.from_dlpack = (from_dlpack_fn)(uintptr_t)a[8];
    /* threading.main_thread().ident: the pthread_t of the main thread on POSIX. */
    main_thread = (pthread_t)(uintptr_t)main_ident;
    main_thread_known = 1;
    Py_RETURN_NONE;
}

static int bound(void)
{
    if (api.release != NULL) return 1;
    PyErr_SetString(PyExc_RuntimeError, "the MXNet C API was not bound (call bind first)");
    return 0;
}

/* read(handle) -> (shape, dtype code, device id, data address), or None when the array
 * is not a dense CPU one or an MXNet call failed. Waits for pending writes. */
static PyObject *py_read(PyObject *self, PyObject *arg)
{
    if (!bound()) return NULL;
    drain_deferred();
    void *handle = PyLong_AsVoidPtr(arg);
    if (handle == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "read: a null handle");
        return NULL;
    }
    int stype = -1, dev_type = -1, dev_id = 0, ndim = -1, dtype = -1, err;
    int dims[MAX_DIMS];
    const int *shape = NULL;
    void *data = NULL;
    Py_BEGIN_ALLOW_THREADS
    err = api.storage_type(handle, &stype);
    if (!err) err = api.context(handle, &dev_type, &dev_id);
    if (!err && stype == 0 && dev_type == 1) {
        err = api.wait_to_read(handle);
        /* The shape lives in MXNet's per-thread return buffer: copied before any other call. */
        if (!err) err = api.shape(handle, &ndim, &shape);
        if (!err && ndim >= 0 && ndim <= MAX_DIMS) memcpy(dims, shape, sizeof(int) * ndim);
        if (!err) err = api.dtype(handle, &dtype);
        if (!err) err = api.data(handle, &data);
    }
    Py_END_ALLOW_THREADS
    if (err || stype != 0 || dev_type != 1 || ndim < 0 || ndim > MAX_DIMS) Py_RETURN_NONE;
    PyObject *dims_tuple = PyTuple_New(ndim);
    if (dims_tuple == NULL) return NULL;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0) {
            Py_DECREF(dims_tuple);
            Py_RETURN_NONE;
        }
        PyObject *d = PyLong_FromLong(dims[i]);
        if (d == NULL) {
            Py_DECREF(dims_tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(dims_tuple, i, d);
    }
    return Py_BuildValue("(NiiK)", dims_tuple, dtype, dev_id,
                         (unsigned long long)(uintptr_t)data);
}

/* create(shape, dtype code, source) -> handle of a new CPU NDArray holding a copy of the
 * C-contiguous buffer ``source`` (which must have the array's size), or None when an
 * MXNet call failed. */
static PyObject *py_create(PyObject *self, PyObject *args)
{
    PyObject *shape_obj;
    int dtype;
    Py_buffer src;
    if (!bound()) return NULL;
    drain_deferred();
    if (!PyArg_ParseTuple(args, "O!iy*", &PyTuple_Type, &shape_obj, &dtype, &src)) return NULL;
    const Py_ssize_t ndim = PyTuple_GET_SIZE(shape_obj);
    uint32_t dims[MAX_DIMS];
    if (ndim > MAX_DIMS) {
        PyBuffer_Release(&src);
        PyErr_Format(PyExc_ValueError, "create: at most %d dimensions", MAX_DIMS);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < ndim; i++) {
        const unsigned long d = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(shape_obj, i));
        if (PyErr_Occurred() || d > UINT32_MAX) {
            PyBuffer_Release(&src);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "create: dimension too large");
            return NULL;
        }
        dims[i] = (uint32_t)d;
    }
    /* Element sizes of MXNet's dtype codes 0-7: float32, float64, float16, uint8, int32,
     * int8, int64, bool. The source must be exactly the array's bytes. */
    static const Py_ssize_t item_size[] = {4, 8, 2, 1, 4, 1, 8, 1};
    Py_ssize_t nbytes = dtype >= 0 && dtype < 8 ? item_size[dtype] : -1;
    for (Py_ssize_t i = 0; i < ndim && nbytes >= 0; i++) {
        if (dims[i] != 0 && nbytes > PY_SSIZE_T_MAX / (Py_ssize_t)dims[i]) nbytes = -1;
        else nbytes *= (Py_ssize_t)dims[i];
    }
    if (nbytes < 0 || nbytes != src.len) {
        PyBuffer_Release(&src);
        PyErr_Format(PyExc_ValueError, "create: dtype code %d and the shape do not make the "
                     "%zd bytes of the source", dtype, src.len);
        return NULL;
    }
    void *handle = NULL, *data = NULL;
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = api.create(dims, (uint32_t)ndim, 1, 0, 0, dtype, &handle);
    if (!err) err = api.data(handle, &data);
    if (!err && src.len > 0) {
        if (data == NULL) err = 1;
        else memcpy(data, src.buf, (size_t)src.len);
    }
    if (err && handle != NULL) {
        api.release(handle);
        handle = NULL;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&src);
    if (err) Py_RETURN_NONE;
    return PyLong_FromVoidPtr(handle);
}

/* Owners let go of by MXNet in threads that must not take the GIL, waiting for the
 * next call into this module (which holds the GIL) to release them. */
typedef struct Deferred {
    PyObject *owner;
    struct Deferred *next;
} Deferred;

static pthread_mutex_t deferred_lock = PTHREAD_MUTEX_INITIALIZER;
static Deferred *deferred = NULL;

/* With the GIL held: release the queued owners. */
static void drain_deferred(void)
{
    if (__atomic_load_n(&deferred, __ATOMIC_ACQUIRE) == NULL) return;
    pthread_mutex_lock(&deferred_lock);
    Deferred *list = deferred;
    deferred = NULL;
    pthread_mutex_unlock(&deferred_lock);
    while (list != NULL) {
        Deferred *next = list->next;
        Py_DECREF(list->owner);
        free(list);
        list = next;
    }
}

/* MXNet lets go of a taken-over buffer: drop the reference that kept its owner alive.
 * Called in whatever thread frees the NDArray, with or without the GIL. A thread that
 * holds the GIL, or the main thread, drops it at once. Any other thread (an engine
 * thread of MXNet, another Python thread inside a ctypes call) must not touch Python:
 * waiting for the GIL while the interpreter exits gets such a thread ended inside
 * MXNet's deleter, which aborts the process, and asking for a pending call then crashes
 * on Python 3.8. The owner is queued instead, with no Python call, and released by the
 * next call into this module (every pipeline call reads its inputs through it). */
static void release_owner(DLManagedTensor *self)
{
    PyObject *owner = (PyObject *)self->manager_ctx;
    if (owner == NULL || !Py_IsInitialized()) return;
    if (PyGILState_Check()) {
        Py_DECREF(owner);
        return;
    }
    if (main_thread_known && pthread_equal(pthread_self(), main_thread)) {
        PyGILState_STATE gil = PyGILState_Ensure();
        Py_DECREF(owner);
        PyGILState_Release(gil);
        return;
    }
    Deferred *node = malloc(sizeof(Deferred));
    if (node == NULL) return; /* leak the owner rather than fail inside MXNet */
    node->owner = owner;
    pthread_mutex_lock(&deferred_lock);
    node->next = deferred;
    deferred = node;
    pthread_mutex_unlock(&deferred_lock);
}

static PyObject *py_release_deferred(PyObject *self, PyObject *unused)
{
    drain_deferred();
    Py_RETURN_NONE;
}

/* take_over(owner, shape, code, bits, itemsize) -> handle of a CPU NDArray over the
 * memory of ``owner`` (a C-contiguous buffer of exactly the array's bytes), which is
 * kept alive until MXNet lets go of it; None when MXNet fails. */
static PyObject *py_take_over(PyObject *self, PyObject *args)
{
    PyObject *owner, *shape_obj;
    int code, bits, itemsize;
    if (!bound()) return NULL;
    drain_deferred();
    if (!PyArg_ParseTuple(args, "OO!iii", &owner, &PyTuple_Type, &shape_obj, &code, &bits,
                          &itemsize))
        return NULL;
    const Py_ssize_t ndim = PyTuple_GET_SIZE(shape_obj);
    int64_t dims[MAX_DIMS];
    if (ndim > MAX_DIMS || itemsize <= 0) {
        PyErr_Format(PyExc_ValueError, "take_over: at most %d dimensions and a positive "
                     "item size", MAX_DIMS);
        return NULL;
    }
    Py_ssize_t nbytes = itemsize;
    for (Py_ssize_t i = 0; i < ndim; i++) {
        const long long d = PyLong_AsLongLong(PyTuple_GET_ITEM(shape_obj, i));
        if (PyErr_Occurred()) return NULL;
        if (d <= 0 || d > INT32_MAX || nbytes > PY_SSIZE_T_MAX / d) {
            PyErr_Format(PyExc_ValueError, "take_over: dimension %lld is not in 1..2**31-1", d);
            return NULL;
        }
        dims[i] = d;
        nbytes *= (Py_ssize_t)d;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(owner, &view, PyBUF_C_CONTIGUOUS) < 0) return NULL;
    void *data = view.buf;
    const Py_ssize_t len = view.len;
    PyBuffer_Release(&view); /* the reference taken below keeps the memory */
    if (len != nbytes) {
        PyErr_Format(PyExc_ValueError, "take_over: the shape and item size make %zd bytes "
                     "but the buffer has %zd", nbytes, len);
        return NULL;
    }
    DLManagedTensor tensor;
    memset(&tensor, 0, sizeof(tensor));
    tensor.dl_tensor.data = data;
    tensor.dl_tensor.ctx.device_type = 1;
    tensor.dl_tensor.ndim = (int)ndim;
    tensor.dl_tensor.dtype.code = (uint8_t)code;
    tensor.dl_tensor.dtype.bits = (uint8_t)bits;
    tensor.dl_tensor.dtype.lanes = 1;
    tensor.dl_tensor.shape = dims;
    tensor.manager_ctx = owner;
    tensor.deleter = release_owner;
    Py_INCREF(owner);
    void *handle = NULL;
    int err;
    /* A transient handle: MXNet copies the struct (and the shape) before returning. */
    Py_BEGIN_ALLOW_THREADS
    err = api.from_dlpack(&tensor, true, &handle);
    Py_END_ALLOW_THREADS
    if (err) {
        Py_DECREF(owner);
        Py_RETURN_NONE;
    }
    return PyLong_FromVoidPtr(handle);
}

static PyMethodDef methods[] = {
    {"bind", py_bind, METH_VARARGS,
     "bind(storage_type, context, wait_to_read, shape, dtype, data, create, free,\n"
     "     from_dlpack, main_thread)\n--\n\n"
     "The addresses of MXNDArrayGetStorageType, MXNDArrayGetContext, MXNDArrayWaitToRead,\n"
     "MXNDArrayGetShapeEx, MXNDArrayGetDType, MXNDArrayGetData, MXNDArrayCreateEx,\n"
     "MXNDArrayFree and MXNDArrayFromDLPackEx of the loaded libmxnet, and\n"
     "threading.main_thread().ident."},
    {"read", py_read, METH_O,
     "read(handle)\n--\n\n"
     "(shape, dtype code, device id, data address) of a dense CPU NDArray, after its\n"
     "pending writes; None for any other array or when MXNet fails."},
    {"create", py_create, METH_VARARGS,
     "create(shape, dtype, source)\n--\n\n"
     "The handle of a new CPU NDArray (device 0) holding a copy of ``source``; None when\n"
     "MXNet fails."},
    {"release_deferred", py_release_deferred, METH_NOARGS,
     "release_deferred()\n--\n\n"
     "Release the owners MXNet let go of in other threads since the last call into this\n"
     "module (every call does this first)."},
    {"take_over", py_take_over, METH_VARARGS,
     "take_over(owner, shape, code, bits, itemsize)\n--\n\n"
     "The handle of a CPU NDArray over the memory of ``owner`` (DLPack type ``code`` and\n"
     "``bits``), which stays alive until MXNet lets go of it; None when MXNet fails."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_mxview",
                                    "The NDArray boundary in one C call each way (see interop.py).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__mxview(void)
{
    return PyModule_Create(&module);
}
