"""The stance network of models from 2.0.0: MiniLM (with the LoRA adapter) read at the holder.

A sentence-level vector alone ([CLS] or the mean of all tokens) cannot tell which of two actors
in one sentence the label is for. Relation classifiers solve this by reading the encoder's
vector at the entity marker; here the head sees the mean of the tokens (what the sentence is
about) beside the vector of the opening holder marker « (what this holder does in it) and,
from input format 3, of the cue marker ⟨ (which of the sentence's verbs is the statement).

Training and inference share ``encode_pairs`` and ``StanceNetwork``, so the marker is found the
same way in both.
"""

from collections.abc import Sequence
from typing import Any

from pipeline.stance.inputs import StanceInput, format_pair, marker_offsets, marks_cue

NETWORK = "holder-marker"
HEAD_FILE = "head.safetensors"


def _marker_tokens(encoded: Any, row: int, chars: tuple[int, int | None]) -> tuple[int, int]:
    """Indices of the second-segment tokens that start at the « and ⟨ chars; 0 ([CLS]) for a
    marker that is absent (no cue known) or was cut off by truncation."""
    sequence_ids = encoded.sequence_ids(row)
    offsets = encoded["offset_mapping"][row]
    offsets = offsets.tolist() if hasattr(offsets, "tolist") else offsets
    starts: dict[int, int] = {}
    for index, (start, _end) in enumerate(offsets):
        if sequence_ids[index] == 1:
            starts.setdefault(start, index)  # the first token at a char, as a scan would find
    holder, cue = chars
    return starts.get(holder, 0), starts.get(cue, 0) if cue is not None else 0


def encode_pairs(
    tokenizer: Any, items: Sequence[StanceInput], input_format: int, max_length: int, **kwargs: Any
) -> Any:
    """Tokenize (first, second) segments and add ``holder_index`` (the « token) and, from
    format 3, ``cue_index`` (the ⟨ token) for the network; tensors with ``return_tensors="pt"``."""
    pairs = [format_pair(item, input_format) for item in items]
    encoded = tokenizer(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        truncation="only_second",
        max_length=max_length,
        return_offsets_mapping=True,
        **kwargs,
    )
    found = [
        _marker_tokens(encoded, row, marker_offsets(item, input_format)) for row, item in enumerate(items)
    ]
    columns = {"holder_index": [holder for holder, _ in found]}
    if marks_cue(input_format):
        columns["cue_index"] = [cue for _, cue in found]
    encoded.pop("offset_mapping")
    if kwargs.get("return_tensors") == "pt":
        import torch

        columns = {key: torch.tensor(values) for key, values in columns.items()}
    encoded.update(columns)
    return encoded


def build_network(encoder: Any, num_labels: int, read_cue: bool = True, dropout: float = 0.1) -> Any:
    """The head on top of ``encoder`` (a transformers ``BertModel``, plain or with LoRA): it
    reads the mean of the tokens, the « vector and, with ``read_cue``, the ⟨ vector."""
    import torch
    from torch import nn
    from transformers.modeling_outputs import SequenceClassifierOutput

    class StanceNetwork(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            hidden = encoder.config.hidden_size
            self.dropout = nn.Dropout(dropout)
            self.head = nn.Linear((3 if read_cue else 2) * hidden, num_labels)

        def forward(
            self,
            input_ids: Any,
            attention_mask: Any,
            holder_index: Any,
            cue_index: Any = None,
            token_type_ids: Any = None,
            labels: Any = None,
        ) -> Any:
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            rows = torch.arange(states.shape[0], device=states.device)
            parts = [(states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0), states[rows, holder_index]]
            if read_cue:
                parts.append(states[rows, cue_index])
            logits = self.head(self.dropout(torch.cat(parts, dim=-1)))
            loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
            return SequenceClassifierOutput(loss=loss, logits=logits)

    return StanceNetwork()


def save_head(network: Any, path: Any) -> None:
    from safetensors.torch import save_file

    save_file({k: v.detach().cpu().contiguous() for k, v in network.head.state_dict().items()}, str(path))


def load_head(network: Any, path: Any) -> None:
    from safetensors.torch import load_file

    network.head.load_state_dict(load_file(str(path)))
