"""A small model-formula language: formula text -> design columns.

Supported (a subset of R's model formulae, written from the documented semantics):

* ``y ~ a + b``: terms separated by ``+``; ``- term`` removes a term;
* ``1`` / ``0`` / ``-1``: intercept in or out (an intercept is implied unless removed);
* ``a:b``: interaction (elementwise product of the columns of a and b);
* ``a*b``: ``a + b + a:b``; parentheses group, e.g. ``(a + b)*c``;
* ``cvar(x)``: the cluster mean of x; ``dvar(x)``: x minus its cluster mean
  (the cluster is the model's grouping factor);
* names made of letters, digits, ``_`` and ``.``; other names can be quoted with backticks.

Numeric columns give one column each.  Categorical columns (pandas Categorical, in their
category order; object/string columns, with their sorted unique values; booleans, with FALSE
before TRUE) are coded like R: a factor F inside a term T is coded by treatment contrasts
(first level the reference) when the term T without F is also in the model (the empty
term being the intercept), and by one indicator per level otherwise.  Column names are
R's: ``(Intercept)``, ``ses``, ``SectorPublic``, ``ses:SectorPublic``.  Terms are
ordered by their order (main effects, then two-way interactions, ...), then by first
appearance, as R's ``terms()`` does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import MixedModelError

INTERCEPT = "(Intercept)"

_TOKEN = re.compile(r"\s*(?:(`[^`]+`)|([A-Za-z_.][A-Za-z0-9_.]*)|(\d+(?:\.\d*)?)|([~+\-*:()]))")


def _tokenize(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise MixedModelError(
                f"cannot parse formula {text!r} at position {pos}: {text[pos : pos + 10]!r}"
            )
        out.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return out


@dataclass(frozen=True)
class Var:
    """One variable of a formula: a data column, or cvar()/dvar() of one."""

    kind: str  # "col", "cvar" or "dvar"
    column: str

    @property
    def label(self) -> str:
        return self.column if self.kind == "col" else f"{self.kind}({self.column})"


@dataclass
class _TermSet:
    """The value of a formula sub-expression: an ordered set of terms plus intercept flag."""

    terms: list[frozenset] = field(default_factory=list)
    intercept: bool | None = None  # None: not mentioned


class _Parser:
    def __init__(self, tokens: list[str], text: str):
        self.toks = tokens
        self.i = 0
        self.text = text
        self.order: dict[Var, int] = {}

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            want = f"{expected!r}" if expected else "more input"
            raise MixedModelError(
                f"cannot parse formula {self.text!r}: expected {want}, found {tok!r}"
            )
        self.i += 1
        return tok

    def expr(self) -> _TermSet:
        sign = 1
        if self.peek() == "-":
            self.take()
            sign = -1
        result = _TermSet()
        self._merge(result, self.product(), sign)
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            self._merge(result, self.product(), sign)
        return result

    @staticmethod
    def _merge(acc: _TermSet, part: _TermSet, sign: int) -> None:
        if part.intercept is not None:
            acc.intercept = part.intercept if sign > 0 else not part.intercept
        for t in part.terms:
            if sign > 0 and t not in acc.terms:
                acc.terms.append(t)
            elif sign < 0 and t in acc.terms:
                acc.terms.remove(t)

    def product(self) -> _TermSet:
        left = self.interaction()
        while self.peek() == "*":
            self.take()
            right = self.interaction()
            left = self._cross(left, right, keep_main=True)
        return left

    def interaction(self) -> _TermSet:
        left = self.atom()
        while self.peek() == ":":
            self.take()
            right = self.atom()
            left = self._cross(left, right, keep_main=False)
        return left

    def _cross(self, a: _TermSet, b: _TermSet, keep_main: bool) -> _TermSet:
        if a.intercept is not None or b.intercept is not None:
            raise MixedModelError(f"formula {self.text!r}: 0/1 cannot be used in an interaction")
        out = _TermSet()
        if keep_main:
            out.terms.extend(a.terms)
            out.terms.extend(t for t in b.terms if t not in out.terms)
        for ta in a.terms:
            for tb in b.terms:
                t = ta | tb
                if t not in out.terms:
                    out.terms.append(t)
        return out

    def atom(self) -> _TermSet:
        tok = self.take()
        if tok == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if tok in ("0", "1"):
            return _TermSet(intercept=tok == "1")
        if tok[0].isdigit():
            raise MixedModelError(f"formula {self.text!r}: unexpected number {tok!r}")
        if tok in "~+-*:)":
            raise MixedModelError(f"cannot parse formula {self.text!r}: unexpected {tok!r}")
        name = tok[1:-1] if tok.startswith("`") else tok
        if self.peek() == "(" and not tok.startswith("`"):
            if name not in ("cvar", "dvar"):
                raise MixedModelError(
                    f"formula {self.text!r}: unknown function {name!r} (only cvar() and "
                    "dvar() are supported)"
                )
            self.take("(")
            arg = self.take()
            if arg in "~+-*:()" or arg[0].isdigit():
                raise MixedModelError(f"formula {self.text!r}: {name}() needs a column name")
            arg = arg[1:-1] if arg.startswith("`") else arg
            self.take(")")
            var = Var(name, arg)
        else:
            var = Var("col", name)
        self.order.setdefault(var, len(self.order))
        return _TermSet(terms=[frozenset([var])])


@dataclass
class ParsedFormula:
    response: str | None
    intercept: bool
    terms: list[tuple[Var, ...]]  # each term's variables in order of first appearance


def parse_formula(text: str, response: bool) -> ParsedFormula:
    """Parse ``"y ~ rhs"`` (response=True) or ``"~ rhs"`` (response=False)."""
    if not isinstance(text, str):
        raise MixedModelError(f"a formula must be a string, not {type(text).__name__}")
    parsed = _parse_text(text, bool(response))
    return ParsedFormula(parsed.response, parsed.intercept, list(parsed.terms))


# A Monte Carlo study parses the same two formulas for each of its hundreds of fits; the
# callers get a copy of the cached parse (its terms are tuples of frozen Vars).
@functools.lru_cache(maxsize=256)
def _parse_text(text: str, response: bool) -> ParsedFormula:
    toks = _tokenize(text)
    if "~" not in toks:
        if response:
            raise MixedModelError(f"formula {text!r} needs a '~' (e.g. 'y ~ x')")
        toks = ["~", *toks]
    k = toks.index("~")
    lhs, rhs = toks[:k], toks[k + 1 :]
    resp = None
    if response:
        if len(lhs) != 1 or lhs[0] in "~+-*:()":
            raise MixedModelError(f"formula {text!r}: the response must be one column name")
        resp = lhs[0][1:-1] if lhs[0].startswith("`") else lhs[0]
    elif lhs:
        raise MixedModelError(f"random-effects formula {text!r} must not have a response")
    if not rhs:
        raise MixedModelError(f"formula {text!r} has no right-hand side")
    p = _Parser(rhs, text)
    ts = p.expr()
    if p.peek() is not None:
        raise MixedModelError(f"cannot parse formula {text!r}: unexpected {p.peek()!r}")
    intercept = True if ts.intercept is None else ts.intercept
    terms = [tuple(sorted(t, key=p.order.__getitem__)) for t in ts.terms]
    # R's terms(): by order (number of variables), stable otherwise
    terms.sort(key=len)
    return ParsedFormula(resp, intercept, terms)


# ----------------------------------------------------------------------------- data side


@dataclass
class Factor:
    codes: np.ndarray  # int, -1 never (missing rows are dropped first)
    levels: list[str]


def _missing(s: pd.Series) -> np.ndarray:
    """s.isna() as an array; numpy floats, integers, booleans and categoricals directly
    (several times faster than pandas' isna on the short columns of a simulation)."""
    if isinstance(s.dtype, np.dtype):
        if s.dtype.kind == "f":
            return np.isnan(s.to_numpy())
        if s.dtype.kind in "iub":
            return np.zeros(len(s), dtype=bool)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy() == -1
    return s.isna().to_numpy()


def _is_categorical(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(s.dtype)
        or not pd.api.types.is_numeric_dtype(s.dtype)
    )


def _as_factor(s: pd.Series) -> Factor:
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.cat.codes, dtype=np.intp)
        return Factor(codes, [str(c) for c in s.cat.categories])
    if pd.api.types.is_bool_dtype(s.dtype):
        codes = np.asarray(s, dtype=bool).astype(np.intp)
        return Factor(codes, ["FALSE", "TRUE"])
    codes, uniques = pd.factorize(s, sort=True)
    return Factor(np.asarray(codes, dtype=np.intp), [str(u) for u in uniques])


