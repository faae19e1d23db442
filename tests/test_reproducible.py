"""Two builds from the same inputs give byte-identical tables, figures, report.html and PDF."""

import hashlib
import re

import pytest
import yaml

from .helpers import ROOT
from .workflow import make_workdir, run

pytestmark = pytest.mark.slow

ARTIFACTS = ("*.json", "*.svg", "*.png", "*.parquet", "*.html", "*.pdf")


def digests(workdir):
    out = {}
    for pattern in ARTIFACTS:
        for base in ("results", "reports"):
            for path in (workdir / base).rglob(pattern):
                # Screenshots are the browser's; the caches keep build times for scheduling.
                if "screenshots" in path.parts or "cache" in path.parts:
                    continue
                out[str(path.relative_to(workdir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_second_build_is_byte_identical(built_hs, tmp_path):
    html = (built_hs / "reports" / "hs" / "report.html").read_text()
    built_on = re.search(r"<dt>Built</dt><dd>(\d{4}-\d{2}-\d{2})</dd>", html).group(1)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["report"]["pin_date"] = built_on  # the one line that may differ, pinned
    again = make_workdir(tmp_path / "again", config)
    result = run(again)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = digests(built_hs), digests(again)
    assert set(first) == set(second)
    differing = sorted(k for k in first if first[k] != second[k])
    assert not differing, differing
    assert len(first) >= 8
