"""Average-linkage grouping of a batch with the recent members of open stories.

The method news clustering uses (TF-IDF of content words and of names, compared by cosine, grouped
by average linkage), run incrementally:

- the *frozen* members of open stories (older than the last `regroup` articles) never move: each
  story's frozen part is one fixed node whose similarity to an article is the mean over its members;
  two such nodes never merge, so history is not re-clustered;
- the *recent* members of open stories and the batch's articles are free nodes: average linkage
  merges the most similar pair of groups while their mean similarity reaches the threshold, so a
  recent article can move to a story that fits it better once later articles arrive; its similarity
  to its current story-mates gets `stickiness` on top, so that near-ties do not flip it back and
  forth from batch to batch.

The result is a function of its inputs alone: the documents in the order given (callers pass the
committed ones in commit order), their term keys and the parameters. Term weights (IDF) come from
the documents given, every term is a column in key order, so the same inputs give the same floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import itertools

import numpy as np
from scipy import sparse

from newsflow import ids


@dataclass
class Doc:
    article_id: str
    story_id: str | None  # None for the batch's articles
    words: tuple[np.ndarray, np.ndarray]  # (sorted term keys, counts)
    names: tuple[np.ndarray, np.ndarray]
    instance: object = None  # which round of a recurring happening the lead claims (see stories.instance)
    copy: tuple[int, np.ndarray] | None = field(default=None, repr=False)  # (shingle count, story_terms.minhash)


@dataclass(frozen=True)
class Params:
    threshold: float          # mean similarity two groups need to merge
    names_weight: float       # share of the similarity that comes from names (the rest: content words)
    regroup: int              # the last this-many stored members may move; older ones are frozen
    stickiness: float = 0.0   # added to the similarity of a recent member and its current story-mates


def _matrix(docs: list[Doc], which: str) -> sparse.csr_matrix:
    """Rows: L2-normalised TF-IDF vectors ((1 + ln tf) * (ln((n + 1) / (df + 1)) + 1)) of the docs."""
    n = len(docs)
    bags = [getattr(d, which) for d in docs]
    keys = np.concatenate([b[0] for b in bags]) if bags else np.empty(0, np.int64)
    counts = np.concatenate([b[1] for b in bags]) if bags else np.empty(0)
    vocab, cols, df = np.unique(keys, return_inverse=True, return_counts=True)
    idf = np.log((n + 1) / (df + 1)) + 1
    values = (1 + np.log(counts)) * idf[cols]
    indptr = np.concatenate([[0], np.cumsum([len(b[0]) for b in bags])])
    m = sparse.csr_matrix((values, cols, indptr), shape=(n, len(vocab)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1 / norms) @ m


def _code(instance) -> int:
    """A lead's claimed round as a number: 0 unknown, 1 first, n the nth, -1 "a later one"."""
    return 0 if instance is None else -1 if instance == "later" else int(instance)


