"""MXNet NDArray <-> NumPy at the pipeline boundary, without needless copies.

Holds ``to_numpy`` and ``to_ndarray``. ``NDArray.asnumpy()`` and ``mx.nd.array()`` go
through MXNet's engine and copy; in a forked DataLoader worker they cost milliseconds a
sample. A dense CPU NDArray is read here through a NumPy view of its memory (after
waiting for pending writes), and a result the library owns becomes an NDArray that
takes over its memory (DLPack, as ``mx.nd.from_numpy(zero_copy=True)``), or, below
128 KiB, one copy into a new NDArray (cheaper than that hand-over). Pipelines never write to their
inputs and never return views of them, so sharing memory is safe.

The MXNet calls of a read (six), of a small copy (two) and of a hand-over run in one C
call each
(``gluon_segaug._mxview``, bound to the loaded libmxnet) where that extension built;
through ctypes otherwise.
"""
from __future__ import annotations

import ctypes
import threading
from typing import Any, Tuple

import mxnet as mx
import numpy as np
from mxnet.base import _LIB, NDArrayHandle, check_call
from mxnet.ndarray.ndarray import (_DTYPE_MX_TO_NP, _DTYPE_NP_TO_MX, DLDataType,
                                   _new_alloc_handle)

__all__ = ["to_numpy", "to_ndarray", "take_over", "release_deferred"]

# What MXNet can hold (no uint16, uint32, uint64 or float16 through from_numpy).
_ZERO_COPY = {np.dtype(t) for t in (np.uint8, np.int32, np.int64, np.float32, np.float64,
                                    np.bool_)}


_CPU = mx.cpu()
_COPY_BYTES = 1 << 17
_MX_TO_NP = {code: np.dtype(t) for code, t in _DTYPE_MX_TO_NP.items()
             if t is not None and np.dtype(t) in _ZERO_COPY | {np.dtype(np.int8),
                                                               np.dtype(np.float16)}}
_NP_TO_MX = {dtype: _DTYPE_NP_TO_MX[dtype.type] for dtype in _MX_TO_NP.values()}
# DLPack (type code, bits) of what ``take_over`` hands over, as mx.nd.from_numpy gives them.
_DLPACK = {np.dtype(name): code_bits[:2] for name, code_bits in DLDataType.TYPE_MAP.items()
           if np.dtype(name) in _ZERO_COPY | {np.dtype(np.float16)}}


def _bind_mxview() -> Any:
    """The C boundary bound to this libmxnet, or None (not built, or 64-bit shapes)."""
    try:
        from . import _mxview
    except ImportError:
        return None
    from mxnet.ndarray.ndarray import _int64_enabled

    if _int64_enabled():  # MXNDArrayGetShapeEx gives int32 dimensions
        return None
    names = ("MXNDArrayGetStorageType", "MXNDArrayGetContext", "MXNDArrayWaitToRead",
             "MXNDArrayGetShapeEx", "MXNDArrayGetDType", "MXNDArrayGetData",
             "MXNDArrayCreateEx", "MXNDArrayFree", "MXNDArrayFromDLPackEx")
    _mxview.bind(*[ctypes.cast(getattr(_LIB, name), ctypes.c_void_p).value for name in names],
                 threading.main_thread().ident)
    return _mxview


_mxview = _bind_mxview()


class _Memory:
    """Exposes an NDArray's memory to NumPy and keeps the NDArray alive as the view's base."""

    def __init__(self, value: mx.nd.NDArray, shape: tuple, address: int,
                 dtype: np.dtype) -> None:
        self.value = value
        self.__array_interface__ = {"data": (address, True), "shape": shape,
                                    "typestr": dtype.str, "version": 3}


def to_numpy(value: mx.nd.NDArray) -> np.ndarray:
    """A read-only NumPy view of a dense CPU NDArray (a copy for other kinds).

    >>> x = mx.nd.array([[1, 2], [3, 4]], dtype="uint8")
    >>> to_numpy(x)
    array([[1, 2],
           [3, 4]], dtype=uint8)
    """
    return read(value)[0]


