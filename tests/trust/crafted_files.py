"""Builders of crafted spreadsheets, the two shapes of issue 23 that held a web worker for minutes: a sheet
whose XML hides a 90 MB comment yet zips to about 2 MB, and a sheet of 600,000 merged cells."""

import functools
import io
import random
import zipfile

from .test_import_queue import _inline_row, _raw_xlsx, _sheet

COMMENT_MB = 90
CHANGES_PER_COPY = 130  # letters changed in each copy of the comment's block: sets the zipped size


HEADER = ["姓名", "出生日期", "健康", "日期", "开始", "出勤"]
ROWS = [["王秀英", "1950-01-01", "良好", "2026-03-02", "09:00", "✓"]]


@functools.lru_cache(maxsize=1)
def comment_bomb(header: tuple[str, ...] = tuple(HEADER), rows: tuple[tuple[str, ...], ...] = tuple(map(tuple, ROWS))
                 ) -> bytes:
    """A small, valid sheet with a 90 MB XML comment after its rows. The comment is a 24 kB block of random
    letters repeated with a few letters changed each time: deflate finds most of each copy in its 32 kB window,
    so the upload stays near 2 MB (under the zip-bomb guard's 50x ratio) while the XML is 90 MB."""
    rng = random.Random(23)
    block = bytearray(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(24_000))
    parts, size = [], 0
    while size < COMMENT_MB * 2**20:
        for _ in range(CHANGES_PER_COPY):
            block[rng.randrange(len(block))] = rng.choice(b"abcdefghijklmnopqrstuvwxyz")
        parts.append(bytes(block))
        size += len(block)
    body = "".join(_inline_row(n, list(cells)) for n, cells in enumerate([header, *rows], start=1))
    xml = _sheet(body).replace("</sheetData>", "</sheetData><!--" + b"".join(parts).decode() + "-->")
    return _raw_xlsx(xml)


@functools.lru_cache(maxsize=1)
def merged_cells(header: tuple[str, ...] = tuple(HEADER), rows: tuple[tuple[str, ...], ...] = tuple(map(tuple, ROWS)),
                 count: int = 600_000) -> bytes:
    """A small, valid sheet whose merge list has `count` two-cell blocks, 30 to a row, down to row
    count / 30 (20,000: within the rows a sheet may have)."""
    body = "".join(_inline_row(n, list(cells)) for n, cells in enumerate([header, *rows], start=1))
    per_row = 30
    merges = [f"{_column(2 * k)}{1 + i // per_row}:{_column(2 * k + 1)}{1 + i // per_row}"
              for i, k in ((i, i % per_row) for i in range(count))]
    return _raw_xlsx(_sheet(body, merges))


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def instruction_bomb() -> bytes:
    """The comment bomb with its comment turned into a 90 MB XML processing instruction: a shape no check of
    ours names, which only the reader's CPU-time and memory limits stop."""
    with zipfile.ZipFile(io.BytesIO(comment_bomb())) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    files[sheet] = files[sheet].replace(b"<!--", b"<?yure ").replace(b"-->", b"?>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
