"""The marked-token reader: the candidate read in its sentence, not only as mean vectors.

The feature rows (``features.py``) give the head the encoder's mean vector of a candidate's words,
its head word, its predicate and the whole sentence: each read alone. Here the frozen encoder's
token vectors of the sentence are projected to a small width, a learned marker vector is added
to the candidate's word pieces and another to its predicate's (the "typed markers" of relation
classification), and one self-attention layer reads the sentence with those markers: what the
candidate's pieces attend to now depends on which candidate is asked about. The layer's outputs
at the candidate's pieces and at its predicate's are pooled and join the head's hidden layer
before its output layer.

Training uses PyTorch (``fit_marker_heads``); scoring is numpy (``MarkerLayer.pooled``), the same
arithmetic as the torch layer in eval mode, so inference does not import PyTorch.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy

# a word piece's marker type (features.marker_types); pooled outputs: candidate's, then predicate's
OTHER, CANDIDATE, PREDICATE = 0, 1, 2
MARKS = 3
ATTENTION_HEADS = 4
NORM_EPS = 1e-5
BATCH = 128


@dataclass
class TokenRows:
    """What the marked-token reader needs of each feature row: the token vectors of the
    sentences (once each) and, per row, its sentence and its marker types."""

    states: list[numpy.ndarray]  # per sentence: (pieces, encoder width)
    sentence_of: numpy.ndarray  # per row: index into ``states``
    types: list[numpy.ndarray]  # per row: (pieces of its sentence,) marker types

    @classmethod
    def empty(cls) -> "TokenRows":
        return cls([], numpy.zeros(0, dtype=numpy.int64), [])

    def add(self, states: numpy.ndarray, types: Sequence[numpy.ndarray]) -> None:
        """One sentence's vectors and its candidates' types (rows in the order of the features)."""
        self.sentence_of = numpy.concatenate(
            [self.sentence_of, numpy.full(len(types), len(self.states), dtype=numpy.int64)]
        )
        self.states.append(numpy.asarray(states, dtype=numpy.float32))
        self.types.extend(types)

    def join(self, other: "TokenRows") -> "TokenRows":
        return TokenRows(
            self.states + other.states,
            numpy.concatenate([self.sentence_of, other.sentence_of + len(self.states)]),
            self.types + other.types,
        )

    def subset(self, rows: numpy.ndarray) -> "TokenRows":
        """The rows ``rows`` (indices, in order) with all sentences kept."""
        return TokenRows(self.states, self.sentence_of[rows], [self.types[i] for i in rows])

    def __len__(self) -> int:
        return len(self.types)


def _layer_norm(x: numpy.ndarray, weight: numpy.ndarray, bias: numpy.ndarray) -> numpy.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / numpy.sqrt(var + NORM_EPS) * weight + bias


def _softmax(x: numpy.ndarray) -> numpy.ndarray:
    x = x - x.max(-1, keepdims=True)
    e = numpy.exp(x)
    return e / e.sum(-1, keepdims=True)


@dataclass(frozen=True)
class MarkerLayer:
    """One trained reader as arrays, under the names the torch module's state dict gives them
    (``project.*``, ``marks.weight``, ``layer.*``)."""

    tensors: dict[str, numpy.ndarray]

    @property
    def width(self) -> int:
        return int(self.tensors["marks.weight"].shape[1])

    def pooled(self, tokens: TokenRows) -> numpy.ndarray:
        """(rows, 2 x width): the layer's mean output over each row's candidate pieces, then over
        its predicate's (zeros where it marks none).

        The same arithmetic as torch's layer in eval mode, arranged to run fast: the layer's input
        is a sentence's projection plus one of three marker vectors per piece, so queries, keys and
        values are the projection's (computed once per sentence) plus the markers' (three vectors);
        only the marked pieces' outputs are pooled, so attention's queries, its output projection
        and the feed-forward run at those pieces only; and every sentence's pieces go through the
        matrix products together (only attention is per sentence)."""
        t = self.tensors
        width = self.width
        heads, d = ATTENTION_HEADS, width // ATTENTION_HEADS
        out = numpy.zeros((len(tokens), 2, width), dtype=numpy.float32)
        used = numpy.unique(tokens.sentence_of)
        if len(used) == 0:
            return out.reshape(len(tokens), 2 * width)
        lengths = [len(tokens.states[s]) for s in used]
        starts = numpy.concatenate([[0], numpy.cumsum(lengths)])
        projected = _layer_norm(
            numpy.concatenate([tokens.states[s] for s in used]) @ t["project.0.weight"].T
            + t["project.0.bias"],
            t["project.1.weight"],
            t["project.1.bias"],
        )
        w_in = t["layer.self_attn.in_proj_weight"]
        b_q, b_k, b_v = numpy.split(projected @ w_in.T + t["layer.self_attn.in_proj_bias"], 3, -1)
        marks = t["marks.weight"]
        m_q, m_k, m_v = numpy.split(marks @ w_in.T, 3, -1)  # (MARKS, width) each
        m_k, m_v = m_k.reshape(MARKS, heads, d), m_v.reshape(MARKS, heads, d)
        scale = 1.0 / numpy.sqrt(d)
        inputs, attended, owners, kinds = [], [], [], []
        # each sentence's rows, from one stable sort (not a scan of every row per sentence)
        by_sentence = numpy.argsort(tokens.sentence_of, kind="stable")
        bounds = numpy.r_[0, numpy.searchsorted(tokens.sentence_of[by_sentence], used, side="right")]
        for j in range(len(used)):
            rows = by_sentence[bounds[j] : bounds[j + 1]]
            types = numpy.stack([tokens.types[i] for i in rows])  # (n, pieces)
            row, piece = numpy.nonzero(types)  # the marked pieces, M of them
            if len(row) == 0:
                continue
            here = slice(starts[j], starts[j + 1])
            kind = types[row, piece]
            seen = types[row]  # (M, pieces): the types of the pieces each marked piece attends to
            q = (b_q[here][piece] + m_q[kind]).reshape(len(row), heads, d).transpose(1, 0, 2)  # (heads, M, d)
            by_mark = numpy.einsum("hmd,thd->hmt", q, m_k)  # (heads, M, MARKS)
            logits = q @ b_k[here].reshape(-1, heads, d).transpose(1, 2, 0)
            logits += numpy.take_along_axis(by_mark, numpy.broadcast_to(seen, (heads, *seen.shape)), 2)
            weights = _softmax(logits * scale)  # (heads, M, pieces)
            per_mark = numpy.stack([(weights * (seen == m)).sum(-1) for m in range(MARKS)], -1)
            value = weights @ b_v[here].reshape(-1, heads, d).transpose(1, 0, 2)
            value += numpy.einsum("hmt,thd->hmd", per_mark, m_v)
            attended.append(value.transpose(1, 0, 2).reshape(len(row), width))
            inputs.append(projected[here][piece] + marks[kind])
            owners.append(rows[row])
            kinds.append(kind)
        if not inputs:
            return out.reshape(len(tokens), 2 * width)
        h = self._rest(numpy.concatenate(inputs), numpy.concatenate(attended))
        # each (row, slot)'s mean (slot 0 its candidate's pieces, 1 its predicate's): the pieces
        # sorted by (row, slot), summed in runs
        key = numpy.concatenate(owners) * 2 + numpy.concatenate(kinds) - CANDIDATE
        order = numpy.argsort(key, kind="stable")
        key, h = key[order], h[order]
        first = numpy.flatnonzero(numpy.r_[True, key[1:] != key[:-1]])
        counts = numpy.diff(numpy.r_[first, len(key)]).astype(numpy.float32)
        out.reshape(-1, width)[key[first]] = numpy.add.reduceat(h, first, axis=0) / counts[:, None]
        return out.reshape(len(tokens), 2 * width)

    def _rest(self, x: numpy.ndarray, attended: numpy.ndarray) -> numpy.ndarray:
        """The layer after attention (post-norm, ReLU), at the given pieces: ``x`` their input,
        ``attended`` their attention outputs before the output projection."""
        t = self.tensors
        attended = attended @ t["layer.self_attn.out_proj.weight"].T + t["layer.self_attn.out_proj.bias"]
        x = _layer_norm(x + attended, t["layer.norm1.weight"], t["layer.norm1.bias"])
        inner = numpy.maximum(x @ t["layer.linear1.weight"].T + t["layer.linear1.bias"], 0.0)
        feed = inner @ t["layer.linear2.weight"].T + t["layer.linear2.bias"]
        return _layer_norm(x + feed, t["layer.norm2.weight"], t["layer.norm2.bias"])


def _module(features: int, hidden: int, width: int, labels: int, encoder_width: int):
    import torch
    from torch import nn

    class MarkedHead(nn.Module):
        """The feature-row head's hidden layer beside the marked-token reader's pooled outputs."""

        def __init__(self) -> None:
            super().__init__()
            self.rows = nn.Sequential(nn.Dropout(0.1), nn.Linear(features, hidden), nn.ReLU())
            self.project = nn.Sequential(nn.Linear(encoder_width, width), nn.LayerNorm(width, eps=NORM_EPS))
            self.marks = nn.Embedding(MARKS, width)
            self.layer = nn.TransformerEncoderLayer(
                width,
                nhead=ATTENTION_HEADS,
                dim_feedforward=2 * width,
                dropout=0.1,
                batch_first=True,
                layer_norm_eps=NORM_EPS,
            )
            self.out = nn.Sequential(nn.Dropout(0.2), nn.Linear(hidden + 2 * width, labels))

        def forward(self, tokens, which, marks, pad, x):
            projected = self.project(tokens)[which]  # each sentence projected once
            h = self.layer(projected + self.marks(marks), src_key_padding_mask=pad)
            pooled = []
            for kind in (CANDIDATE, PREDICATE):
                weight = (marks == kind).float().unsqueeze(-1)
                pooled.append((h * weight).sum(1) / weight.sum(1).clamp(min=1.0))
            return self.out(torch.cat([self.rows(x), *pooled], dim=1))

    return MarkedHead()


def _batch(tokens: TokenRows, rows: list[int]):
    """The batch's sentences' vectors (each once, padded), which one each row reads, its marker
    types, its padding mask."""
    import torch

    sentences = sorted({int(tokens.sentence_of[i]) for i in rows})
    where = {s: k for k, s in enumerate(sentences)}
    length = max(len(tokens.types[i]) for i in rows)
    vectors = torch.zeros(len(sentences), length, tokens.states[sentences[0]].shape[1])
    for k, s in enumerate(sentences):
        vectors[k, : len(tokens.states[s])] = torch.from_numpy(tokens.states[s])
    marks = torch.zeros(len(rows), length, dtype=torch.long)
    pad = torch.ones(len(rows), length, dtype=torch.bool)
    for k, i in enumerate(rows):
        n = len(tokens.types[i])
        marks[k, :n] = torch.from_numpy(tokens.types[i])
        pad[k, :n] = False
    which = torch.tensor([where[int(tokens.sentence_of[i])] for i in rows])
    return vectors, which, marks, pad


def fit_marker_heads(
    x: numpy.ndarray,
    y: numpy.ndarray,
    tokens: TokenRows,
    *,
    members: int,
    hidden: int,
    width: int,
    epochs: int,
    seed: int,
    lr: float = 5e-4,
    log: Callable[[str], None] = lambda _: None,
) -> list[dict[str, numpy.ndarray]]:
    """Train ``members`` heads (seeds seed, seed + 1, ...) on standardised rows ``x``, labels
    ``y`` and their tokens; each head's state as arrays. Rows are batched by sentence length, so
    that a batch pads little and reads each sentence's vectors once."""
    import torch

    xt, yt = torch.from_numpy(numpy.ascontiguousarray(x)), torch.from_numpy(numpy.ascontiguousarray(y))
    order = numpy.argsort([len(t) for t in tokens.types], kind="stable")
    batches = [order[i : i + BATCH].tolist() for i in range(0, len(order), BATCH)]
    encoder_width = tokens.states[0].shape[1]
    states = []
    for member in range(members):
        torch.manual_seed(seed + member)
        rng = numpy.random.default_rng(seed + member)
        head = _module(x.shape[1], hidden, width, y.shape[1], encoder_width)
        optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        for epoch in range(epochs):
            head.train()
            total = 0.0
            for b in rng.permutation(len(batches)):
                rows = batches[b]
                optimizer.zero_grad()
                loss = loss_fn(head(*_batch(tokens, rows), xt[rows]), yt[rows])
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(rows)
            log(f"head {member + 1}, epoch {epoch + 1}/{epochs}: loss {total / len(order):.4f}")
        states.append({k: v.detach().numpy().copy() for k, v in head.eval().state_dict().items()})
    return states


def torch_scores(state: dict[str, numpy.ndarray], x: numpy.ndarray, tokens: TokenRows) -> numpy.ndarray:
    """One head's sigmoid scores computed by torch (eval mode): what the numpy path must match."""
    import torch

    hidden, features = state["rows.1.weight"].shape
    labels = state["out.1.weight"].shape[0]
    width = state["marks.weight"].shape[1]
    head = _module(features, hidden, width, labels, tokens.states[0].shape[1])
    head.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    head.eval()
    with torch.inference_mode():
        logits = head(*_batch(tokens, list(range(len(tokens)))), torch.from_numpy(x))
    return torch.sigmoid(logits).numpy()
