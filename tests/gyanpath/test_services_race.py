"""An index reload while the recommender is being built (a content upload while a learner asks for a path): the
request still gets the recommender it built (it used to get None: ``/me/completions`` answered 500 on
``None.catalog``), and the reload's reset is not lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from gyanpath.services import Services
from recommender.service import Recommender
from tests.waiting import wait_until


class LockSpy:
    """A lock that knows which threads have asked for it (and not got it yet)."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock, self.waiting = lock, set[threading.Thread]()

    def __enter__(self) -> bool:
        me = threading.current_thread()
        self.waiting.add(me)
        try:
            return self.lock.acquire()
        finally:
            self.waiting.discard(me)

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_a_reload_during_a_build_never_hands_out_no_recommender(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = Recommender.build
    reloads: list[threading.Thread] = []
    lock = LockSpy(services._recommender_lock)
    monkeypatch.setattr(services, "_recommender_lock", lock)

    def build_while_reloading(*args: Any, **kwargs: Any) -> Any:
        built = real_build(*args, **kwargs)
        reload = threading.Thread(target=services.load_index)
        reload.start()
        # The reload runs now, between the build and the hand-over: it has reached the recommender's lock (and
        # waits there while this build holds it), or it has run to the end.
        wait_until(lambda: reload in lock.waiting or not reload.is_alive(), what="the reload to reach the lock")
        reloads.append(reload)
        return built

    monkeypatch.setattr(Recommender, "build", build_while_reloading)
    got = services.recommender
    assert got is not None and got.catalog.courses
    reloads[0].join(timeout=60)
    assert not reloads[0].is_alive(), "the reload did not finish"
    monkeypatch.setattr(Recommender, "build", real_build)
    assert services.recommender is not got  # the reload's reset took effect: the next request rebuilds
