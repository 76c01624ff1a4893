"""An index reload while the recommender is being built (a content upload while a learner asks for a path): the
request still gets the recommender it built (it used to get None: ``/me/completions`` answered 500 on
``None.catalog``), and the reload's reset is not lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gyanpath.services import Services
from recommender.service import Recommender


def test_a_reload_during_a_build_never_hands_out_no_recommender(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = Recommender.build
    reloads: list[threading.Thread] = []

    def build_while_reloading(*args: Any, **kwargs: Any) -> Any:
        built = real_build(*args, **kwargs)
        reload = threading.Thread(target=services.load_index)
        reload.start()
        reload.join(timeout=0.5)  # the reload runs now, between the build and the hand-over
        reloads.append(reload)
        return built

    monkeypatch.setattr(Recommender, "build", build_while_reloading)
    got = services.recommender
    assert got is not None and got.catalog.courses
    reloads[0].join(timeout=10)
    monkeypatch.setattr(Recommender, "build", real_build)
    assert services.recommender is not got  # the reload's reset took effect: the next request rebuilds
