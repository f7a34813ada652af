"""`factcheck eval`, `factcheck calibrate` and `factcheck compare`: parse options, call factcheck.evaluation.

Library errors become one line on stderr and exit code 2 in the root group (``factcheck.cli.common``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from factcheck.device import PRECISION_HELP, Precision
from factcheck.evaluation.calibration import Objective
from factcheck.evaluation.data import BinaryScore, DataSpec, PresetName, Task, parse_label_map
from factcheck.extras import MissingExtraError, require_extra

__all__ = ["calibrate_command", "compare_command", "eval_command", "register"]

# Options shared by `eval` and `calibrate`.
PresetOpt = Annotated[
    Optional[PresetName],
    typer.Option("--preset", help="Built-in adapter: anli (3-way pairs), fnc1 (agree/disagree, documents), summedits (consistent/inconsistent, documents), news-pairs (the checker's verdicts on real news pairs read by people; --data: labels JSONL, default eval/news_pairs/labels.jsonl; --split dev|validation|train)."),
]
DatasetOpt = Annotated[Optional[str], typer.Option("--dataset", help="Hugging Face Hub dataset name instead of --data (needs network or the datasets cache).")]
DatasetConfigOpt = Annotated[Optional[str], typer.Option("--dataset-config", help="Hub dataset configuration (subset) name.")]
SplitOpt = Annotated[Optional[str], typer.Option("--split", help="Hub split (e.g. dev_r1), or the value of a local file's 'split' column (SummEdits: evaluation, test).")]
DomainOpt = Annotated[Optional[str], typer.Option("--domain", help="SummEdits domain when --data is the summedits folder (default: all domains).")]
TaskOpt = Annotated[Optional[Task], typer.Option("--task", help="pairs: one premise/hypothesis pair per row; document: premise is a document, scored in windows (default: the preset's, else pairs).")]
PremiseOpt = Annotated[Optional[str], typer.Option("--premise", help="Premise column (default: the preset's, else 'premise').")]
HypothesisOpt = Annotated[Optional[str], typer.Option("--hypothesis", help="Hypothesis column (default: the preset's, else 'hypothesis').")]
LabelOpt = Annotated[Optional[str], typer.Option("--label", help="Gold label column (default: the preset's, else 'label').")]
IdOpt = Annotated[Optional[str], typer.Option("--id-column", help="Example id column (default: the preset's, else the row number).")]
LabelsOpt = Annotated[
    Optional[str],
    typer.Option("--labels", help="Gold value to model class, e.g. e=entailment,n=neutral,c=contradiction or agree=entailment,disagree=contradiction,discuss=drop."),
]
ScoreOpt = Annotated[Optional[BinaryScore], typer.Option("--score", help="Two-way sets: positive-class score, contradiction = P(contradiction), not_entailment = 1 - P(entailment).")]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", min=1, help="Use only the first N examples (after dropped rows).")]
ModelOpt = Annotated[str, typer.Option("--nli-model", help="NLI model: registry name (default, deberta-v3-base, ...), Hub id or local directory.")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="cpu, cuda, cuda:1 ... (default: a GPU if present).")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="NLI batch size.")]
ObjectiveOpt = Annotated[Objective, typer.Option("--objective", help="What the fitted thresholds maximise on the dev split.")]


def _data_options(
    preset: PresetOpt = None,
    dataset: DatasetOpt = None,
    dataset_config: DatasetConfigOpt = None,
    split: SplitOpt = None,
    domain: DomainOpt = None,
    task: TaskOpt = None,
    premise: PremiseOpt = None,
    hypothesis: HypothesisOpt = None,
    label: LabelOpt = None,
    id_column: IdOpt = None,
    labels: LabelsOpt = None,
    score: ScoreOpt = None,
    limit: LimitOpt = None,
) -> None:
    """The data options `eval` and `calibrate` share, declared once; `_with_data_spec` copies this signature."""


def _spec(data: Path | None, preset: PresetName | None, labels: str | None, **fields) -> DataSpec:
    """The DataSpec the data options describe; ``fields`` are named as DataSpec's fields."""
    return DataSpec(
        path=data,
        preset=preset.value if preset else None,
        labels=parse_label_map(labels) if labels else None,
        **fields,
    )


