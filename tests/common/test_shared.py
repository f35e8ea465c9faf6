"""The documents of one render share what they compute alike (analysis.common.shared)."""

from __future__ import annotations

from analysis.common import shared


def test_within_a_render_the_second_document_reads_what_the_first_computed(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv(shared.ENV_VAR, str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"claims": [len(calls)]}

    assert shared.once("claims", compute) == {"claims": [1]}
    assert shared.once("claims", compute) == {"claims": [1]}
    assert len(calls) == 1


def test_outside_a_render_it_computes_every_time(monkeypatch):
    monkeypatch.delenv(shared.ENV_VAR, raising=False)
    calls = []
    shared.once("claims", lambda: calls.append(1))
    shared.once("claims", lambda: calls.append(1))
    assert len(calls) == 2
