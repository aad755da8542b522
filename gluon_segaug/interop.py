"""MXNet NDArray <-> NumPy at the pipeline boundary, without needless copies.

Holds ``to_numpy`` and ``to_ndarray``. ``NDArray.asnumpy()`` and ``mx.nd.array()`` go
through MXNet's engine and copy; in a forked DataLoader worker they cost milliseconds a
sample. A dense CPU NDArray is read here through a NumPy view of its memory (after
waiting for pending writes), and a result the library owns becomes an NDArray that
takes over its memory (``mx.nd.from_numpy(zero_copy=True)``). Pipelines never write to
their inputs and never return views of them, so sharing memory is safe.
"""
from __future__ import annotations

import ctypes
from typing import Any

import mxnet as mx
import numpy as np
from mxnet.base import _LIB, check_call

__all__ = ["to_numpy", "to_ndarray"]

# What MXNet can hold (no uint16, uint32, uint64 or float16 through from_numpy).
_ZERO_COPY = {np.dtype(t) for t in (np.uint8, np.int32, np.int64, np.float32, np.float64,
                                    np.bool_)}


class _Memory:
    """Exposes an NDArray's memory to NumPy and keeps the NDArray alive as the view's base."""

    def __init__(self, value: mx.nd.NDArray, address: int, dtype: np.dtype) -> None:
        self.value = value
        self.__array_interface__ = {"data": (address, True), "shape": tuple(value.shape),
                                    "typestr": dtype.str, "version": 3}


def to_numpy(value: mx.nd.NDArray) -> np.ndarray:
    """A read-only NumPy view of a dense CPU NDArray (a copy for other kinds).

    >>> x = mx.nd.array([[1, 2], [3, 4]], dtype="uint8")
    >>> to_numpy(x)
    array([[1, 2],
           [3, 4]], dtype=uint8)
    """
    if value.stype != "default" or value.context.device_type != "cpu" or value.size == 0:
        return value.asnumpy()
    value.wait_to_read()
    pointer = ctypes.c_void_p()
    check_call(_LIB.MXNDArrayGetData(value.handle, ctypes.byref(pointer)))
    view = np.asarray(_Memory(value, pointer.value, np.dtype(value.dtype)))
    view.flags.writeable = False
    return view


def to_ndarray(array: np.ndarray, context: Any = None) -> mx.nd.NDArray:
    """An NDArray of ``array``, taking over its memory when it can: pass only arrays
    nobody else holds.

    >>> to_ndarray(np.arange(3, dtype=np.int32)).asnumpy()
    array([0, 1, 2], dtype=int32)
    """
    context = context or mx.cpu()
    if (array.dtype in _ZERO_COPY and array.flags.c_contiguous and array.flags.writeable
            and array.size and context.device_type == "cpu"):
        out = mx.nd.from_numpy(array, zero_copy=True)
        return out if context == mx.cpu() else out.as_in_context(context)
    return mx.nd.array(array, ctx=context, dtype=array.dtype)