def _with_data_spec(data_option: typer.models.OptionInfo) -> Callable[[Callable], Callable]:
    """Give a command ``data`` (declared by ``data_option``) and the shared data options, passed to it as ``spec``.

    Typer builds the CLI from the signature, so the wrapper shows ``data``, the shared options,
    then the command's own parameters (all but ``spec``), in that order.
    """
    data = inspect.Parameter(
        "data", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=Annotated[Optional[Path], data_option]
    )
    shared = [data, *inspect.signature(_data_options, eval_str=True).parameters.values()]

    def decorate(command: Callable) -> Callable:
        own = inspect.signature(command, eval_str=True)
        params = [*shared, *(p for name, p in own.parameters.items() if name != "spec")]

        @functools.wraps(command)
        def wrapper(**kwargs):
            options = {p.name: kwargs.pop(p.name) for p in shared}
            try:
                return command(spec=_spec(**options), **kwargs)
            except MissingExtraError as exc:  # "`factcheck eval` needs the eval extra: pip install ..."
                raise exc.for_command(f"factcheck {command.__name__.removesuffix('_command')}") from None

        wrapper.__signature__ = own.replace(parameters=params)
        wrapper.__annotations__ = {p.name: p.annotation for p in params} | {"return": own.return_annotation}
        return wrapper

    return decorate


def _check_model(name: str, device: str | None) -> None:
    """Refuse a bad model name or device before any data or model is loaded."""
    from factcheck.device import check_device
    from factcheck.nli import check_nli_name

    check_nli_name(name)
    check_device(device)


def _load_model(name: str, device: str | None, precision: str = "auto"):
    from factcheck.models import quiet_loading
    from factcheck.nli import load_nli

    with quiet_loading():
        return load_nli(name, device=device, **({} if precision == "auto" else {"precision": precision}))


@_with_data_spec(typer.Option("--data", "--report-on", help="Local file (.jsonl .json .csv .tsv .parquet) or preset folder to report on."))
def eval_command(
    spec: DataSpec,
    nli_model: ModelOpt = "default",
    verify: Annotated[Optional[str], typer.Option("--verify", help="news-pairs: score the cascade with this verifier, as check does (default: large when installed and --nli-model is default; none: no cascade).", show_default=False)] = None,
    small: Annotated[bool, typer.Option("--small", help="news-pairs: score the small judge alone, as check --small does.")] = False,
    device: DeviceOpt = None,
    precision: Annotated[Precision, typer.Option("--precision", help=PRECISION_HELP)] = Precision.auto,
    batch_size: BatchOpt = 32,
    thresholds: Annotated[Optional[Path], typer.Option("--thresholds", help="Apply thresholds saved by `factcheck calibrate` (refused if fitted on the reported data).")] = None,
    fit_on: Annotated[Optional[Path], typer.Option("--fit-on", help="Fit thresholds on this dev file first (same preset and columns); must differ from --report-on.")] = None,
    fit_split: Annotated[Optional[str], typer.Option("--fit-split", help="Fit thresholds on this split of the same source (e.g. evaluation) and report on --split.")] = None,
    objective: ObjectiveOpt = Objective.macro_f1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the bootstrap intervals.")] = 0,
    bootstrap: Annotated[int, typer.Option("--bootstrap", min=0, help="Bootstrap resamples for the 95% intervals (0: none).")] = 1000,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the JSON report here (and a Markdown table beside it).")] = None,
    markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Write the Markdown table here.")] = None,
    plots: Annotated[Optional[Path], typer.Option("--plots", help="Folder for PNG plots (confusion matrix, ROC, reliability).")] = None,
    predictions: Annotated[Optional[Path], typer.Option("--predictions", help="Write per-example predictions (JSONL) here.")] = None,
    shared_data: Annotated[Path, typer.Option("--shared-data", help="news-pairs: the shared data folder the labelled pairs are rebuilt from.")] = Path("../shared/data"),
) -> None:
    """Evaluate an NLI model on labelled data: accuracy, macro-F1, AUCs, calibration, with 95% intervals."""
    from dataclasses import replace

    if spec.preset == "news-pairs":
        from factcheck.nli.cascade import default_verifier

        _news_pairs_eval(spec, nli_model, device, batch_size, thresholds, seed, bootstrap, output, markdown,
                         predictions, shared_data, precision.value, default_verifier(verify, small, nli_model))
        return
    if verify or small:
        from factcheck.errors import InputError

        raise InputError("--verify and --small apply to --preset news-pairs (the checker's judge); "
                         "other sets score one NLI model")

    from factcheck.errors import InputError
    from factcheck.evaluation import (
        calibrate,
        check_disjoint,
        check_thresholds_for,
        evaluate,
        load_eval_set,
        load_thresholds,
        markdown_report,
        write_outputs,
    )

    _check_model(nli_model, device)
    if plots is not None:
        require_extra("matplotlib", "eval", "writing plots")  # before the model loads, not after the run
    report_set = load_eval_set(spec)
    if thresholds is not None and (fit_on is not None or fit_split is not None):
        raise InputError("give either --thresholds or --fit-on/--fit-split, not both")
    fit_set = None
    if fit_on is not None or fit_split is not None:
        fit_spec = replace(spec, path=fit_on if fit_on is not None else spec.path, split=fit_split or spec.split)
        if fit_on is not None:
            fit_spec = replace(fit_spec, dataset=None)
        fit_set = load_eval_set(fit_spec)
        check_disjoint(fit_set.ref, report_set.ref)
    fitted = load_thresholds(thresholds) if thresholds is not None else None
    if fitted is not None:
        check_thresholds_for(fitted, report_set)

    model = _load_model(nli_model, device, precision.value)
    if fit_set is not None:
        fitted = calibrate(model, fit_set, objective=objective, batch_size=batch_size)
    result = evaluate(
        model,
        report_set,
        thresholds=fitted,
        thresholds_path=thresholds,
        batch_size=batch_size,
        seed=seed,
        n_bootstrap=bootstrap,
        device=device,
    )
    written = write_outputs(result, output=output, markdown=markdown, plots=plots, predictions=predictions)
    typer.echo(markdown_report(result.report))
    for kind, path in written.items():
        shown = ", ".join(str(p) for p in path) if isinstance(path, list) else str(path)
        typer.echo(f"{kind}: {shown}", err=True)


