"""Fuzzing every file reader (issue: every file bounded and clear): truncated, bit-flipped and header-altered
model files, checkpoints, CIFAR-10 batches and IDX files, each read in a child process under a 1 GiB address-space
limit. Each file either loads or ends in fcnet's own error (ValueError, TypeError, FileNotFoundError, DatasetError,
naming the file); never a MemoryError, never another exception type."""

import json
import pickle
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fcnet
from fcnet import FullyConnectedNet
from fcnet.data import load_digits, stratified_split
from fcnet.solver import Solver

pytestmark = pytest.mark.slow

CHILD = r"""
import json, sys
import numpy as np
from fcnet import load, saving
from fcnet.data.cifar import load_cifar_batch
from fcnet.data.idx import read_idx
from fcnet.data.fetch import DatasetError
readers = {"model": load, "checkpoint": saving.read_checkpoint, "cifar": load_cifar_batch, "idx": read_idx}
outcomes = []
for reader, path in json.load(sys.stdin):
    try:
        readers[reader](path)
        outcomes.append("loaded")
    except (ValueError, TypeError, FileNotFoundError, DatasetError) as exc:
        outcomes.append("error" if path.split("/")[-1] in str(exc) else "unnamed: " + str(exc)[:200])
    except BaseException as exc:
        outcomes.append(f"{type(exc).__name__}: {str(exc)[:200]}")
print(json.dumps(outcomes))
"""
LIMIT = 1 << 30


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    root = tmp_path_factory.mktemp("originals")
    model = FullyConnectedNet(
        [16], input_dim=64, num_classes=10, seed=0, normalization="batchnorm"
    )
    fcnet.save(model, root / "model.npz")
    data = stratified_split(*load_digits(), val_size=0.15, test_size=0.15, seed=0)
    Solver(
        model,
        data,
        update_rule="adam",
        num_epochs=1,
        batch_size=200,
        seed=0,
        verbose=False,
        progress=False,
        checkpoint_name=str(root / "ck"),
    ).train()
    rng = np.random.default_rng(0)
    with open(root / "cifar", "wb") as f:
        pickle.dump(
            {b"data": rng.integers(0, 256, (5, 3072), dtype=np.uint8), b"labels": [1, 2, 3, 4, 5]},
            f,
            protocol=2,
        )
    header = bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in (4, 28, 28))
    (root / "idx").write_bytes(
        header + rng.integers(0, 256, 4 * 28 * 28, dtype=np.uint8).tobytes()
    )
    return {
        "model": root / "model.npz",
        "checkpoint": root / "ck_epoch_1.npz",
        "cifar": root / "cifar",
        "idx": root / "idx",
    }


def declare_huge(data: bytes, position: float, value: int) -> bytes:
    """An .npz whose member at `position` (a fraction of the member list) declares a shape of `value` x 10^9
    elements in an otherwise valid .npy header, its bytes unchanged."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = sorted(members)[int(position * (len(members) - 1))]
    member = io.BytesIO(members[name])
    np.lib.format.read_magic(member)
    _, fortran, dtype = np.lib.format.read_array_header_1_0(member)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header,
        {
            "descr": np.lib.format.dtype_to_descr(dtype),
            "fortran_order": fortran,
            "shape": (value * 10**9,),
        },
    )
    members[name] = header.getvalue() + members[name][member.tell() :]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member_name, member_bytes in members.items():
            archive.writestr(member_name, member_bytes)
    return out.getvalue()


def mutate(data: bytes, kind: str, position: float, value: int, width: int) -> bytes:
    """kind 'truncate' cuts at a fraction of the file; 'flip' XORs `width` bytes there with `value`; 'header'
    writes a large number into the first 64 bytes (where the .npy, pickle and IDX headers live); 'declare' gives a
    member of an .npz a header declaring billions of elements."""
    if kind == "declare":
        return (
            declare_huge(data, position, value)
            if data[:2] == b"PK"
            else mutate(data, "header", position, value, width)
        )
    at = int(position * (len(data) - 1))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        chunk = bytes(b ^ value for b in data[at : at + width])
        return data[:at] + chunk + data[at + width :]
    at = int(position * min(64, len(data) - 4))
    big = (((value * 0x01010101) | 0x7F000000) & 0xFFFFFFFF).to_bytes(4, "big")
    return data[:at] + big + data[at + 4 :]


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["truncate", "flip", "header", "declare"]),
        st.floats(0, 1),
        st.integers(1, 255),
        st.integers(1, 16),
    ),
    min_size=12,
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutations=MUTATIONS)
def test_every_reader_ends_in_its_own_error_or_loads(originals, tmp_path_factory, mutations):
    work = tmp_path_factory.mktemp("fuzz")
    jobs = []
    for reader, original in originals.items():
        data = Path(original).read_bytes()
        for i, (kind, position, value, width) in enumerate(mutations):
            path = work / f"{reader}-{i}-{kind}{Path(original).suffix}"
            path.write_bytes(mutate(data, kind, position, value, width))
            jobs.append((reader, str(path)))

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))

    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit,
        env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcomes = json.loads(result.stdout)
    bad = [
        (job, outcome)
        for job, outcome in zip(jobs, outcomes)
        if outcome not in ("loaded", "error")
    ]
    assert not bad, bad
