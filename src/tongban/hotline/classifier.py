"""The ticket classifier: jieba words (with the committed domain dictionary) and character
n-grams, TF-IDF, one linear-SVM head (temperature-calibrated confidence) each for the category (R24), the subject leaf
and the department kind.

The department kind's probabilities blend its own head with the subject head's probabilities
summed per kind, so a confident subject carries its department. The model is trained on the
generated examples (`training/tickets.jsonl`) plus operators' confirmed corrections, and its
quality is measured on a held-out split *by template group* (frames the model never saw).
It is stored with joblib under VAR_DIR and trained on demand (a few seconds) when missing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from .training import generate

log = logging.getLogger(__name__)
HEADS = ("category", "subject", "kind")
USERDICT = Path(__file__).resolve().parent / "training" / "userdict.txt"
FORMAT = 2
# frames of every category held out of training for the quality figures (unseen phrasings)
HELD_OUT_FRAMES = {2, 5}

_tokenizer = None
_tokenizer_lock = threading.Lock()


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.load_userdict(str(USERDICT))
                _tokenizer = tok
    return _tokenizer


_PUNCT = set("，。！？、；：“”‘’（）()…,.!?;: \t\r\n")


def tokenize(text: str) -> list[str]:
    """jieba words without punctuation (module level: the stored vectoriser refers to it)."""
    return [w for w in _jieba().lcut(text) if w.strip() and w not in _PUNCT]


def model_path() -> Path:
    default = Path(settings.VAR_DIR) / "hotline" / "classifier.joblib"
    return Path(getattr(settings, "TONGBAN_HOTLINE_MODEL_PATH", default))


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("words", TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                                  sublinear_tf=True)),
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)),
    ])


class TemperatureSVC:
    """A linear SVM whose margins become probabilities by a softmax with one temperature,
    fitted on about a fifth of the data held aside — whole template groups, so the confidence
    reflects unseen phrasings (temperature scaling, Guo et al. 2017): the
    confidence is calibrated and training stays one SVM fit per head (seconds, not minutes
    as per-class sigmoid calibration of 57 classes would take)."""

    GRID = (0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16)

    def __init__(self, c: float = 0.5) -> None:
        self.c = c

    def fit(self, x: Any, y: list[str], groups: list[str] | None = None) -> TemperatureSVC:
        y = np.asarray(y)
        if groups is not None:
            names = sorted(set(groups))
            held = set(names[::5])
            mask = np.array([g in held for g in groups])
            aside, main = np.flatnonzero(mask), np.flatnonzero(~mask)
        else:
            order = np.random.default_rng(7).permutation(len(y))
            aside, main = order[: max(1, len(y) // 5)], order[max(1, len(y) // 5):]
        probe = LinearSVC(C=self.c).fit(x[main], y[main])
        margins = probe.decision_function(x[aside])
        known = np.isin(y[aside], probe.classes_)
        truth = np.searchsorted(probe.classes_, y[aside][known])
        best, self.temperature = None, 4.0
        for t in self.GRID:
            p = _softmax(margins[known] * t)
            loss = -np.mean(np.log(p[np.arange(len(truth)), truth] + 1e-12)) if len(truth) else 0.0
            if best is None or loss < best:
                best, self.temperature = loss, t
        self.svm = LinearSVC(C=self.c).fit(x, y)
        self.classes_ = self.svm.classes_
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        margins = self.svm.decision_function(x)
        if margins.ndim == 1:  # two classes
            margins = np.column_stack([-margins, margins])
        return _softmax(margins * self.temperature)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _head() -> TemperatureSVC:
    return TemperatureSVC()


@dataclass
class Prediction:
    label: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Model:
    features: Any
    heads: dict[str, Any]
    kind_of_subject: dict[str, str]
    metrics: dict[str, Any]
    trained_at: str
    examples: int
    format: int = FORMAT
    data_digest: str = ""  # of training/tickets.jsonl: a model of older data is retrained on load

    def predict(self, text: str) -> dict[str, Prediction]:
        return self.predict_many([text])[0]

    def predict_many(self, texts: list[str]) -> list[dict[str, Prediction]]:
        x = self.features.transform(texts)
        probs: dict[str, np.ndarray] = {h: self.heads[h].predict_proba(x) for h in HEADS}
        kinds = list(self.heads["kind"].classes_)
        to_kind = np.zeros((len(self.heads["subject"].classes_), len(kinds)))
        for i, subject in enumerate(self.heads["subject"].classes_):
            kind = self.kind_of_subject.get(subject)
            if kind in kinds:
                to_kind[i, kinds.index(kind)] = 1.0
        probs["kind"] = 0.5 * probs["kind"] + 0.5 * (probs["subject"] @ to_kind)
        categories = list(self.heads["category"].classes_)
        out = []
        for row, text in enumerate(texts):
            one: dict[str, Prediction] = {}
            for head in HEADS:
                p = probs[head][row]
                if head == "category":
                    p = _cues(text, categories, p)
                classes = self.heads[head].classes_
                order = np.argsort(p)[::-1][:3]
                ranking = [(str(classes[i]), float(p[i])) for i in order]
                one[head] = Prediction(ranking[0][0], ranking[0][1], ranking)
            out.append(one)
        return out


# Explicit words of a speech act decide the category (a caller who says 举报 reports); a
# 举报 without any word of wrongdoing falls back to the model's next category.
CUES = (("举报", ("举报",)), ("表扬", ("表扬", "点赞", "点个赞", "感谢", "谢谢", "致谢")), ("建议", ("建议",)),
        ("咨询", ("请问", "咨询", "问一下", "问下", "想了解", "想知道", "该去哪", "怎么申请",
                 "如何办理")))
WRONGDOING = ("举报", "违法", "违规", "查处", "非法", "无证", "无照", "偷排", "假冒", "假烟", "假酒", "私自",
              "私拉", "过期", "黑作坊", "赌博", "诈骗", "卖烟给")


def _cues(text: str, classes: list[str], p: np.ndarray) -> np.ndarray:
    p = p.copy()
    head = text[:40]
    for category, words in CUES:
        if category in classes and any(w in head for w in words):
            if category == "表扬" and any(w in text for w in ("投诉", "不满", "太差")):
                continue
            p[classes.index(category)] = max(p[classes.index(category)], 0.9)
            return p / p.sum()
    if "举报" in classes and not any(w in text for w in WRONGDOING):
        p[classes.index("举报")] = min(p[classes.index("举报")], 0.05)
        p = p / p.sum()
    return p


def is_held_out(row: dict) -> bool:
    group = row.get("group", "")
    try:
        return int(group.rsplit("-", 1)[1]) in HELD_OUT_FRAMES
    except (IndexError, ValueError):
        return False


def _fit(rows: list[dict], kind_of_subject: dict[str, str]) -> Model:
    texts = [r["text"] for r in rows]
    features = _features()
    x = features.fit_transform(texts)
    heads = {}
    for head in HEADS:
        model = _head()
        model.fit(x, [r[head] for r in rows], groups=[r.get("group", "") for r in rows])
        heads[head] = model
    return Model(features, heads, kind_of_subject, {}, dt.datetime.now(dt.UTC).isoformat(), len(rows))


def evaluate_rows(model: Model, rows: list[dict]) -> dict[str, Any]:
    """Macro-F1 and the per-class table of each head on `rows`."""
    result: dict[str, Any] = {}
    if not rows:
        return result
    predictions = model.predict_many([r["text"] for r in rows])
    for head in HEADS:
        truth = [r[head] for r in rows]
        guess = [p[head].label for p in predictions]
        labels = sorted(set(truth))
        precision, recall, f1, support = precision_recall_fscore_support(truth, guess, labels=labels,
                                                                         zero_division=0)
        result[head] = {
            "macro_f1": float(f1_score(truth, guess, labels=labels, average="macro", zero_division=0)),
            "accuracy": float(np.mean([a == b for a, b in zip(truth, guess, strict=True)])),
            "classes": {lab: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                        for lab, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)},
        }
    return result


def train(extra: list[dict] | None = None, rows: list[dict] | None = None, *, measure: bool = True) -> Model:
    """Fit on the training split, measure on the held-out frames, then refit on everything
    (the stored figures are the held-out ones). `measure=False` (a missing model trained on
    demand) skips the measuring fit."""
    from .taxonomy import LEAVES

    kind_of_subject = {leaf.code: leaf.kind for leaf in LEAVES}
    try:
        from .models import Subject

        kind_of_subject.update(dict(Subject.objects.values_list("code", "department_kind")))
    except Exception:  # no database (a plain script): the default kinds
        log.debug("热线分类：无数据库，使用默认分类表")
    rows = list(rows if rows is not None else generate.load()) + list(extra or [])
    train_rows = [r for r in rows if not is_held_out(r)]
    held = [r for r in rows if is_held_out(r)]
    metrics = evaluate_rows(_fit(train_rows, kind_of_subject), held) if measure else {}
    model = _fit(rows, kind_of_subject)
    model.metrics = metrics
    model.data_digest = data_digest()
    return model


def data_digest() -> str:
    import hashlib

    try:
        return hashlib.sha256(generate.OUTPUT.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return ""


def macro_f1(model: Model, head: str = "kind") -> float:
    return float(model.metrics.get(head, {}).get("macro_f1", 0.0))


def save(model: Model, path: Path | None = None) -> Path:
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp)
    tmp.replace(path)
    _cache.clear()
    return path


_cache: dict[str, Any] = {}
_lock = threading.Lock()


def load(path: Path | None = None, *, train_if_missing: bool = True) -> Model:
    """The stored model (read once per process and file version); trained when missing."""
    path = path or model_path()
    with _lock:
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = None
        cached = _cache.get(str(path))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        model = None
        if stamp is not None:
            try:
                model = joblib.load(path)
                if getattr(model, "format", None) != FORMAT or getattr(model, "data_digest", "") != data_digest():
                    model = None
            except Exception:
                log.warning("热线分类模型文件无法读取，重新训练：%s", path)
                model = None
        if model is None:
            if not train_if_missing:
                raise FileNotFoundError(path)
            model = train(measure=False)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            joblib.dump(model, tmp)
            tmp.replace(path)
            stamp = path.stat().st_mtime_ns
        _cache[str(path)] = (stamp, model)
        return model
