"""Batches from DataLoader workers through shared memory that is reused, not remade.

Holds ``SharedBatchify``, a ``batchify_fn`` for ``gluon.data.DataLoader``.

Gluon's own for workers (``default_mp_batchify_fn``) stacks every batch into newly
made shared memory: each batch writes fresh pages, which the kernel must find and zero
one by one (on a small virtual machine this costs more than augmenting the samples:
see docs/design/kernels.md), and its ``nd.stack`` copies uint8 element by element.
``SharedBatchify`` maps a fixed set of shared slots before the DataLoader forks its
workers. A worker copies a batch into a free slot and sends only the slot's number; the
main process, as it receives the batch, hands it out as NDArrays over the slot's memory,
and the slot is freed when they are let go (or, with ``zero_copy=False``, copies it out
into ordinary pooled NDArray memory and frees the slot). A slot's pages are made once,
then reused batch after batch.

How a slot changes hands, with no lock between processes (a worker killed in the instant
between claiming a slot and marking it loses that slot for good, which costs speed only): a worker claims a free slot with a non-blocking acquire of that slot's
semaphore, marks it filling, writes the batch, marks it ready; the main process checks
that the slot still holds that batch and marks it lent (or copies it out); the batch's
lease, dropped with its last NDArray, marks the slot free and releases the semaphore. A batch that is never received (its loop left early) would hold
its slot for ever, so each worker numbers its batches, and receiving one frees the older
ready slots of the same worker: a worker's batches are received in the order it made
them, or not at all. Slots of workers that have died (a loader dropped mid-epoch) are
freed by the main process when a batch arrives that found no free slot; lent slots are
left to their leases. Only the main process ever frees a slot, so nothing races it there.
"""
from __future__ import annotations

import ctypes
import itertools
import mmap
import multiprocessing
import os
import threading
import weakref
from typing import Any, Callable, List, Optional, Sequence, Tuple

import mxnet as mx
import numpy as np
from mxnet.gluon.data.dataloader import default_mp_batchify_fn
from mxnet.util import is_np_array

from .interop import _data_pointer, release_deferred, take_over, to_numpy

__all__ = ["SharedBatchify"]

# Fields MXNet can hold: a batch of any other dtype cannot become an NDArray.
_MX_DTYPES = {np.dtype(t) for t in (np.uint8, np.int8, np.int32, np.int64, np.float16,
                                    np.float32, np.float64, np.bool_)}
_ALIGN = 64
_FREE, _FILLING, _READY, _LENT = 0, 1, 2, 3
# What MXNet can take over (DLPack): other fields are copied out.
_LENDABLE = {np.dtype(t) for t in (np.uint8, np.int32, np.int64, np.float16, np.float32,
                                   np.float64, np.bool_)}
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
_CPU, _CPU_SHARED = mx.cpu(), mx.Context("cpu_shared", 0)
# Instances by token, so that a worker finds the slots it inherited from the fork: the
# batchify function is pickled into every task, its memory cannot be.
_LIVE: "weakref.WeakValueDictionary[Tuple[int, int], SharedBatchify]" = \
    weakref.WeakValueDictionary()
_COUNTER = itertools.count()
_MALLOC_SET: List[int] = []  # processes where _keep_freed_memory ran

Spec = Any  # (offset, shape, dtype string) for an array field, a list of Spec for a tuple


