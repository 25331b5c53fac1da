"""Document classifier: windows, pooling, training step, save/load, pipeline use, metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from policynlp.classify.baseline import TfidfBaseline
from policynlp.classify.calibration import fit_platt, fit_temperature, fit_thresholds, sigmoid
from policynlp.classify.labels import LabelSpace
from policynlp.classify.model import ClassifierSettings, DocumentClassifier
from policynlp.classify.scores import TaskScores, Thresholds
from policynlp.evaluate.classification import classification_metrics, expected_calibration_error

RECORDS = [
    {"id": f"r{i}", "lang": "zh" if i % 2 else "en", "text": t,
     "sectors": [s], "risk": {"level": lv, "channels": ch}, "dual_use": {"relevant": du}}
    for i, (t, s, lv, ch, du) in enumerate([
        ("新能源汽车产业发展规划 汽车 电池 充电", "automotive", "low", [], False),
        ("semiconductor export controls on chips and lithography", "semiconductors", "high",
         ["export_controls_security"], True),
        ("汽车 以旧换新 补贴 消费", "automotive", "medium", ["state_support"], False),
        ("chips foundry subsidies and domestic substitution of chips", "semiconductors", "high",
         ["localization"], True),
    ] * 3)]


def _model(folder: Path, **settings: object) -> DocumentClassifier:
    from policynlp.classify.model import load_encoder

    s = ClassifierSettings(encoder=str(folder), prefix="", max_length=6, stride=3, **settings)
    enc, tok = load_encoder(s.encoder)
    return DocumentClassifier(enc, tok, LabelSpace.from_schema(), s)


def test_windows_cover_the_document_with_stride(tiny_encoder_dir: Path) -> None:
    model = _model(tiny_encoder_dir)
    wins = model.windows(["a b c d e f g h i", "汽车"])
    first = [w for d, w in wins if d == 0]
    assert all(len(w) <= 6 for w in first) and len(first) == 3  # 9 tokens, 4 per window, step 3
    assert [d for d, _ in wins].count(1) == 1


def test_training_step_lowers_the_loss_and_save_load_round_trips(tiny_encoder_dir: Path,
                                                                  tmp_path: Path) -> None:
    model = _model(tiny_encoder_dir)
    space = model.space
    y = space.encode(RECORDS)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        lg = model.forward_texts([r["text"] for r in RECORDS])
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(
            lg["sectors"], torch.tensor(y.sectors))
                + torch.nn.functional.cross_entropy(lg["risk"], torch.tensor(y.risk)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0] * 0.7
    model.round_to_storage()
    model.save(tmp_path / "m")
    again = DocumentClassifier.load(tmp_path / "m")
    texts = [r["text"] for r in RECORDS[:4]]
    a, b = model.predict(texts), again.predict(texts)
    np.testing.assert_allclose(a.sectors, b.sectors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.risk, b.risk, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("token_pooling", [False, True])
def test_partial_unfreezing_trains_on_cached_states_that_match_the_full_pass(
        tiny_encoder_dir: Path, tmp_path: Path, token_pooling: bool) -> None:
    model = _model(tiny_encoder_dir, unfreeze_top=1, dropout=0.0, token_pooling=token_pooling)
    if model.heads.tokens is not None:  # token scores that matter, so the check has teeth
        torch.nn.init.normal_(model.heads.tokens.weight, std=0.5)
    model.encoder.requires_grad_(False)
    model._layers()[model.split_at():].requires_grad_(True)
    texts = [r["text"] for r in RECORDS[:4]]
    wins = model.windows(texts)
    states = model.lower_states([w for _, w in wins])
    assert model.split_at() == 1 and len(states) == len(wins)
    model.eval()
    with torch.no_grad():
        full = model.forward_texts(texts)
        cached = model.forward_states(states, [d for d, _ in wins], len(texts))
    for head in full:
        torch.testing.assert_close(full[head], cached[head], rtol=1e-4, atol=1e-5)
    before = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    lg = model.forward_states(states, [d for d, _ in wins], len(texts))
    lg["risk"].sum().backward()
    opt.step()
    after = model.encoder.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(".layer.1." in f".{k}" for k in changed)  # only the top layer moved
    model.round_to_storage()  # saved in float16: the figures fitted after this hold on reload
    model.save(tmp_path / "m")
    again = DocumentClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(model.predict(texts).risk, again.predict(texts).risk, rtol=1e-5,
                               atol=1e-6)
    from safetensors import safe_open

    again.save(tmp_path / "m2")  # packaging re-saves a loaded model: the same layers only
    keys = [set(safe_open(str(tmp_path / m / "encoder.safetensors"), "pt").keys())
            for m in ("m", "m2")]
    assert keys[0] == keys[1] and all(".layer.1." in f".{k}" for k in keys[0])


def test_bring_your_own_encoder_runs_in_analyze(tiny_encoder_dir: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from policynlp.classify.component import write_model_folder
    from policynlp.cli import app

    folder = write_model_folder(tmp_path / "byo", _model(tiny_encoder_dir), name="byo-tiny",
                                version="0", card="# tiny test model\n")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False)
                             for r in RECORDS[:3]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["analyze", str(src), "-o", str(out), "--model",
                                      str(folder), "-q"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(set(r["sector_scores"]) == set(LabelSpace.from_schema().sectors) for r in rows)
    assert all(r["risk"]["level"] in ("low", "medium", "high") for r in rows)
    assert rows[0]["model"]["components"] == ["language", "targets", "classifier", "summary"]


def test_baseline_learns_the_toy_tasks() -> None:
    model = TfidfBaseline(c=10.0).fit(RECORDS)
    s = model.predict(["汽车 补贴", "chips export controls"])
    space = LabelSpace.from_schema()
    assert [space.sectors[i] for i in s.sectors.argmax(1)] == ["automotive", "semiconductors"]
    assert s.dual_use[1] > s.dual_use[0]


def test_temperature_and_thresholds() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, 400)
    logits = (gold * 2 - 1) * 6.0 + rng.normal(0, 4, 400)  # over-confident scores
    t = fit_temperature(logits, gold)
    assert t > 1.2
    assert expected_calibration_error(sigmoid(logits / t), gold) < expected_calibration_error(
        sigmoid(logits), gold)
    thr = fit_thresholds(np.array([[0.2, 0.9], [0.3, 0.8], [0.25, 0.1]]),
                         np.array([[1, 1], [1, 1], [0, 0]]))
    assert thr[0] == pytest.approx(0.3) or thr[0] == pytest.approx(0.2)
    assert thr[1] == pytest.approx(0.5)  # 0.5 separates as well as 0.8: the default is kept


def test_platt_scaling_removes_a_shift_that_temperature_cannot() -> None:
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 2, 600)
    logits = (gold * 2 - 1) * 2.0 + rng.normal(0, 1.5, 600) + 3.0  # shifted up by re-weighting
    t, b = fit_platt(logits, gold)
    assert b < -1.0
    temp = fit_temperature(logits, gold)
    assert expected_calibration_error(sigmoid(logits / t + b), gold) < \
        expected_calibration_error(sigmoid(logits / temp), gold)
    assert fit_platt(np.array([1.0, 2.0]), np.array([1, 1]))[1] == 0.0  # one class: no bias


def test_thresholds_of_rare_labels_are_shared() -> None:
    prob = np.array([[0.9, 0.15], [0.8, 0.1], [0.4, 0.6], [0.3, 0.2], [0.2, 0.7]])
    gold = np.array([[1, 1], [1, 0], [1, 0], [0, 0], [0, 0]])
    own = fit_thresholds(prob, gold)
    shared = fit_thresholds(prob, gold, min_support=2)
    assert own[1] == pytest.approx(0.15)      # fitted on its single positive
    assert shared[1] == pytest.approx(0.4)    # the micro-F1 threshold over all cells
    assert shared[0] == own[0]                # enough positives: its own threshold


def test_every_document_gets_at_least_one_sector() -> None:
    s = TaskScores(sectors=np.array([[0.2, 0.3], [0.9, 0.1]]), risk=np.full((2, 3), 1 / 3),
                   channels=np.zeros((2, 7)), dual_use=np.zeros(2))
    assert s.decide(Thresholds.default(2, 7)).sectors.tolist() == [[0, 1], [1, 0]]


def test_metrics_against_hand_computed_values() -> None:
    space = LabelSpace.from_schema()
    names = {"sectors": space.sectors, "risk_levels": space.risk_levels,
             "channels": space.channels}
    recs = RECORDS[:4]
    gold = space.encode(recs)
    sec = np.zeros((4, 22))
    sec[0, space.sectors.index("automotive")] = 0.9      # TP
    sec[1, space.sectors.index("automotive")] = 0.8      # FP, and a FN (semiconductors)
    sec[2, space.sectors.index("automotive")] = 0.9      # TP
    sec[3, space.sectors.index("semiconductors")] = 0.9  # TP
    risk = np.array([[.8, .1, .1], [.1, .1, .8], [.8, .1, .1], [.1, .1, .8]])  # 3 of 4 right
    scores = TaskScores(sec, risk, np.zeros((4, 7)), np.array([0.1, 0.9, 0.2, 0.4]))
    m = classification_metrics(scores, gold, Thresholds.default(22, 7), names)
    assert m["sectors"]["micro_f1"] == pytest.approx(0.75)   # P 3/4, R 3/4
    assert m["risk"]["accuracy"] == 0.75 and m["risk"]["mae"] == 0.25
    assert m["dual_use"]["precision"] == 1.0 and m["dual_use"]["recall"] == 0.5
    assert m["dual_use"]["auroc"] == 1.0


def test_baseline_saves_to_safetensors_and_reads_text_the_same(tmp_path: Path) -> None:
    model = TfidfBaseline(c=10.0).fit(RECORDS)
    model.save(tmp_path / "ngram")
    again = TfidfBaseline.load(tmp_path / "ngram")
    texts = ["汽车 补贴 充电", "CHIPS export controls", "无关的文字"]
    a, b = model.logits(texts), again.logits(texts)
    for head in a:
        np.testing.assert_allclose(a[head], b[head], atol=2e-3)  # float16 weights
    assert not list(tmp_path.rglob("*.pkl"))


def test_baseline_with_two_risk_levels_scores_three() -> None:
    recs = [r for r in RECORDS if r["risk"]["level"] != "medium"]
    s = TfidfBaseline(c=10.0).fit(recs).predict(["chips export controls", "汽车 电池"])
    assert s.risk.shape == (2, 3)
    assert s.risk[0].argmax() == 2 and s.risk[1].argmax() == 0 and s.risk[:, 1].max() < 0.5


def test_ngram_branch_blends_logits_and_survives_save_load(tiny_encoder_dir: Path,
                                                           tmp_path: Path) -> None:
    model = _model(tiny_encoder_dir)
    texts = [r["text"] for r in RECORDS[:4]]
    encoder_only = model.logits(texts)
    ngram = TfidfBaseline(c=10.0).fit(RECORDS)
    scales = {"sectors": [2.0, 4.0], "risk": [1.0, 1.0], "channels": [1.0, 2.0],
              "dual_use": [0.5, 1.0]}
    model.attach_ngram(ngram, 0.25, scales)
    fused, ng = model.logits(texts), ngram.logits(texts)
    for head, (s_enc, s_ng) in scales.items():
        np.testing.assert_allclose(
            fused[head], 0.75 * encoder_only[head] / s_enc + 0.25 * ng[head] / s_ng, rtol=1e-5,
            atol=1e-6)
    model.save(tmp_path / "m")
    again = DocumentClassifier.load(tmp_path / "m")
    assert again.ngram is not None and again.settings.ngram_weight == 0.25
    np.testing.assert_allclose(again.predict(texts).sectors, model.predict(texts).sectors,
                               atol=1e-3)
    per_head = {"sectors": 0.0, "risk": 0.5, "channels": 0.0, "dual_use": 0.0}
    model.settings.ngram_weight = per_head  # a weight per head: heads at 0 keep the encoder's
    fused = model.logits(texts)
    np.testing.assert_allclose(fused["sectors"], encoder_only["sectors"])
    np.testing.assert_allclose(fused["risk"], 0.5 * encoder_only["risk"] + 0.5 * ng["risk"],
                               rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "mh")
    again = DocumentClassifier.load(tmp_path / "mh")
    assert again.settings.ngram_weight == per_head and again.ngram is not None
    np.testing.assert_allclose(again.logits(texts)["risk"], fused["risk"], atol=1e-3)
    model.settings.ngram_weight = 0.0  # weight 0: the encoder alone, and nothing saved
    np.testing.assert_allclose(model.logits(texts)["risk"], encoder_only["risk"])
    model.save(tmp_path / "m0")
    assert not (tmp_path / "m0" / "ngram").exists()
    assert DocumentClassifier.load(tmp_path / "m0").ngram is None


def test_paired_bootstrap_brackets_the_difference_and_is_zero_for_one_system() -> None:
    from policynlp.evaluate.classification import headline_f1, paired_bootstrap

    space = LabelSpace.from_schema()
    gold = space.encode(RECORDS)
    rng = np.random.default_rng(3)
    noisy = TaskScores(sectors=np.clip(gold.sectors + rng.normal(0, 0.4, gold.sectors.shape),
                                       0, 1),
                       risk=np.eye(3)[(gold.risk + (rng.random(len(RECORDS)) < 0.3)) % 3],
                       channels=np.clip(gold.channels + rng.normal(0, 0.4,
                                                                   gold.channels.shape), 0, 1),
                       dual_use=np.clip(gold.dual_use + rng.normal(0, 0.4, len(RECORDS)), 0,
                                        1)).decide(Thresholds.default(22, 7))
    perfect = TaskScores(gold.sectors.astype(float), np.eye(3)[gold.risk],
                         gold.channels.astype(float), gold.dual_use.astype(float)
                         ).decide(Thresholds.default(22, 7))
    diff = paired_bootstrap(gold, perfect, noisy, rounds=200)
    point = headline_f1(gold, noisy)
    for key, d in diff.items():
        assert d["difference"] == round(1.0 - point[key], 4)
        assert d["low"] <= d["difference"] <= d["high"]
    from policynlp.evaluate.classification import _f1_counts, _f1_from_sums

    counts = _f1_counts(gold, noisy)  # the bootstrap's sums give scikit-learn's figures
    for rows in (np.arange(len(RECORDS)), rng.integers(0, len(RECORDS), len(RECORDS))):
        by_sums, by_sklearn = _f1_from_sums(counts[rows].sum(0)), headline_f1(gold, noisy, rows)
        assert all(abs(by_sums[k] - by_sklearn[k]) < 1e-12 for k in by_sklearn)
    same = paired_bootstrap(gold, noisy, noisy, rounds=50)
    assert all(v == {"difference": 0.0, "low": 0.0, "high": 0.0} for v in same.values())


def test_model_card_states_the_paired_differences_and_the_ece_floor() -> None:
    import sys

    repo = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(repo / "training"))
    from package_model import model_card

    metrics = json.loads((repo / "models" / "policynlp-e5-small" / "metrics.json").read_text(
        encoding="utf-8"))
    metrics["test"]["paired_bootstrap"] = {"model_minus_baseline": {
        "dual_use_f1": {"difference": 0.134, "low": 0.005, "high": 0.274}}}
    card = model_card(metrics, 14.3)
    assert "dual use f1 +0.134 [+0.005, +0.274]" in card
    assert "perfectly calibrated head would score about" in card
    del metrics["test"]["paired_bootstrap"]
    assert "paired bootstrap" not in model_card(metrics, 14.3)


def test_token_pooling_combines_windows_exactly_and_starts_as_mean_pooling(
        tiny_encoder_dir: Path) -> None:
    model = _model(tiny_encoder_dir, token_pooling=True)
    plain = _model(tiny_encoder_dir)
    plain.heads.load_state_dict(
        {k: v for k, v in model.heads.state_dict().items() if not k.startswith("tokens.")})
    texts = [r["text"] for r in RECORDS[:4]]
    a, b = model.logits(texts), plain.logits(texts)  # token scorer at zero: no change
    for head in a:
        np.testing.assert_allclose(a[head], b[head], rtol=1e-5, atol=1e-6)

    torch.manual_seed(0)
    assert model.heads.tokens is not None
    torch.nn.init.normal_(model.heads.tokens.weight)
    hidden = torch.randn(3, 5, model.encoder.config.hidden_size)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 1, 0, 0, 0]])
    with torch.no_grad():
        rows = model.window_features(hidden, mask)
        doc = model.pool(rows, [0, 0, 1], 2)  # windows 0 and 1 are one document
        scores = model.heads.tokens(hidden)
    assert rows.shape[1] == model.feature_width()
    tokens0 = torch.cat([scores[0, :3], scores[1, :5]])  # the real tokens of document 0
    lme0 = torch.logsumexp(tokens0, 0) - np.log(8)
    h = model.encoder.config.hidden_size
    torch.testing.assert_close(doc[0, h:], lme0, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(doc[1, h:], torch.logsumexp(scores[2, :2], 0) - np.log(2),
                               rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(doc[0, :h], (hidden[0, :3].mean(0) + hidden[1].mean(0)) / 2)


def test_ngram_weight_is_chosen_by_dev_cross_validation() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    from train_classifier import _choose_ngram_weight, _cv_score

    gold = LabelSpace.from_schema().encode(RECORDS * 2)
    rng = np.random.default_rng(0)
    sharp = {"sectors": np.where(gold.sectors > 0, 4.0, -4.0),
             "channels": np.where(gold.channels > 0, 4.0, -4.0),
             "risk": np.eye(3)[gold.risk] * 4.0, "dual_use": np.where(gold.dual_use > 0, 4.0,
                                                                       -4.0)}
    noise = {h: rng.normal(0, 4.0, v.shape) for h, v in sharp.items()}
    assert _cv_score(sharp, gold, 1) == 1.0
    assert _cv_score(noise, gold, 1) < 0.8
    weight, _, scales, f1s = _choose_ngram_weight(sharp, noise, gold, [0.0, 0.5, 1.0], 1)
    tried = {w: np.mean(list(f.values())) for w, f in f1s.items()}
    assert weight != 1.0 and tried[1.0] < tried[0.0] == 1.0
    assert set(scales) == set(sharp) and all(s[0] > 0 and s[1] > 0 for s in scales.values())


def test_a_weight_per_head_is_chosen_by_its_task_and_judged_by_nested_cross_validation(
        ) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    from train_classifier import _choose_ngram_weight, _nested_cv

    gold = LabelSpace.from_schema().encode(RECORDS * 3)
    rng = np.random.default_rng(0)
    sharp = {"sectors": np.where(gold.sectors > 0, 4.0, -4.0),
             "channels": np.where(gold.channels > 0, 4.0, -4.0),
             "risk": np.eye(3)[gold.risk] * 4.0,
             "dual_use": np.where(gold.dual_use > 0, 4.0, -4.0)}
    noise = {h: rng.normal(0, 4.0, v.shape) for h, v in sharp.items()}
    # the encoder knows sectors and risk; the n-grams know channels and dual use
    encoder = {h: sharp[h] if h in ("sectors", "risk") else noise[h] for h in sharp}
    ngram = {h: noise[h] if h in ("sectors", "risk") else sharp[h] for h in sharp}
    grid = [0.0, 0.5, 1.0]
    per_head = _choose_ngram_weight(encoder, ngram, gold, grid, 1)[1]
    assert per_head == {"sectors": 0.0, "risk": 0.0, "channels": 1.0, "dual_use": 1.0}
    nested = _nested_cv(encoder, ngram, gold, grid, 1, repeats=1, inner_repeats=1)
    assert nested["per_head"] > nested["shared"] + 0.05
    assert len(nested["chosen"]["per_head"]) == 5
    assert all(w["channels"] == w["dual_use"] == 1.0 and w["risk"] == 0.0
               for w in nested["chosen"]["per_head"])


def test_risk_matrix_scaling_is_used_only_where_it_beats_a_temperature_held_out(
        tiny_encoder_dir: Path, tmp_path: Path) -> None:
    import sys

    from policynlp.classify.calibration import fit_matrix_scaling, matrix_scaled, softmax

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
    from train_classifier import _matrix_scaling_wins

    rng = np.random.default_rng(0)
    z = rng.normal(0, 2.0, (400, 3))
    # miscalibrated per level: the truth weighs the logits differently and shifts one level
    truth = softmax(z * np.array([0.3, 1.5, 0.8]) + np.array([0.0, -1.0, 0.5]))
    y = np.array([rng.choice(3, p=p) for p in truth])
    assert _matrix_scaling_wins(z, y)
    calibrated = softmax(z[:60])  # a calibrated head on few rows: one temperature is enough
    y_cal = np.array([rng.choice(3, p=p) for p in calibrated])
    assert not _matrix_scaling_wins(z[:60], y_cal)
    assert fit_matrix_scaling(z[:10], np.zeros(10, int)) is None  # a level without examples

    wb = fit_matrix_scaling(z, y)
    assert wb is not None
    model = _model(tiny_encoder_dir)
    model.settings.risk_scaling = wb
    logits = {"sectors": np.zeros((400, 22)), "risk": z, "channels": np.zeros((400, 7)),
              "dual_use": np.zeros(400)}
    np.testing.assert_allclose(model.settings.calibrated(logits).risk, matrix_scaled(z, wb))
    model.round_to_storage()
    model.save(tmp_path / "m")
    again = DocumentClassifier.load(tmp_path / "m")
    assert again.settings.risk_scaling == wb
    texts = [r["text"] for r in RECORDS[:4]]
    np.testing.assert_allclose(model.predict(texts).risk, again.predict(texts).risk, rtol=1e-5)
