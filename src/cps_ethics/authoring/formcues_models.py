"""Trained form adversaries: logistic regression over the options' wording alone, cross-validated by module.

A model sees only the text of each option (never the prompt, the situation or the readings): word and
phrase n-grams, character n-grams and length features. It is trained on the graded decisions of every
other group (a module, or the exam-only bank) and predicts the held-out group, so its figure says how far
the key's voice carries over to questions it never saw. Two models per kind:
- `lr_words`: each option on its own (does this option sound like a key?);
- `lr_within`: the same features minus the decision's mean (does it sound more like a key than its
  neighbours?), a cheap stand-in for a conditional logit.
Multiple-select items get their own models (trained on multiple-select options), which tick the options
they give a probability of at least one half.
"""

from __future__ import annotations

import numpy as np

MODELS = ("lr_words", "lr_within")


def _sklearn():
    try:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - scikit-learn is in the [test] extra
        return None
    return sparse, TfidfVectorizer, LogisticRegression


def available() -> bool:
    return _sklearn() is not None


def _features(groups_of_texts: list[list[str]], names: list | None = None):
    """Sparse matrix, one row per option (in order), and the row ranges of each decision. With `names`, the
    feature names are appended to it."""
    sparse, Tfidf, _ = _sklearn()
    texts = [t for ts in groups_of_texts for t in ts]
    word = Tfidf(analyzer="word", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                 token_pattern=r"(?u)\b\w[\w']*\b|\?")
    char = Tfidf(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=40000)
    rows = []
    for ts in groups_of_texts:
        n = np.array([len(t) for t in ts], float)
        w = np.array([len(t.split()) for t in ts], float)
        rel = n / (n.mean() or 1)
        rank = np.argsort(np.argsort(n)) / max(1, len(ts) - 1)
        for i in range(len(ts)):
            rows.append([np.log1p(n[i]) / 5, np.log1p(w[i]) / 3, rel[i] - 1, rank[i],
                         float(n[i] == n.max()), float(n[i] == n.min()), ts[i].count(",") / 3])
    dense = sparse.csr_matrix(np.array(rows) if rows else np.zeros((0, 7)))
    X = sparse.hstack([word.fit_transform(texts), 0.7 * char.fit_transform(texts), dense]).tocsr()
    if names is not None:
        names += [f"'{w}'" for w in word.get_feature_names_out()] + [f"chars '{c}'" for c in char.get_feature_names_out()]
        names += ["log length", "log words", "length against the decision's mean", "length rank", "is the longest",
                  "is the shortest", "commas"]
    bounds, k = [], 0
    for ts in groups_of_texts:
        bounds.append((k, k + len(ts)))
        k += len(ts)
    return X, bounds


def _centre(X, bounds):
    """Each row minus the mean of its decision's rows (X - A X, A averaging within each decision)."""
    sparse = _sklearn()[0]
    r, c, v = [], [], []
    for a, b in bounds:
        for i in range(a, b):
            for j in range(a, b):
                r.append(i), c.append(j), v.append(1.0 / (b - a))
    A = sparse.csr_matrix((v, (r, c)), shape=(X.shape[0], X.shape[0]))
    return (X - A @ X).tocsr()


def cross_validated(texts: list[list[str]], labels: list[list[int]], groups: list[str]) -> dict[str, list]:
    """{model: [per-decision probability lists]}: each decision scored by a model trained on other groups."""
    if not texts:
        return {m: [] for m in MODELS}
    _, _, LR = _sklearn()
    X, bounds = _features(texts)
    Xc = _centre(X, bounds)
    y = np.array([v for ls in labels for v in ls])
    row_group = np.array([g for g, ts in zip(groups, texts) for _ in ts])
    out = {m: [None] * len(texts) for m in MODELS}
    for g in sorted(set(groups)):
        train, test = row_group != g, row_group == g
        for m, mat in (("lr_words", X), ("lr_within", Xc)):
            if len(set(y[train])) < 2:
                p = np.full(test.sum(), 0.5)
            else:
                model = LR(C=4.0, max_iter=2000, class_weight="balanced", solver="liblinear", dual=True,
                           random_state=0)
                model.fit(mat[train], y[train])
                p = model.predict_proba(mat[test])[:, 1]
            it = iter(p)
            for d, grp in enumerate(groups):
                if grp == g:
                    out[m][d] = [float(next(it)) for _ in texts[d]]
    return out


def telling_terms(texts: list[list[str]], labels: list[list[int]], n: int = 25) -> tuple[list, list]:
    """The features that most mark keys and most mark wrong options, for a model trained on every decision
    (options against their neighbours, as `lr_within`): two lists of (feature, weight)."""
    _, _, LR = _sklearn()
    names: list[str] = []
    X, bounds = _features(texts, names)
    y = np.array([v for ls in labels for v in ls])
    model = LR(C=4.0, max_iter=2000, class_weight="balanced", solver="liblinear", dual=True, random_state=0)
    model.fit(_centre(X, bounds), y)
    w = model.coef_[0]
    order = np.argsort(w)
    return ([(names[i], round(float(w[i]), 2)) for i in order[::-1][:n]],
            [(names[i], round(float(w[i]), 2)) for i in order[:n]])
