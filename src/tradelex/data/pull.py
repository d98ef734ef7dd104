"""`tradelex data pull`: download a dataset's newest release from its authority and swap it into the user's store.

The download streams to a temporary file in the store's directory, then is checked before anything is replaced: HTTP
status 200, as many bytes as Content-Length announced, a file that parses (the USITC JSON export or our CSV layout),
every row valid, and not implausibly fewer rows than the data loaded now. Only then does `store.replace_dataset`
swap in a new store, atomically. Any failure raises DataError and leaves the previous store as it was; the temporary
download is always deleted (and one left behind by a killed pull is swept away by the next pull).

The trade datasets that came from the Census international trade API are pulled from it, as JSON that
`tradelex.data.census` reads (or in our CSV layout).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from tradelex.data import store
from tradelex.data.catalog import read_table
from tradelex.data.census import (
    CENSUS_BASE,
    CENSUS_SOURCES,
    CENSUS_URL_ENV,
    table_from_census_json,
    with_api_key,
    without_api_key,
)
from tradelex.data.datasets import HTS_COLUMNS, Dataset
from tradelex.data.registry import find_dataset, importer_for
from tradelex.data.usitc import schedule_from_usitc_json
from tradelex.errors import DataError, InputError

USITC_URL_ENV = "TRADELEX_USITC_URL"
USITC_BASE = "https://hts.usitc.gov"

# Where each dataset's newest release is published: (base, path and query). The base of every USITC entry can be
# replaced with $TRADELEX_USITC_URL (e.g. http://127.0.0.1:8000 for a mirror or a test server).
#
# hts.usitc.gov/reststop/exportList returns the same JSON array as the bulk files (hts_YYYY_revision_N_json.json),
# but only ever for the CURRENT release: pulling `hts_2026_rev10` this way loads whatever revision is current, under
# that dataset's name. The query (from=0101&to=9999&format=JSON&styles=false) is the full-schedule form used by
# several public projects in 2026 (one reports 35,789 rows for 2026 Rev 15); it could not be tried from here.
# Another project reports that the endpoint answers HTTP 400 unless from/to are dotted leaf numbers and styles=true
# (from=0101.21.00&to=9999.00.00&format=JSON&styles=true): if the default fails, pass that with --url.
# The static file of the 2025 Basic Edition is on www.usitc.gov; that host was reported to answer HTTP 403 (Akamai)
# to scripts since June 2026; if so, pull it from a mirror with --url (or TRADELEX_USITC_URL).
#
# The trade datasets that came from the US Census Bureau's international trade API (api.census.gov,
# timeseries/intltrade/imports/hs, CTY_CODE=5700) are pulled from it; their queries are in tradelex.data.census, and
# their base can be replaced with $TRADELEX_CENSUS_URL. $CENSUS_API_KEY, when set, is added to the request only.
DEFAULT_SOURCES: dict[str, tuple[str, str]] = {
    "hts_2026_rev10": (USITC_BASE, "/reststop/exportList?from=0101&to=9999&format=JSON&styles=false"),
    "hts_2025_basic": ("https://www.usitc.gov", "/sites/default/files/tata/hts/hts_2025_basic_edition_json.json"),
    **{name: (CENSUS_BASE, source.query) for name, source in CENSUS_SOURCES.items()},
}

MIN_FRACTION = 0.9  # a new release with fewer than 90% of the rows loaded now is refused
CHUNK = 1 << 16


def _version() -> str:
    try:
        return version("tradelex")
    except PackageNotFoundError:
        return "dev"


# The reststop host was reported to refuse some non-browser user agents (R's libcurl); say who we are in a form
# that such filters usually accept. Not verified against the live host.
USER_AGENT = f"Mozilla/5.0 (compatible; tradelex/{_version()})"
_TEMP_SUFFIX = ".download"
_TEMP_PREFIX = f"{store.STORE_FILE}.pull."


@dataclass(frozen=True)
class PullResult:
    dataset: str
    url: str
    rows: int
    previous_rows: int | None  # rows loaded before (the store's or the bundle's), None when nothing was loaded
    sha256: str  # of the downloaded bytes
    size: int  # bytes downloaded
    store: Path


def default_url(dataset_name: str) -> str | None:
    """The address `pull` downloads from when given none; None when tradelex knows no default for the dataset."""
    source = DEFAULT_SOURCES.get(dataset_name)
    if source is None:
        return None
    base, path = source
    override = os.environ.get(CENSUS_URL_ENV if base == CENSUS_BASE else USITC_URL_ENV)
    return (override.rstrip("/") if override else base) + path


def pull(dataset_name: str, url: str | None = None, *, progress: bool = True, timeout: float = 60) -> PullResult:
    """Download the dataset's newest release (from `url`, else its default address), verify it, and load it.

    `timeout` bounds each network wait (connecting, and every read), in seconds. Raises InputError for an unknown
    dataset or a missing or unusable address, DataError when the download or its checks fail; in both cases the
    store is left as it was.
    """
    dataset = find_dataset(dataset_name)
    address = url or default_url(dataset.name)
    if address is None:
        raise InputError("url", f"no default download address for {dataset.name}; give the file's URL")
    if urllib.parse.urlsplit(address).scheme not in ("http", "https"):
        raise InputError("url", f"expected an http:// or https:// address, got {address!r}")
    request_url = address
    if dataset.name in CENSUS_SOURCES:  # the API key goes into the request only: never shown, logged or recorded
        address, request_url = without_api_key(address), with_api_key(address)

    directory = store.store_path().parent
    directory.mkdir(parents=True, exist_ok=True)
    _sweep_stale_downloads(directory)
    temporary = directory / f"{_TEMP_PREFIX}{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
    try:
        size, digest = _download(address, temporary, progress=progress, timeout=timeout, request_url=request_url)
        table = _parse(dataset, temporary, address)
        previous = _loaded_rows(dataset.name)
        if previous and table.num_rows < MIN_FRACTION * previous:
            raise DataError(
                address,
                f"refusing to replace {previous} rows with {table.num_rows}: the download has fewer than "
                f"{MIN_FRACTION:.0%} of the rows of {dataset.name} loaded now",
            )
        written = store.replace_dataset(dataset, table, address, digest)
    finally:
        temporary.unlink(missing_ok=True)
    return PullResult(dataset.name, address, table.num_rows, previous, digest, size, written)


def _download(
    url: str, target: Path, *, progress: bool, timeout: float, request_url: str | None = None
) -> tuple[int, str]:
    """Stream `url` into `target`; the number of bytes and their SHA-256. Raises DataError on any failure.

    `request_url`, when given, is what is requested (`url` with an API key); errors and the progress bar name `url`.
    """
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    request = urllib.request.Request(request_url or url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # the scheme is checked by pull
    except urllib.error.HTTPError as error:
        error.close()
        raise DataError(url, f"download failed: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        detail = "timed out" if isinstance(reason, TimeoutError | socket.timeout) else str(reason)
        raise DataError(url, f"download failed: {detail}") from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        detail = _describe(error)  # may quote the address requested: show the one without the API key
        detail = detail.replace(request_url, url) if request_url else detail
        raise DataError(url, f"download failed: {detail}") from None
    with response:
        if response.status != 200:
            raise DataError(url, f"download failed: HTTP {response.status} {response.reason} (expected 200)")
        expected = _content_length(url, response.headers.get("Content-Length"))
        digest = hashlib.sha256()
        received = 0
        try:
            with target.open("wb") as handle, _progress_bar(progress, expected, url) as advance:
                while chunk := response.read1(CHUNK):  # read1: whatever has arrived, not a full chunk
                    handle.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    advance(len(chunk))
        except http.client.IncompleteRead as error:
            received += len(error.partial)
            raise DataError(url, _truncated(received, expected)) from None
        except (OSError, http.client.HTTPException) as error:
            raise DataError(url, f"download failed after {received} bytes: {_describe(error)}") from None
    if expected is not None and received != expected:
        raise DataError(url, _truncated(received, expected))
    if received == 0:
        raise DataError(url, "download failed: the server sent an empty file")
    return received, digest.hexdigest()


def _content_length(url: str, header: str | None) -> int | None:
    if header is None:
        return None
    if not header.strip().isdigit():
        raise DataError(url, f"download failed: bad Content-Length {header!r}")
    return int(header)


def _truncated(received: int, expected: int | None) -> str:
    of = f" of the {expected} announced (Content-Length)" if expected is not None else ""
    return f"truncated download: received {received} bytes{of}"


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return str(error) or type(error).__name__


@contextmanager
def _progress_bar(enabled: bool, total: int | None, url: str) -> Iterator[Callable[[int], None]]:
    """A Rich download bar on stderr (sized from Content-Length when given); yields the function that advances it."""
    if not enabled:
        yield lambda count: None
        return
    columns = (TextColumn("downloading"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(url, total=total)
        yield lambda count: bar.advance(task, count)


def _parse(dataset: Dataset, path: Path, url: str) -> pa.Table:
    """The downloaded file read and validated by the dataset's importer; errors name the URL."""
    kind = _sniff(path)
    try:
        if kind == "json":
            if dataset.name in CENSUS_SOURCES:
                return table_from_census_json(dataset.name, path, source=url)
            if dataset.columns != HTS_COLUMNS:
                raise DataError(url, f"got a JSON file, but {dataset.name} is read from CSV")
            return schedule_from_usitc_json(path, source=url)
        if kind == "html":
            raise DataError(url, "got an HTML page, not a JSON or CSV file (an error or login page?)")
        return importer_for(dataset.name)(path)
    except DataError as error:
        if error.file == url:
            raise
        raise DataError(url, error.message, row=error.row, field=error.field) from None


def _sniff(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(512).removeprefix(b"\xef\xbb\xbf").lstrip()
    if start[:1] in (b"[", b"{"):
        return "json"
    if start[:1] == b"<":
        return "html"
    return "csv"


def _loaded_rows(name: str) -> int | None:
    found = read_table(name)
    return None if found is None else int(found[0].num_rows)


def _sweep_stale_downloads(directory: Path) -> None:
    """Delete the temporary downloads of pulls whose process is gone (killed before it could clean up)."""
    for leftover in directory.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
        pid = leftover.name.removeprefix(_TEMP_PREFIX).split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: another user's process
        return True
    return True