def _news_pairs_eval(spec: DataSpec, nli_model: str, device: str | None, batch_size: int, thresholds: Path | None,
                     seed: int, bootstrap: int, output: Path | None, markdown: Path | None, predictions: Path | None,
                     shared_data: Path, precision: str = "auto", verify: str | None = None) -> None:
    """`eval --preset news-pairs`: precision, recall, F0.5, PR-AUC, precision@k and per type, on one split."""
    import json

    from factcheck.errors import InputError
    from factcheck.evaluation.news_eval import DEFAULT_LABELS, evaluate_news, news_markdown, prediction_rows, write_json
    from factcheck.verdict import Thresholds

    labels = spec.path or DEFAULT_LABELS
    if not labels.is_file():
        raise InputError(f"{labels}: no news-pairs labels file (give --data)")
    split = spec.split or "dev"
    if split not in ("dev", "validation", "train", "all"):
        raise InputError(f"--split {split}: news-pairs splits are dev, validation, train or all")
    _check_model(nli_model, device)
    if verify:
        _check_model(verify, device)
    fixed = Thresholds.load(thresholds) if thresholds is not None else None
    model = _load_model(nli_model, device, precision)
    if verify:
        from factcheck.nli.cascade import load_cascade

        model = load_cascade(model, verify, device)
    result, pairs, scores = evaluate_news(model, labels, shared_data, split=None if split == "all" else split,
                                          thresholds=fixed, batch_size=batch_size, n_bootstrap=bootstrap, seed=seed)
    table = news_markdown(result, f"news-pairs {split}: {nli_model}" + (f" verified by {verify}" if verify else ""))
    if output is not None:
        write_json(result, output)
        (markdown or output.with_suffix(".md")).write_text(table, encoding="utf-8")
    elif markdown is not None:
        markdown.write_text(table, encoding="utf-8")
    if predictions is not None:
        rows = prediction_rows(pairs, scores, Thresholds.from_dict(result["thresholds"]))
        predictions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    typer.echo(table)


@_with_data_spec(typer.Option("--data", "--fit-on", help="Local dev file (.jsonl .json .csv .tsv .parquet) or preset folder to fit on."))
def calibrate_command(
    spec: DataSpec,
    nli_model: ModelOpt = "default",
    device: DeviceOpt = None,
    batch_size: BatchOpt = 32,
    objective: ObjectiveOpt = Objective.macro_f1,
    save: Annotated[Optional[Path], typer.Option("--save", help="Where to write the thresholds JSON (default: beside a local model: thresholds.json for a 3-way pairs fit, else thresholds-<dataset>.json).")] = None,
    shared_data: Annotated[Path, typer.Option("--shared-data", help="news-pairs: the shared data folder the labelled pairs are rebuilt from.")] = Path("../shared/data"),
    min_precision: Annotated[float, typer.Option("--min-precision", min=0.0, max=1.0, help="news-pairs: the contradiction threshold gives the highest recall at this precision (else max F0.5).")] = 0.85,
    news_rule: Annotated[str, typer.Option("--news-rule", help="news-pairs: 'precision' (highest recall at --min-precision, else max F0.5) or 'f0.5' (max F0.5).")] = "precision",
) -> None:
    """Fit a temperature and decision thresholds on a dev split and save them with provenance."""
    from factcheck.evaluation import calibrate, load_eval_set, save_calibration

    if spec.preset == "news-pairs":
        _news_pairs_calibrate(spec, nli_model, device, batch_size, save, shared_data, min_precision, news_rule)
        return

    _check_model(nli_model, device)
    dev = load_eval_set(spec)
    model = _load_model(nli_model, device)
    fitted = calibrate(model, dev, objective=objective, batch_size=batch_size)
    path = save_calibration(fitted, getattr(model, "info", None), save)
    fit = fitted.provenance.get("fit", {})
    typer.echo(f"temperature {fitted.temperature:.4g}; {fitted.rule}")
    typer.echo(
        f"on {dev.name} (n = {len(dev.examples)}): NLL {fit.get('nll_before', float('nan')):.4f} -> {fit.get('nll_after', float('nan')):.4f}, "
        f"{objective.value} {fit.get(objective.value + '_before', float('nan')):.4f} -> {fit.get(objective.value + '_after', float('nan')):.4f}"
    )
    typer.echo(f"saved: {path}")


