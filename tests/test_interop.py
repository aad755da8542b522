"""The NDArray boundary: reads and copies through the C extension agree with MXNet's own
calls, and the ctypes path (no extension) gives the same."""
from __future__ import annotations

import os

import mxnet as mx
import numpy as np
import pytest

from gluon_segaug import interop
from gluon_segaug.interop import read, to_ndarray, to_numpy

DTYPES = ["uint8", "int8", "int32", "int64", "float16", "float32", "float64", "bool"]


@pytest.fixture(params=["C", "ctypes"])
def path(request, monkeypatch):
    if request.param == "C":
        if interop._mxview is None:
            reason = "the _mxview extension did not build"
            if os.environ.get("GLUON_SEGAUG_REQUIRE_NATIVE") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
    else:
        monkeypatch.setattr(interop, "_mxview", None)
    return request.param


def values(shape, dtype):
    return (np.arange(int(np.prod(shape))).reshape(shape) % 97 * 1.5).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (4, 5), (4, 5, 3), (2, 3, 4, 2)])
def test_a_read_is_a_read_only_view_of_the_ndarray(path, dtype, shape):
    expected = values(shape, dtype)
    nd = mx.nd.array(expected, dtype=dtype)
    view, context = read(nd)
    assert view.dtype == np.dtype(dtype) and view.shape == shape
    np.testing.assert_array_equal(view, expected)
    assert not view.flags.writeable and context == mx.cpu()
    nd[:] = 0  # a view, not a copy: it sees later writes of the NDArray
    nd.wait_to_read()
    assert not view.any()


def test_a_read_waits_for_pending_writes_and_sees_slices(path):
    base = mx.nd.array(values((64, 64), "float32"))
    result = mx.nd.dot(base, base) + 1  # queued on MXNet's engine
    np.testing.assert_allclose(to_numpy(result), values((64, 64), "float32") @
                               values((64, 64), "float32") + 1, rtol=1e-5)
    part = base[10:20]  # an NDArray at an offset into another's memory
    np.testing.assert_array_equal(to_numpy(part), values((64, 64), "float32")[10:20])


def test_arrays_that_are_not_dense_cpu_memory_are_copied(path):
    dense = values((4, 6), "float32") * (values((4, 6), "float32") > 30)
    sparse = mx.nd.array(dense).tostype("csr")
    view, context = read(sparse)
    np.testing.assert_array_equal(view, dense)
    shared = mx.nd.array(dense, ctx=mx.Context("cpu_shared", 0))
    view, context = read(shared)
    np.testing.assert_array_equal(view, dense)
    assert context == mx.Context("cpu_shared", 0)


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float32", "float64", "bool"])
@pytest.mark.parametrize("shape", [(3,), (5, 7), (5, 7, 3)])
def test_small_results_become_new_ndarrays_with_their_values(path, dtype, shape):
    array = values(shape, dtype)
    out = to_ndarray(array)
    assert isinstance(out, mx.nd.NDArray) and out.context == mx.cpu()
    assert out.dtype == np.dtype(dtype) and out.shape == shape
    np.testing.assert_array_equal(out.asnumpy(), array)
    array[...] = 0  # a copy: the result keeps its values
    assert out.asnumpy().any()
    np.testing.assert_array_equal((out + 1).asnumpy(), (values(shape, dtype) + 1))


def test_the_extension_reports_what_mxnet_reports():
    if interop._mxview is None:
        pytest.skip("the _mxview extension did not build")
    nd = mx.nd.array(values((3, 4, 2), "int32"), dtype="int32")
    shape, code, device, address = interop._mxview.read(nd.handle.value)
    assert shape == nd.shape and device == 0
    assert interop._MX_TO_NP[code] == np.dtype(nd.dtype)
    assert address == interop._data_pointer(nd.handle)
    with pytest.raises(ValueError, match="null handle"):
        interop._mxview.read(0)
    source = values((5, 3), "float32")
    handle = interop._mxview.create((5, 3), code_of("float32"), source)
    made = mx.nd.NDArray(handle=interop.NDArrayHandle(handle))
    assert made.dtype == np.float32 and made.shape == (5, 3)
    np.testing.assert_array_equal(made.asnumpy(), source)
    with pytest.raises(ValueError, match="do not make the 60 bytes"):
        interop._mxview.create((5, 3), code_of("uint8"), source)


