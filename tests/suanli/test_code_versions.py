"""A Python asset's code version is a digest of its code (and of what else defines it, such as
a source's contract): the same code gives the same version, other code another."""

from __future__ import annotations

from suanli.code_versions import code_version


def test_the_version_follows_the_code_and_the_contract() -> None:
    intake = code_version("intake", extra="columns a, b")
    assert intake == code_version("intake", extra="columns a, b")
    assert len(intake) == 12 and int(intake, 16) >= 0
    assert intake != code_version("intake", extra="columns a, b, c")
    assert code_version("report") != code_version("report/assets.py")
