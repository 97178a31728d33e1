"""`fcnet report`: the page opens in Debian's headless Chromium (served on 127.0.0.1) with no console error and
every image loaded, and asks for nothing outside its own file; a screenshot is kept in test-artifacts/."""

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "examples" / "browser"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PAGE / "node_modules" / "playwright-core").is_dir(),
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


def test_the_report_renders_in_chromium_with_every_image(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fcnet",
            "train",
            "--epochs",
            "4",
            "--dropout",
            "0.5",
            "--out",
            "run",
            "--quiet",
        ],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "fcnet", "report", "run"],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path / "run"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/report.html"
        opened = subprocess.run(
            ["node", str(PAGE / "open_page.mjs"), url, str(shot)],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=PAGE,
        )
    finally:
        server.shutdown()
    assert opened.returncode == 0, opened.stderr
    page = json.loads(opened.stdout)
    assert page["consoleErrors"] == [] and page["pageErrors"] == [] and page["outside"] == []
    alts = [image["alt"] for image in page["images"]]
    assert all(image["loaded"] for image in page["images"]), page["images"]
    assert {
        "curves",
        "activations per layer",
        "update ratios and gradient norms",
        "confusion matrix",
        "most confidently misclassified",
        "first-layer weights",
    } <= set(alts)
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 50_000


def test_a_search_report_has_the_trials_the_pruned_ones_and_the_best_trial(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fcnet",
            "search",
            "--trials",
            "4",
            "--epochs",
            "2",
            "--pruner",
            "median",
            "--out",
            "search",
        ],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "fcnet", "report", "search"],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "search" / "report.html").read_text()
    for heading in (
        "Trials, best first",
        "Pruned trials",
        "The best trial",
        "Per class (test split)",
    ):
        assert heading in page
    assert page.count('src="data:image/png;base64,') >= 4
