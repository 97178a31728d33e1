"""examples/browser: an exported fcnet model classifies a drawing in Debian's headless Chromium with onnxruntime-web
(page served on 127.0.0.1; Chromium driven by playwright-core; nothing leaves the machine)."""

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

PAGE = Path(__file__).resolve().parents[1] / "examples" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PAGE / "node_modules" / "onnxruntime-web").is_dir(),
        reason="run `npm ci` in examples/browser (.ci/run does)",
    ),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() or shutil.which("node") is None,
        reason="needs Debian's chromium and node (.ci/run installs them)",
    ),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The page, its scripts and a freshly exported model, served by a local server on 127.0.0.1."""
    root = tmp_path_factory.mktemp("page")
    for name in ("index.html", "app.mjs"):
        shutil.copy(PAGE / name, root / name)
    (root / "node_modules").symlink_to(PAGE / "node_modules")
    done = subprocess.run(
        [
            sys.executable,
            str(PAGE / "make_model.py"),
            "--dataset",
            "digits",
            "--epochs",
            "20",
            "--out",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Quiet, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_the_page_classifies_a_drawing_as_fcnet_does(served, tmp_path):
    from fcnet.data import load_digits
    from fcnet.export.onnx_model import OnnxModel

    root, url = served
    X, y = load_digits()
    images = tmp_path / "images.json"
    images.write_text(json.dumps(X[:8].tolist()))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "browser-page.png"  # kept after the run, for a person to look at
    done = subprocess.run(
        ["node", str(PAGE / "drive.mjs"), url, str(images), str(shot)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=PAGE,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == [] and result["side"] == 8
    model = OnnxModel(root / "model.onnx")  # the file the page ran, through onnxruntime for Python
    np.testing.assert_allclose(result["classified"], model.predict_proba(X[:8]), atol=1e-5)
    assert np.mean(np.argmax(result["classified"], axis=1) == y[:8]) >= 0.75
    drawn = np.array(result["drawn"]["input"], dtype=np.float32)
    assert drawn.shape == (64,) and drawn.max() > 0.5  # the stroke reached the network's input
    expected = model.predict_proba(drawn[None])[0]
    np.testing.assert_allclose(result["drawn"]["probabilities"], expected, atol=1e-5)
    names = json.loads((root / "model.json").read_text())["class_names"]
    assert result["drawn"]["answer"].startswith(names[int(np.argmax(expected))] + " (")
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:4] == b"\x89PNG"

    # A real test image painted on the pad: the page shows what `fcnet predict` prints for the pixels it fed.
    painted = np.array(result["painted"]["input"], dtype=np.float32)
    # the pad gives the image back, softened by the browser's smooth downscaling
    assert np.corrcoef(painted, X[0])[0, 1] > 0.9 and np.abs(painted - X[0]).mean() < 0.1
    np.save(tmp_path / "painted.npy", painted[None])
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "fcnet",
            "predict",
            str(root / "model.onnx"),
            str(tmp_path / "painted.npy"),
            "--top",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr
    # "painted.npy[0]: 0  (0: 0.981, 6: 0.012, ...)": the class, then the top three with their probabilities
    head, _, rest = printed.stdout.strip().partition("  (")
    top = [item.split(": ") for item in rest.rstrip(")").split(", ")]
    shown = result["painted"]["rows"][:3]
    assert result["painted"]["answer"].startswith(head.split(": ")[-1] + " (")
    assert [row[0] for row in shown] == [name for name, _ in top]
    for row, (_, p) in zip(shown, top):
        assert abs(float(row[2].rstrip("%")) / 100 - float(p)) <= 1e-3 + 1e-9