@dataclass
class Design:
    """Model matrices, stored column by column (None stands for a column of ones)."""

    response: str
    group: str
    y: np.ndarray
    columns: dict[str, np.ndarray | None]
    x_names: list[str]
    z_names: list[str]
    x_assign: list[int]  # term index (0 = intercept) of each X column
    x_term_labels: list[str]
    codes: np.ndarray  # cluster index of each row, 0..J-1
    labels: pd.Index  # cluster labels, in cluster-index order
    n_dropped: int
    fixed_formula: str
    random_formula: str
    row_index: pd.Index  # data-frame index of the rows used

    @property
    def n_obs(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_groups(self) -> int:
        return int(len(self.labels))

    def column(self, name: str) -> np.ndarray:
        col = self.columns[name]
        return np.ones(self.n_obs) if col is None else col

    def matrix(self, names: list[str]) -> np.ndarray:
        out = np.empty((self.n_obs, len(names)))
        for k, nm in enumerate(names):
            out[:, k] = self.column(nm)
        return out


def _vars_of(parsed: ParsedFormula) -> list[Var]:
    seen: list[Var] = []
    for t in parsed.terms:
        for v in t:
            if v not in seen:
                seen.append(v)
    return seen


def _term_columns(
    term: tuple[Var, ...],
    term_set: set[frozenset],
    intercept: bool,
    values: dict[Var, np.ndarray | Factor],
) -> list[tuple[str, np.ndarray]]:
    """The columns of one term, with R's names and R's factor coding."""
    pieces: list[list[tuple[str, np.ndarray | tuple[np.ndarray, int]]]] = []
    for v in term:
        val = values[v]
        if isinstance(val, Factor):
            rest = frozenset(term) - {v}
            contrasts = intercept if not rest else rest in term_set
            levels = range(1, len(val.levels)) if contrasts else range(len(val.levels))
            pieces.append([(v.label + val.levels[k], (val.codes, k)) for k in levels])
        else:
            pieces.append([(v.label, val)])
    cols: list[tuple[str, np.ndarray]] = [("", None)]  # type: ignore[list-item]
    for piece in pieces:  # first variable varies fastest, as in R
        new = []
        for nm_b, b in piece:
            for nm_a, a in cols:
                if isinstance(b, tuple):
                    bcol = (b[0] == b[1]).astype(float)
                else:
                    bcol = b
                col = bcol if a is None else a * bcol
                new.append((nm_b if not nm_a else f"{nm_a}:{nm_b}", col))
        cols = new
    return cols


def _cluster_codes(gs: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Cluster index of each row (0..J-1, in sorted label order) and the labels."""
    if (
        pd.api.types.is_numeric_dtype(gs.dtype)
        and not pd.api.types.is_bool_dtype(gs.dtype)
        and not isinstance(gs.dtype, pd.CategoricalDtype)
        and gs.is_monotonic_increasing
    ):
        # rows already grouped by a sorted numeric id: no hashing needed
        vals = gs.to_numpy()
        new = np.empty(vals.size, dtype=bool)
        new[:1] = True
        np.not_equal(vals[1:], vals[:-1], out=new[1:])
        return np.cumsum(new, dtype=np.intp) - 1, vals[new]
    codes, labels = pd.factorize(gs, sort=True)
    return np.asarray(codes, dtype=np.intp), labels


def build_design(data: pd.DataFrame, formula: str, random: str, group: str) -> Design:
    """Listwise-delete, then build the fixed (X) and random (Z) design columns."""
    if not isinstance(data, pd.DataFrame):
        raise MixedModelError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    fixed = parse_formula(formula, response=True)
    rand = parse_formula(random, response=False)
    if not rand.terms and not rand.intercept:
        raise MixedModelError(f"random-effects formula {random!r} has no terms")
    fvars, rvars = _vars_of(fixed), _vars_of(rand)
    needed = [fixed.response, group] + [v.column for v in fvars + rvars]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise MixedModelError(
            f"unknown column(s) {missing}: not in the data (columns: {list(data.columns)})"
        )
    resp = data[fixed.response]
    if not pd.api.types.is_numeric_dtype(resp.dtype) or pd.api.types.is_bool_dtype(resp.dtype):
        raise MixedModelError(
            f"the outcome column {fixed.response!r} is not numeric (dtype {resp.dtype})"
        )
    used = list(dict.fromkeys(needed))
    missing_rows = [_missing(data[c]) for c in used]
    if any(m.any() for m in missing_rows):
        ok = ~np.logical_or.reduce(missing_rows)
        frame = data.loc[ok, used]
        n_dropped = int(ok.size - ok.sum())
    else:  # no copy of the columns when no row is dropped
        frame, n_dropped = data, 0
    if len(frame) == 0:
        raise MixedModelError(f"no complete rows in the columns {used}")
    y = np.asarray(frame[fixed.response], dtype=float)
    if not np.all(np.isfinite(y)):
        raise MixedModelError(f"the outcome column {fixed.response!r} has infinite values")
    gs = frame[group]
    if isinstance(gs.dtype, pd.CategoricalDtype):
        gs = gs.cat.remove_unused_categories()
    codes, labels = _cluster_codes(gs)
    n_groups = len(labels)
    counts = np.bincount(codes, minlength=n_groups).astype(float)

    values: dict[Var, np.ndarray | Factor] = {}
    for v in dict.fromkeys(fvars + rvars):
        s = frame[v.column]
        if _is_categorical(s):
            if v.kind != "col":
                raise MixedModelError(
                    f"{v.label}: {v.kind}() needs a numeric column; {v.column!r} is "
                    f"categorical (dtype {s.dtype})"
                )
            values[v] = _as_factor(s)
            continue
        x = np.asarray(s, dtype=float)
        if not np.all(np.isfinite(x)):
            raise MixedModelError(f"column {v.column!r} has infinite values")
        if v.kind != "col":
            means = np.bincount(codes, weights=x, minlength=n_groups) / counts
            x = means[codes] if v.kind == "cvar" else x - means[codes]
        values[v] = x

    columns: dict[str, np.ndarray | None] = {}

    def add_terms(parsed: ParsedFormula) -> tuple[list[str], list[int], list[str]]:
        names: list[str] = []
        assign: list[int] = []
        labels_: list[str] = []
        if parsed.intercept:
            names.append(INTERCEPT)
            assign.append(0)
            labels_.append(INTERCEPT)
            columns[INTERCEPT] = None
        tset = {frozenset(t) for t in parsed.terms}
        for k, term in enumerate(parsed.terms, start=1):
            labels_.append(":".join(v.label for v in term))
            for nm, col in _term_columns(term, tset, parsed.intercept, values):
                if nm in names:
                    continue
                names.append(nm)
                assign.append(k)
                columns[nm] = np.ascontiguousarray(col, dtype=float)
        return names, assign, labels_

    x_names, x_assign, x_labels = add_terms(fixed)
    z_names, _, _ = add_terms(rand)
    return Design(
        response=fixed.response,
        group=group,
        y=y,
        columns=columns,
        x_names=x_names,
        z_names=z_names,
        x_assign=x_assign,
        x_term_labels=x_labels,
        codes=codes,
        labels=pd.Index(labels, name=group),
        n_dropped=n_dropped,
        fixed_formula=formula,
        random_formula=random,
        row_index=frame.index,
    )