def _conflicts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether claimed rounds exclude each other: both known and different, where "later" only
    excludes the first."""
    later = ((a == -1) & (b >= 2)) | ((b == -1) & (a >= 2))
    return (a != 0) & (b != 0) & (a != b) & ~later


def group(stored: list[Doc], batch: list[Doc], params: Params) -> tuple[list[str], dict[str, str]]:
    """(story id of each batch doc, {article_id: new story id} for the stored docs that move).

    `stored`: the members of open stories, in commit order (the last `params.regroup` are recent).
    """
    n_frozen = max(len(stored) - params.regroup, 0)
    frozen, recent = stored[:n_frozen], stored[n_frozen:]
    points = recent + batch
    if not points:
        return [], {}
    docs = frozen + points
    weight = params.names_weight
    vectors = [(_matrix(docs, "words"), 1 - weight), (_matrix(docs, "names"), weight)]

    # The frozen part of each story: one node, its rows summed (sum of similarities to its members).
    anchor_ids = sorted({d.story_id for d in frozen})
    anchor_index = {s: i for i, s in enumerate(anchor_ids)}
    member = sparse.csr_matrix((np.ones(len(frozen)), ([anchor_index[d.story_id] for d in frozen],
                                                        np.arange(len(frozen)))),
                               shape=(len(anchor_ids), len(docs)))
    sizes = np.asarray(member.sum(axis=1)).ravel()
    p = len(points)
    pp = np.zeros((p, p))
    ap = np.zeros((len(anchor_ids), p))
    for m, w in vectors:
        rows = m[n_frozen:]
        pp += w * (rows @ rows.T).toarray()
        if anchor_ids:
            ap += w * ((member @ m) @ rows.T).toarray()
    if params.stickiness and recent:  # a borderline member does not flip story from one batch to the next
        same = np.array([d.story_id for d in recent], object)
        r = len(recent)
        pp[:r, :r] += params.stickiness * (same[:, None] == same[None, :])
        for k, sid in enumerate(anchor_ids):
            ap[k, :r] += params.stickiness * sizes[k] * (same == sid)
    # Only a frozen story some article is close enough to can take part (a group's mean similarity
    # to it is at most its best member's).
    keep = np.flatnonzero((ap / sizes[:, None]).max(axis=1, initial=-1.0) >= params.threshold) if anchor_ids \
        else np.empty(0, int)
    a = len(keep)
    total = np.zeros((a + p, a + p))  # sums of pairwise similarities between nodes
    total[a:, a:] = pp
    total[:a, a:] = ap[keep]
    total[a:, :a] = ap[keep].T
    size = np.concatenate([sizes[keep], np.ones(p)])
    apart = np.zeros((a + p, a + p), bool)  # pairs that may never merge
    apart[:a, :a] = True
    codes = np.array([_code(d.instance) for d in points])
    apart[a:, a:] = _conflicts(codes[:, None], codes[None, :])
    if a:  # a frozen story keeps apart from the rounds its members' leads said were others
        story_codes: dict[str, set[int]] = {}
        for d in frozen:
            story_codes.setdefault(d.story_id, set()).add(_code(d.instance))
        for k, s in enumerate(keep):
            clash = np.zeros(p, bool)
            for c in story_codes[anchor_ids[s]]:
                clash |= _conflicts(np.array(c), codes)
            apart[k, a:] = apart[a:, k] = clash
    groups = _average_linkage(total, size, apart, params.threshold)

    owner = _story_ids(groups, a, [anchor_ids[k] for k in keep], set(anchor_ids), points)
    story_of = {node: owner[g] for g, nodes in enumerate(groups) for node in nodes}
    moves = {d.article_id: story_of[a + j] for j, d in enumerate(recent) if story_of[a + j] != d.story_id}
    return [story_of[a + len(recent) + j] for j in range(len(batch))], moves


def _story_ids(groups: list[list[int]], a: int, anchors: list[str], frozen: set[str],
               points: list[Doc]) -> dict[int, str]:
    """The story id of each group (nodes < `a` are the frozen stories `anchors`).

    A group with a frozen story keeps that story's id. A story with recent members only goes to the
    group holding most of them (on a tie, the one holding its first member); a group that wins
    several keeps the one it holds most of (first member on a tie): the others merge into it. A
    group that wins none starts a story whose id derives from its first article.
    """
    owner: dict[int, str] = {}
    for g, nodes in enumerate(groups):
        for node in nodes:
            if node < a:
                owner[g] = anchors[node]
    group_of = {node: g for g, nodes in enumerate(groups) for node in nodes}
    count: dict[tuple[int, str], int] = {}
    first: dict[str, int] = {}  # story -> the group holding its first recent member
    for j, d in enumerate(points):  # commit order
        if d.story_id is not None and d.story_id not in frozen:
            g = group_of[a + j]
            first.setdefault(d.story_id, g)
            count[(g, d.story_id)] = count.get((g, d.story_id), 0) + 1
    won: dict[int, list[str]] = {}
    for story in first:  # in the order of their first members
        claims = [(c, g == first[story], -g) for (g, s), c in count.items() if s == story and g not in owner]
        if claims:
            won.setdefault(-max(claims)[2], []).append(story)
    taken = set(frozen) | set(owner.values())
    for g, stories in won.items():
        owner[g] = max(stories, key=lambda s: (count[(g, s)], first[s] == g, -stories.index(s)))
        taken.add(owner[g])
    for g, nodes in enumerate(groups):
        if g not in owner:
            owner[g] = _new_id([points[node - a].article_id for node in nodes], taken)
            taken.add(owner[g])
    return owner


def _new_id(article_ids: list[str], taken: set[str]) -> str:
    """The id of a new story: derived from its first article (from the next one, or numbered, when
    a story that kept its id after a regrouping already has that one)."""
    for n in itertools.count():
        for aid in article_ids:
            sid = ids.digest("story", aid, *([str(n)] if n else []))
            if sid not in taken:
                return sid


def _average_linkage(total: np.ndarray, size: np.ndarray, apart: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of node indices: merges the pair with the highest mean similarity (first pair on a
    tie) while it reaches `threshold`; pairs marked `apart` (and their groups) never merge."""
    n = len(size)
    total = total.copy()
    size = size.astype(float).copy()
    apart = apart.copy()
    active = np.ones(n, bool)
    members = {i: [i] for i in range(n)}
    mean = total / np.outer(size, size)
    mean[apart] = -np.inf
    np.fill_diagonal(mean, -np.inf)
    best = mean.argmax(axis=1) if n else np.empty(0, int)
    best_val = mean[np.arange(n), best] if n else np.empty(0)
    while n > 1:
        i = int(best_val.argmax())
        if best_val[i] < threshold:
            break
        j = int(best[i])
        i, j = min(i, j), max(i, j)  # the merged group keeps the lower index (its first node)
        members[i] += members.pop(j)
        total[i] += total[j]
        total[:, i] = total[i]
        size[i] += size[j]
        apart[i] |= apart[j]
        apart[:, i] = apart[i]
        active[j] = False
        row = total[i] / (size * size[i])
        row[apart[i] | ~active] = -np.inf
        row[i] = -np.inf
        mean[i] = row
        mean[:, i] = row
        mean[j] = -np.inf
        mean[:, j] = -np.inf
        best_val[j] = -np.inf
        # rows whose best partner was i or j are searched again; the others compare with i only
        stale = np.flatnonzero(active & ((best == i) | (best == j)))
        stale = stale[stale != i]
        better = active & (row > best_val)
        best[better] = i
        best_val[better] = row[better]
        for k in np.concatenate([[i], stale]):
            best[k] = int(mean[k].argmax())
            best_val[k] = mean[k, best[k]]
    return [sorted(members[i]) for i in sorted(members)]