def code_of(dtype):
    return interop._NP_TO_MX[np.dtype(dtype)]


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float16", "float32", "float64",
                                   "bool"])
@pytest.mark.parametrize("shape", [(300,), (64, 300), (64, 300, 3)])
def test_large_results_are_taken_over_and_kept_alive_until_mxnet_lets_go(path, dtype, shape):
    import gc
    import sys

    array = values(shape, dtype)
    want = array.copy()
    before = sys.getrefcount(array)
    out = interop.take_over(array)
    assert out.context == mx.cpu() and out.dtype == np.dtype(dtype) and out.shape == shape
    assert not array.flags.writeable  # nobody may write to it now
    assert interop._data_pointer(out.handle) == array.ctypes.data  # the same memory
    assert sys.getrefcount(array) == before + 1  # MXNet's reference
    # An op still running keeps it: the engine's thread lets go, taking the GIL.
    result = out.astype("float64") * 2
    del out
    np.testing.assert_array_equal(result.asnumpy(), want.astype(np.float64) * 2)
    mx.nd.waitall()
    gc.collect()
    interop.release_deferred()  # if an engine thread let go, the next call releases it
    assert sys.getrefcount(array) == before
    assert to_ndarray(values(shape, dtype).copy()).shape == shape  # the to_ndarray path


def test_a_take_over_that_does_not_add_up_is_refused():
    if interop._mxview is None:
        pytest.skip("the _mxview extension did not build")
    import sys

    array = np.zeros((4, 5), np.float32)
    before = sys.getrefcount(array)
    with pytest.raises(ValueError, match="make 40 bytes but the buffer has 80"):
        interop._mxview.take_over(array, (4, 5), 2, 32, 2)
    with pytest.raises(ValueError, match="dimension 0 is not in"):
        interop._mxview.take_over(array, (0, 5), 2, 32, 4)
    assert sys.getrefcount(array) == before  # no reference left behind


def test_an_owner_let_go_of_in_another_thread_is_released_by_the_next_call(path):
    import sys
    import threading

    array = values((64, 300), "float32")
    before = sys.getrefcount(array)

    def use_and_drop():  # MXNet frees it here, in a ctypes call without the GIL
        out = interop.take_over(array)
        (out * 2).wait_to_read()
        del out

    worker = threading.Thread(target=use_and_drop)
    worker.start()
    worker.join()
    interop.release_deferred()  # as the next call into the boundary does
    assert sys.getrefcount(array) == before


def test_the_process_exits_cleanly_while_threads_let_go_of_taken_over_arrays(tmp_path):
    # Daemon threads still freeing NDArrays as Python shuts down must not take the GIL
    # inside MXNet's deleter (Python would end them there, and the process abort).
    import subprocess
    import sys

    script = tmp_path / "exit.py"
    script.write_text(
        "import threading, time, numpy as np, mxnet as mx\n"
        "from gluon_segaug.interop import take_over\n"
        "def loop():\n"
        "    while True:\n"
        "        y = take_over(np.ones(1 << 16, np.float32))\n"
        "        z = y * 2\n"
        "        del y, z\n"
        "for _ in range(2):\n"
        "    threading.Thread(target=loop, daemon=True).start()\n"
        "time.sleep(0.05)\n")
    # The package under test, wherever it is imported from here.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(interop.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_root] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    runs = [subprocess.run([sys.executable, str(script)], capture_output=True, env=env)
            for _ in range(8)]
    assert [run.returncode for run in runs] == [0] * 8, runs[0].stderr.decode()[-2000:]
