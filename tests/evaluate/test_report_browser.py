"""The HTML report in a real browser: headless Chromium renders it and a screenshot shows the
charts (slow: runs the shipped model on the corpus test split)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str | None:
    found = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    # the test set-up installs Chromium from the system packages where it can
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True,
                   timeout=900, check=False)
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


@pytest.mark.slow
def test_report_opens_in_headless_chromium(tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium here and it cannot be installed from the system packages")
    report = tmp_path / "r.html"
    run = subprocess.run([sys.executable, "-m", "policynlp", "evaluate",
                          str(REPO / "corpora" / "briefs" / "test.jsonl"), "--model",
                          str(REPO / "models" / "policynlp-e5-small"), "--report", str(report),
                          "--json", str(tmp_path / "m.json"), "--bootstrap", "200",
                          "--device", "cpu"], capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-2000:]
    page = report.read_text(encoding="utf-8")
    for fig in ("bars-sectors", "bars-channels", "confusion-risk", "reliability-sectors",
                "reliability-risk", "reliability-risk-channels", "reliability-dual-use", "target-errors", "summary-scores"):
        assert f'id="{fig}"' in page, fig
    assert page.count("data:image/png;base64,") >= 8 and page.count("<h3>") == 20
    shot = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1200,2600", f"--screenshot={shot}", report.as_uri()]
    subprocess.run([browser, *flags], capture_output=True, timeout=180, check=True)
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          report.as_uri()], capture_output=True, text=True, timeout=180).stdout
    assert dom.count("<img") >= 8 and "Risk level confusion matrix" in dom
    import matplotlib.image as mpimg

    pixels = mpimg.imread(str(shot))[..., :3]
    # the bar charts' blue (#4c72b0) is on screen: the embedded images were decoded and drawn
    blue = np.all(np.abs(pixels - np.array([0x4C, 0x72, 0xB0]) / 255) < 0.06, axis=-1)
    assert blue.sum() > 2000, blue.sum()