def _news_pairs_calibrate(spec: DataSpec, nli_model: str, device: str | None, batch_size: int, save: Path | None,
                          shared_data: Path, min_precision: float, rule: str = "precision") -> None:
    """`calibrate --preset news-pairs`: the contradiction threshold fitted for precision on the validation split."""
    import json

    from factcheck.errors import InputError
    from factcheck.evaluation.news_eval import (DEFAULT_LABELS, NEWS_RULES, fit_news_thresholds, score_news_pairs,
                                                thresholds_file, write_json)
    from factcheck.evaluation.news_pairs import load_news_pairs
    from factcheck.pipeline import model_thresholds

    if rule not in NEWS_RULES:
        raise InputError(f"--news-rule {rule!r}: use one of {', '.join(NEWS_RULES)}")
    labels = spec.path or DEFAULT_LABELS
    split = spec.split or "validation"
    if split == "dev":
        raise InputError("news-pairs thresholds are never fitted on the dev split; use --split validation")
    _check_model(nli_model, device)
    pairs = load_news_pairs(labels, shared_data, splits=(split,))
    if not pairs:
        raise InputError(f"{labels}: no labelled pairs in split {split!r}")
    model = _load_model(nli_model, device)
    base = model_thresholds(model)
    fitted, fit = fit_news_thresholds(pairs, score_news_pairs(pairs, model, batch_size), base,
                                      min_precision=min_precision, split=split, rule=rule)
    local = getattr(model.info, "local_dir", None)
    path = save or (Path(local) / "thresholds.json" if local else Path("thresholds-news-pairs.json"))
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    write_json(thresholds_file(fitted, fit, previous, model.info.revision), path)
    typer.echo(f"contradiction >= {fitted.contradiction:.3f} (agreement {fitted.agreement:.3f} kept): {fit['objective']}; "
               f"precision {fit['scores']['precision']:.3f}, recall {fit['scores']['recall']:.3f} on n = {len(pairs)}")
    typer.echo(f"saved: {path}")


def compare_command(
    reports: Annotated[list[Path], typer.Argument(help="JSON reports written by `factcheck eval --output` (news-pairs ones too).", show_default=False)],
    markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Also write the table to this file.")] = None,
    predictions: Annotated[Optional[list[Path]], typer.Option("--predictions", help="Each run's prediction file (`factcheck eval --predictions`), one per report in the same order: adds a paired bootstrap of each run's PR-AUC against the first run's, by story when the records name one.", show_default=False)] = None,
    positive: Annotated[str, typer.Option("--positive", help="The label whose PR-AUC the paired comparison measures.")] = "contradiction",
    resamples: Annotated[int, typer.Option("--resamples", help="Bootstrap resamples for the paired comparison.")] = 2000,
) -> None:
    """Put several evaluation runs side by side in one Markdown table; with --predictions, say whether each run
    beats the first on the same pairs (a paired bootstrap interval for the PR-AUC difference)."""
    from factcheck.errors import InputError
    from factcheck.evaluation import compare_markdown, load_report
    from factcheck.evaluation.paired import load_predictions, paired_difference, paired_markdown

    table = compare_markdown([load_report(p) for p in reports])
    if predictions:
        if len(predictions) != len(reports):
            raise InputError(f"--predictions: give one prediction file per report ({len(reports)}), "
                             f"got {len(predictions)}")
        if resamples < 1:
            raise InputError(f"--resamples must be at least 1, got {resamples}")
        runs = [load_predictions(p, positive) for p in predictions]
        diffs = [paired_difference(runs[0], r, positive, resamples) for r in runs[1:]]
        table += "\n" + paired_markdown([p.name for p in predictions], diffs)
    if markdown is not None:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(table, encoding="utf-8")
    typer.echo(table)


_COMMANDS: dict[str, Callable] = {"eval": eval_command, "calibrate": calibrate_command, "compare": compare_command}


def register(app: typer.Typer) -> None:
    """Add `eval`, `calibrate` and `compare` to ``app``."""
    for name, fn in _COMMANDS.items():
        app.command(name)(fn)  # errors become one line in the root group
