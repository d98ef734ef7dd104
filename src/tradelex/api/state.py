"""What the server loads once per process: the rule pack, its compiled rate tables, and recent answers.

Loading the pack takes about a second and compiling it longer; a request must never pay for either. Rate answers
are cached by their query and by today's date (an answer's warnings about later knowledge depend on today), so a
repeated query costs a dictionary look-up instead of an evaluation.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from tradelex.engine.compile import CompiledPack, compile_pack
from tradelex.engine.line import Line
from tradelex.engine.mfn import INSTALLED_MFN
from tradelex.engine.reference import evaluate_line
from tradelex.errors import TradelexError
from tradelex.rules.loader import load_bundled_pack, load_pack
from tradelex.rules.model import Pack

log = logging.getLogger("tradelex.api")
RATE_CACHE_SIZE = 4096
ANALYSIS_CACHE_SIZE = 32  # averages and scenario runs take seconds to compute and are few
COMPILED_AS_KNOWN_ON = 4


def json_bytes(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


T = TypeVar("T")


class AnswerCache(Generic[T]):
    """A bounded least-recently-used map from a query to its answer; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[object, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object) -> T | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: object, answer: T) -> None:
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def get_or_compute(self, key: object, compute: Callable[[], T]) -> T:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
        answer = compute()  # outside the lock: two threads may compute the same answer, never a wrong one
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


class PackState:
    """The pack of this server, loaded on first use, and its compiled tables."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.rates: AnswerCache[bytes] = AnswerCache(RATE_CACHE_SIZE)
        self.analyses: AnswerCache[object] = AnswerCache(ANALYSIS_CACHE_SIZE)
        self._lock = threading.Lock()
        self._compiled: OrderedDict[tuple[date | None, bool], CompiledPack] = OrderedDict()

    @cached_property
    def pack(self) -> Pack:
        return load_pack(self.path) if self.path else load_bundled_pack()

    def warm(self) -> None:
        """Load what the first rate answer would otherwise load (the schedules behind the MFN layer)."""
        try:
            line = Line.parse(code="6109.10.0012", origin="CN", date=date.today())
            evaluate_line(self.pack, line, mfn=INSTALLED_MFN)
        except TradelexError as error:  # another pack may not know this line: nothing to warm then
            log.info("rate path not warmed: %s", error)

    def compiled(self, as_known_on: date | None = None, as_collected: bool = False) -> CompiledPack:
        """The rate table as known on each entry's date (None), or on one day, or as customs collected it (see
        compile_pack), compiled once per process."""
        key = (as_known_on, as_collected)
        with self._lock:
            found = self._compiled.get(key)
            if found is None:
                found = compile_pack(self.pack, as_known_on=as_known_on, as_collected=as_collected)
                self._compiled[key] = found
                if len(self._compiled) > COMPILED_AS_KNOWN_ON + 2:
                    oldest = next(k for k in self._compiled if k[0] is not None)
                    del self._compiled[oldest]
            return found
