"""MXNet NDArray <-> NumPy at the pipeline boundary, without needless copies.

Holds ``to_numpy`` and ``to_ndarray``. ``NDArray.asnumpy()`` and ``mx.nd.array()`` go
through MXNet's engine and copy; in a forked DataLoader worker they cost milliseconds a
sample. A dense CPU NDArray is read here through a NumPy view of its memory (after
waiting for pending writes), and a result the library owns becomes an NDArray that
takes over its memory (``mx.nd.from_numpy(zero_copy=True)``), or, below 128 KiB, one
memmove into a new NDArray (cheaper than that hand-over). Pipelines never write to
their inputs and never return views of them, so sharing memory is safe.
"""
from __future__ import annotations

import ctypes
from typing import Any, Tuple

import mxnet as mx
import numpy as np
from mxnet.base import _LIB, check_call
from mxnet.ndarray.ndarray import _new_alloc_handle

__all__ = ["to_numpy", "to_ndarray"]

# What MXNet can hold (no uint16, uint32, uint64 or float16 through from_numpy).
_ZERO_COPY = {np.dtype(t) for t in (np.uint8, np.int32, np.int64, np.float32, np.float64,
                                    np.bool_)}


_CPU = mx.cpu()
_COPY_BYTES = 1 << 17


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
    context = value.context
    shape = value.shape
    if value.stype != "default" or context.device_type != "cpu" or 0 in shape:
        return value.asnumpy(), context
    value.wait_to_read()
    view = np.asarray(_Memory(value, shape, _data_pointer(value.handle), np.dtype(value.dtype)))
    view.flags.writeable = False
    return view, context


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
        # Small: a new NDArray and one memmove cost a third of the DLPack hand-over.
        out = mx.nd.NDArray(handle=_new_alloc_handle(array.shape, _CPU, False, array.dtype))
        ctypes.memmove(_data_pointer(out.handle), array.ctypes.data, array.nbytes)
    elif direct and array.flags.writeable:
        out = mx.nd.from_numpy(array, zero_copy=True)
    else:
        return mx.nd.array(array, ctx=context, dtype=array.dtype)
    return out if context == _CPU else out.as_in_context(context)