def read(value: mx.nd.NDArray) -> Tuple[np.ndarray, mx.Context]:
    """``to_numpy(value)`` and the NDArray's context, each asked of MXNet once."""
    if _mxview is not None:
        found = _mxview.read(value.handle.value)
        if found is not None:
            shape, code, device, address = found
            dtype = _MX_TO_NP.get(code)
            if dtype is not None and address and 0 not in shape:
                view = np.asarray(_Memory(value, shape, address, dtype))
                view.flags.writeable = False
                return view, (_CPU if device == 0 else mx.cpu(device))
    context = value.context
    shape = value.shape
    if value.stype != "default" or context.device_type != "cpu" or 0 in shape:
        return value.asnumpy(), context
    value.wait_to_read()
    view = np.asarray(_Memory(value, shape, _data_pointer(value.handle), np.dtype(value.dtype)))
    view.flags.writeable = False
    return view, context


def take_over(array: np.ndarray) -> mx.nd.NDArray:
    """A ``cpu()`` NDArray over ``array``'s memory (C-contiguous, non-empty, a dtype of
    ``mx.nd.from_numpy``), which MXNet keeps alive until the NDArray is gone. Nobody may
    write to ``array`` meanwhile; it is made read-only.

    >>> x = np.arange(3, dtype=np.float32); y = take_over(x)
    >>> y.asnumpy(), x.flags.writeable
    (array([0., 1., 2.], dtype=float32), False)
    """
    dlpack = _DLPACK.get(array.dtype)
    if _mxview is None or dlpack is None or not array.flags.c_contiguous or not array.size:
        return mx.nd.from_numpy(array, zero_copy=True)
    array.flags.writeable = False
    handle = _mxview.take_over(array, array.shape, *dlpack, array.itemsize)
    if handle is None:
        return mx.nd.from_numpy(array, zero_copy=True)
    return mx.nd.NDArray(handle=NDArrayHandle(handle))


def release_deferred() -> None:
    """Release the memory of taken-over arrays that MXNet let go of in its own threads
    (their owners wait for the next call into the C boundary; this is one)."""
    if _mxview is not None:
        _mxview.release_deferred()


def _data_pointer(handle: Any) -> int:
    pointer = ctypes.c_void_p()
    check_call(_LIB.MXNDArrayGetData(handle, ctypes.byref(pointer)))
    return pointer.value


def to_ndarray(array: np.ndarray, context: Any = None) -> mx.nd.NDArray:
    """An NDArray of ``array``, taking over its memory when it can: pass only arrays
    nobody else holds.

    >>> to_ndarray(np.arange(3, dtype=np.int32)).asnumpy()
    array([0, 1, 2], dtype=int32)
    """
    context = context or _CPU
    direct = (array.dtype in _ZERO_COPY and array.flags.c_contiguous and array.size
              and context.device_type == "cpu")
    if direct and array.nbytes <= _COPY_BYTES:
        # Small: a new NDArray and one copy cost less than the DLPack hand-over's
        # structures.
        handle = None
        if _mxview is not None and array.dtype in _NP_TO_MX:
            handle = _mxview.create(array.shape, _NP_TO_MX[array.dtype], array)
        if handle is not None:
            out = mx.nd.NDArray(handle=NDArrayHandle(handle))
        else:
            out = mx.nd.NDArray(handle=_new_alloc_handle(array.shape, _CPU, False, array.dtype))
            ctypes.memmove(_data_pointer(out.handle), array.ctypes.data, array.nbytes)
    elif direct and array.flags.writeable:
        out = take_over(array)
    else:
        return mx.nd.array(array, ctx=context, dtype=array.dtype)
    return out if context == _CPU else out.as_in_context(context)
