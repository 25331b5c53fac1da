"""Scoring a file into a file, resumably.

Every output line is written and flushed as soon as its chunk is scored, so a killed job leaves
complete lines and at most one partial last line. ``resume=True`` drops that partial line,
counts the complete ones, checks that the last of them belongs to the same input record, and
continues with the next input record: nothing is lost and nothing is written twice.

Example:
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> _ = p.write_bytes(b'{"id": "a"}\\n{"id": "b"}\\n{"id": "c", "sec')
    >>> completed_output(p)
    (2, 'b')
    >>> p.read_bytes()
    b'{"id": "a"}\\n{"id": "b"}\\n'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from policynlp.data import Analysis
from policynlp.engine.engine import EngineStats, ScoringEngine
from policynlp.errors import ResumeError
from policynlp.io import infer_output_format, open_writer, read_documents
from policynlp.io.records import InputItem


def completed_output(path: str | Path) -> tuple[int, str | None]:
    """Complete lines of a JSONL output and the id of the last one; cuts a partial last line.

    Reads the file in blocks, so a 10-million-line output is never held in memory.
    """
    path = Path(path)
    count, last_newline, offset = 0, -1, 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            n = block.count(b"\n")
            if n:
                count += n
                last_newline = offset + block.rindex(b"\n")
            offset += len(block)
    if last_newline + 1 < offset:  # a line the killed job did not finish
        with path.open("r+b") as fh:
            fh.truncate(last_newline + 1)
    if count == 0:
        return 0, None
    with path.open("rb") as fh:
        start = max(0, last_newline - (1 << 20))
        fh.seek(start)
        tail = fh.read(last_newline - start)
    line = tail.rsplit(b"\n", 1)[-1]
    try:
        return count, str(json.loads(line)["id"])
    except (ValueError, KeyError, TypeError):
        raise ResumeError(f"the last complete line of {path} is not an output record",
                          path=str(path)) from None


def score_file(engine: ScoringEngine, input: str | Path, output: str | Path, *,
               input_format: str = "auto", resume: bool = False,
               on_record: Callable[[Analysis, EngineStats], None] | None = None) -> EngineStats:
    """Score every record of ``input`` into ``output`` (JSONL or Parquet), in input order.

    Args:
        engine: the scoring engine.
        input: JSONL, Parquet, a folder of texts or a brief.
        output: ``.jsonl`` (resumable) or ``.parquet``.
        input_format: the reader to use (``auto`` infers it from the path).
        resume: continue a killed job from where ``output`` stops (JSONL only).
        on_record: called after each record is written (progress bars).

    Returns:
        The job's statistics (documents, errors, tokens, padding efficiency, time).

    Raises:
        ResumeError: the output cannot be resumed (Parquet, or not this input's output).
    """
    items: Iterator[InputItem] = read_documents(input, input_format)  # type: ignore[arg-type]
    append = False
    if resume and Path(output).is_file() and str(output) != "-":
        if infer_output_format(output) != "jsonl":
            raise ResumeError("only JSONL output can be resumed", path=str(output),
                              hint="Write .jsonl to make a job resumable.")
        done, last_id = completed_output(output)
        if done:
            skipped = list(islice(items, done - 1, done))  # consumes the first `done` items
            if not skipped:
                raise ResumeError(f"{output} holds {done} records but {input} has fewer",
                                  path=str(output))
            if skipped[0].id != last_id:
                raise ResumeError(
                    f"record {done} of {input} has id {skipped[0].id!r} but the last "
                    f"line of {output} has id {last_id!r}: the output is not from this input",
                    path=str(output), hint="Resume with the same input, or start afresh.")
        append = True
    writer = open_writer(output, append=append)
    try:
        for analysis in engine.score(items):
            writer.write(analysis)
            if on_record is not None:
                on_record(analysis, engine.stats)
    finally:
        writer.close()
    return engine.stats


__all__ = ["completed_output", "score_file"]
