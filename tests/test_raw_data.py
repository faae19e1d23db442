"""The raw files are the ones documented in data/README.md, byte for byte."""

import re

import pytest

from multilevel.report.provenance import sha256

from .conftest import RAW, ROOT

README = (ROOT / "data" / "README.md").read_text()
DOCUMENTED = dict(re.findall(r"\| `([\w.]+\.csv)` \|.*\| `([0-9a-f]{64})` \|", README))


def test_every_raw_file_is_documented():
    on_disk = sorted(p.name for p in RAW.iterdir())
    assert on_disk == sorted(DOCUMENTED)


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_checksum_matches_readme(name):
    assert sha256(RAW / name) == DOCUMENTED[name]