class SharedBatchify:
    """A ``batchify_fn`` for ``gluon.data.DataLoader(num_workers > 0)`` that sends batches
    through shared slots reused from batch to batch.

    Gives what Gluon's default gives for samples of arrays: a sample that is a tuple
    ``(image, mask, ...)`` becomes a list of batched NDArrays, one per field; any other
    sample (an array, a number, a list) becomes one NDArray. Fields may be NDArrays,
    NumPy arrays or numbers. The batches come back in the main process's ``cpu()``
    memory, also those that go through new shared memory (Gluon's own stay in
    ``cpu_shared``, which a hybridized network refuses next to ``cpu()`` parameters). With ``mx.npx.set_np()`` it batches as Gluon's default does (``mx.np``
    arrays, new shared memory).

    Parameters
    ----------
    slots : int
        Batches that can be in flight at once (made by a worker, not yet received), or,
        with ``zero_copy``, received and still held (with slices of them, and while
        MXNet operations still read them). A DataLoader keeps ``2 * num_workers + 1``
        in flight, and a training loop holds one or two; when every slot is busy a
        batch goes through new shared memory, as Gluon's does, so too few slots only
        cost speed. The default covers up to 7 workers with one batch held.
    slot_mb : float
        Size of one slot in MiB; a batch larger than a slot also goes through new
        shared memory. Slots are reserved address space: only the pages that batches
        use take memory.
    zero_copy : bool
        Hand each batch received through a slot out as NDArrays over the slot's memory
        (default); the slot is freed when the last of them, and of their slices, is let
        go. Keep many batches alive and those beyond the slots go through new shared
        memory. ``False`` copies each batch out and frees its slot at once. Fields MXNet
        cannot take over (int8) are always copied.
    keep_freed_memory : bool
        In each worker, keep memory that is freed for reuse instead of handing it back
        to the system at once (glibc's ``M_TRIM_THRESHOLD`` to 256 MiB and
        ``M_MMAP_THRESHOLD`` to 32 MiB, set on the worker's first batch). Otherwise a
        worker frees a batch's samples together, glibc returns them, and the next batch
        faults the same pages in anew. Costs at most that much idle memory per worker;
        no effect where the C library is not glibc.

    Examples
    --------
    >>> import numpy as np, gluon_segaug as gsa
    >>> batchify = gsa.SharedBatchify(slots=4, slot_mb=16)
    >>> images, masks = batchify([(np.zeros((2, 2, 3), np.uint8), np.ones((2, 2), np.int32))] * 3)
    >>> images.shape, masks.shape, masks.dtype.__name__
    ((3, 2, 2, 3), (3, 2, 2), 'int32')
    >>> # loader = gluon.data.DataLoader(dataset, batch_size=8, num_workers=2,
    >>> #                                batchify_fn=batchify)

    Attributes
    ----------
    received_in_slots, received_otherwise : int
        Batches the main process received through a slot, and through new shared
        memory (no slot free, or a batch too big for one).

    Notes
    -----
    The slots serve workers forked after this object was made (make it before the
    DataLoader, which forks its workers when it is made). Workers started another way
    (``spawn``) stack each batch into a new NDArray, which Gluon hands over as it does its
    own (new shared memory, arriving in ``cpu_shared``). Called directly, as Gluon does
    with ``num_workers=0`` or ``thread_pool=True``, it stacks a batch straight into a
    new NDArray. Iterate one iterator of a loader at a time: two live iterators of one
    loader consumed in turn receive a worker's batches out of order, which may be
    refused with an error.
    """

    def __init__(self, slots: int = 16, slot_mb: float = 64.0,
                 keep_freed_memory: bool = True, zero_copy: bool = True) -> None:
        if isinstance(slots, bool) or not isinstance(slots, (int, np.integer)) or slots < 1:
            raise ValueError(f"slots must be a positive int, but got {slots!r}")
        if (isinstance(slot_mb, bool) or not isinstance(slot_mb, (int, float, np.number))
                or not slot_mb > 0):
            raise ValueError(f"slot_mb must be a positive number, but got {slot_mb!r}")
        self.slots = int(slots)
        self.slot_mb = float(slot_mb)
        self.keep_freed_memory = bool(keep_freed_memory)
        self.zero_copy = bool(zero_copy)
        self._slot_bytes = -(-int(self.slot_mb * 2 ** 20) // mmap.PAGESIZE) * mmap.PAGESIZE
        # Anonymous and shared: forked workers write the very pages the main process reads.
        self._arena = mmap.mmap(-1, self.slots * self._slot_bytes)
        self._base = ctypes.addressof(ctypes.c_char.from_buffer(self._arena))
        # Per slot: its state, and which worker filled it with its how-manyth batch.
        fork = multiprocessing.get_context("fork")
        self._state = multiprocessing.RawArray("b", self.slots)
        self._owner = multiprocessing.RawArray("q", self.slots)
        self._serial = multiprocessing.RawArray("q", self.slots)
        self._claims = [fork.Semaphore(1) for _ in range(self.slots)]
        self._receiving = threading.Lock()  # the main process's threads, among themselves
        self.received_in_slots = 0  # see Attributes
        self.received_otherwise = 0
        self._made = (0, itertools.count())  # (process id, its batch counter)
        self._token = (os.getpid(), next(_COUNTER))
        _LIVE[self._token] = self

    def __repr__(self) -> str:
        return (f"SharedBatchify(slots={self.slots}, slot_mb={self.slot_mb:g}, "
                f"keep_freed_memory={self.keep_freed_memory}, zero_copy={self.zero_copy})")

    def __reduce__(self) -> Tuple[Any, ...]:
        # Sent with every task of a process pool: a worker gets the sending side of the
        # slots it inherited.
        return _in_worker, (self._token, self.slots, self.slot_mb, self.keep_freed_memory)

    def __call__(self, data: Sequence[Any]) -> Any:
        """Stack ``data`` into a new NDArray (per field) of this process."""
        return _stack_here(data)

    def busy(self) -> int:
        """How many slots hold batches not yet received (or being filled), or received
        batches still in use (``zero_copy``)."""
        release_deferred()  # batches MXNet's threads let go of
        return sum(1 for state in self._state if state != _FREE)

    def _send(self, data: Sequence[Any]) -> Any:
        """In a worker: the batch, put in a slot, as what the main process unpickles."""
        _check_batch(data)
        if is_np_array():
            return default_mp_batchify_fn(data)
        pid = os.getpid()
        if self.keep_freed_memory:
            _keep_freed_memory(pid)
        if self._made[0] != pid:  # the first batch of this worker
            self._made = (pid, itertools.count())
        serial = next(self._made[1])
        slot = self._claim(pid, serial)
        if slot is not None:
            try:
                spec = _stack(data, _SlotWriter(self._base + slot * self._slot_bytes,
                                                self._slot_bytes))
            except _TooBig:  # left ready and empty: freed with the batch sent below
                self._state[slot] = _READY
            except BaseException:  # freed with this worker's next batch, or its death
                self._state[slot] = _READY
                raise
            else:
                self._state[slot] = _READY
                return _Sent(self._token, pid, serial, slot, spec)
        # New shared memory, as Gluon's; still numbered, so that receiving it frees the
        # older slots of this worker.
        return _Sent(self._token, pid, serial, None, _stack(data, _new_shared_ndarray))

    def _claim(self, pid: int, serial: int) -> Optional[int]:
        for slot in range(self.slots):  # the lowest free slot: few slots get touched
            if self._state[slot] == _FREE and self._claims[slot].acquire(False):
                self._take(slot, pid, serial)
                return slot
        return None  # none free: the main process frees those of dead workers

    def _take(self, slot: int, pid: int, serial: int) -> None:
        # Owner first: a slot that is not free always names its current owner.
        self._owner[slot], self._serial[slot] = pid, serial
        self._state[slot] = _FILLING

    def _release(self, slot: int) -> None:
        self._state[slot] = _FREE
        self._claims[slot].release()

    def _holds(self, slot: int, pid: int, serial: int) -> bool:
        return (self._state[slot] == _READY and self._owner[slot] == pid
                and self._serial[slot] == serial)

    def _receive(self, pid: int, serial: int, slot: Optional[int], batch: Any) -> Any:
        """In the main process: the batch as NDArrays of this process (copied out of
        ``slot``, if it came in one). Frees the slot, and the older ready slots of the
        same worker (their batches will never be received); a batch that came without
        a slot also frees the slots of dead workers."""
        release_deferred()  # batches MXNet's threads let go of: their slots come back
        with self._receiving:
            try:
                if slot is None:  # new shared memory: into cpu(), as slot batches come
                    self.received_otherwise += 1
                    return _in_cpu(batch)
                if not self._holds(slot, pid, serial):
                    raise RuntimeError(
                        f"slot {slot} no longer holds batch {serial} of worker {pid}: the "
                        f"batches of one worker must be received in the order it made them "
                        f"(iterate one iterator of a DataLoader at a time)")
                self.received_in_slots += 1
                base = self._base + slot * self._slot_bytes
                if self.zero_copy and _lendable(batch):
                    # The lease exists before the state says lent: however this ends,
                    # dropping the lease frees the slot, once.
                    lease = _Lease(self, slot)
                    self._state[slot] = _LENT
                    return _lend(base, batch, lease)
                return _copy_out(base, batch)
            finally:
                for other in range(self.slots):
                    state = self._state[other]  # before the owner: _take writes it first
                    if state == _FREE or state == _LENT:  # lent: freed by its lease only
                        continue
                    owner = self._owner[other]
                    if state == _READY and owner == pid and self._serial[other] <= serial:
                        self._release(other)
                    elif slot is None and owner != pid and not _alive(owner):
                        # No slot was free for this batch: free those of dead workers
                        # (a loader dropped mid-epoch), ready or left filling, whose
                        # batches nobody will read.
                        self._release(other)


class _Sender:
    """The worker side of a ``SharedBatchify``: what a pool task unpickles and calls."""

    __slots__ = ("batchify",)

    def __init__(self, batchify: SharedBatchify) -> None:
        self.batchify = batchify

    def __call__(self, data: Sequence[Any]) -> Any:
        if os.getpid() == self.batchify._token[0]:  # unpickled where it was made
            return self.batchify(data)
        return self.batchify._send(data)

    def __reduce__(self) -> Tuple[Any, ...]:
        return self.batchify.__reduce__()


class _TooBig(Exception):
    """A batch that does not fit in a slot."""


class _Sent:
    """What a worker sends for a batch: where in the slots it lies (or, without a slot,
    the batch in new shared memory), with the worker's number for it. Unpickled in the
    main process, it becomes the batch."""

    __slots__ = ("token", "pid", "serial", "slot", "batch")

    def __init__(self, token: Tuple[int, int], pid: int, serial: int, slot: Optional[int],
                 batch: Any) -> None:
        self.token, self.pid, self.serial, self.slot, self.batch = token, pid, serial, slot, batch

    def __reduce__(self) -> Tuple[Any, ...]:
        return _receive, (self.token, self.pid, self.serial, self.slot, self.batch)


class _SlotWriter:
    """Hands out aligned room in one slot, field after field; records where."""

    def __init__(self, base: int, size: int) -> None:
        self.base, self.size, self.used = base, size, 0

    def __call__(self, shape: Tuple[int, ...], dtype: np.dtype) -> Tuple[np.ndarray, Spec]:
        offset = self.used
        self.used = offset + -(-_nbytes(shape, dtype) // _ALIGN) * _ALIGN
        if self.used > self.size:
            raise _TooBig()
        return _view(self.base + offset, shape, dtype), (offset, shape, dtype.str)


def _new_ndarray(shape: Tuple[int, ...], dtype: np.dtype,
                 context: mx.Context = _CPU) -> Tuple[np.ndarray, mx.nd.NDArray]:
    out = mx.nd.empty(shape, ctx=context, dtype=dtype)
    return _view(_data_pointer(out.handle), shape, dtype), out


def _new_shared_ndarray(shape: Tuple[int, ...], dtype: np.dtype
                        ) -> Tuple[np.ndarray, mx.nd.NDArray]:
    return _new_ndarray(shape, dtype, _CPU_SHARED)


def _stack_here(data: Sequence[Any]) -> Any:
    """A batch in new NDArrays of this process (Gluon's way in NumPy mode)."""
    _check_batch(data)
    if is_np_array():
        return default_mp_batchify_fn(data)
    return _stack(data, _new_ndarray)


def _check_batch(data: Sequence[Any]) -> None:
    if not len(data):
        raise ValueError("cannot make a batch of no samples")


def _stack(data: Sequence[Any], allocate: Callable[[Tuple[int, ...], np.dtype],
                                                   Tuple[np.ndarray, Any]]) -> Any:
    """Stack ``data`` (samples: arrays, numbers, or tuples of them) field by field into
    memory from ``allocate(shape, dtype) -> (writable view, what stands for it)``."""
    first = data[0]
    if isinstance(first, tuple):
        counts = [len(d) if isinstance(d, tuple) else 1 for d in data]
        if any(count != len(first) for count in counts):
            raise ValueError(f"every sample of a batch must have the same number of fields, "
                             f"but got {counts}")
        return [_stack(field, allocate) for field in zip(*data)]
    arrays = [to_numpy(d) if isinstance(d, mx.nd.NDArray) else np.asarray(d) for d in data]
    shape, dtype = arrays[0].shape, arrays[0].dtype
    for i, array in enumerate(arrays):
        if array.shape != shape or array.dtype != dtype:
            raise ValueError(f"the samples of a batch must have one shape and dtype to be "
                             f"stacked, but sample 0 is {shape} {dtype} and sample {i} is "
                             f"{array.shape} {array.dtype}")
    if dtype not in _MX_DTYPES:
        raise ValueError(f"a batch of {dtype} cannot become an NDArray; cast the field to "
                         f"one of {', '.join(sorted(str(t) for t in _MX_DTYPES))}")
    out, result = allocate((len(arrays),) + shape, dtype)
    for i, array in enumerate(arrays):
        out[i] = array
    return result


def _copy_out(base: int, spec: Spec) -> Any:
    if isinstance(spec, list):
        return [_copy_out(base, field) for field in spec]
    offset, shape, dtype = spec
    view, out = _new_ndarray(shape, np.dtype(dtype))
    if view.size:
        ctypes.memmove(view.ctypes.data, base + offset, view.nbytes)
    return out


class _Lease:
    """A slot lent to a received batch: freed when the last NDArray over it (and every
    slice of one) is gone; when MXNet's own threads let go of it last, at the main
    process's next batch received (``interop.release_deferred``)."""

    __slots__ = ("owner", "slot", "pid")

    def __init__(self, owner: SharedBatchify, slot: int) -> None:
        self.owner, self.slot = owner, slot  # the owner keeps the slots mapped
        self.pid = os.getpid()  # a forked copy of a batch must not free its slot

    def __del__(self) -> None:
        try:
            if os.getpid() == self.pid and self.owner._state[self.slot] == _LENT:
                self.owner._release(self.slot)
        except Exception:  # noqa: BLE001 - at interpreter exit the semaphores may be gone
            pass


class _LeasedMemory:
    """A field of a lent slot as NumPy sees it; holds the lease."""

    __slots__ = ("lease", "__array_interface__")

    def __init__(self, lease: _Lease, address: int, shape: Tuple[int, ...], dtype: str) -> None:
        self.lease = lease
        self.__array_interface__ = {"data": (address, False), "shape": shape,
                                    "typestr": dtype, "version": 3}


def _lendable(spec: Spec) -> bool:
    if isinstance(spec, list):
        return all(_lendable(field) for field in spec)
    _offset, shape, dtype = spec
    return np.dtype(dtype) in _LENDABLE and 0 not in shape


def _lend(base: int, spec: Spec, lease: _Lease) -> Any:
    """The batch as NDArrays over the slot's memory (DLPack), each holding ``lease``."""
    if isinstance(spec, list):
        return [_lend(base, field, lease) for field in spec]
    offset, shape, dtype = spec
    return take_over(np.asarray(_LeasedMemory(lease, base + offset, tuple(shape), dtype)))


def _in_cpu(batch: Any) -> Any:
    if isinstance(batch, list):
        return [_in_cpu(field) for field in batch]
    return batch.as_in_context(_CPU)


def _nbytes(shape: Tuple[int, ...], dtype: np.dtype) -> int:
    return int(np.prod(shape, dtype=np.int64)) * dtype.itemsize


def _view(address: int, shape: Tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A writable NumPy array over ``address``; it must not outlive that memory."""
    size = _nbytes(shape, dtype)
    if not size:
        return np.empty(shape, dtype)
    return np.frombuffer((ctypes.c_char * size).from_address(address), dtype).reshape(shape)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _in_worker(token: Tuple[int, int], slots: int, slot_mb: float,
               keep_freed_memory: bool) -> Any:
    live = _LIVE.get(token)
    if live is not None:
        return _Sender(live)
    # Not inherited (a spawned process, an unpickled copy elsewhere): it stacks into new
    # NDArrays, which Gluon then hands over through new shared memory.
    return _stack_here


def _receive(token: Tuple[int, int], pid: int, serial: int, slot: Optional[int],
             batch: Any) -> Any:
    live = _LIVE.get(token)
    if live is None:
        raise RuntimeError("a batch arrived for a SharedBatchify that no longer exists in "
                           "this process; keep the DataLoader (and its batchify_fn) alive "
                           "while iterating")
    return live._receive(pid, serial, slot, batch)


def _keep_freed_memory(pid: int) -> None:
    if _MALLOC_SET and _MALLOC_SET[-1] == pid:
        return
    _MALLOC_SET.append(pid)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)
