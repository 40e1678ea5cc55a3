"""The encoder at inference time without PyTorch: exported once to ONNX, run by ONNX Runtime.

The export reads the weights from their package and computes exactly what ``SentenceEncoder``
computes (the mean of the last ``layers`` hidden layers). For the ``onnx-int8`` runtime the weights
of its matrix products are then quantised to int8, one scale per output channel (dynamic
quantisation: activations are quantised as it runs). Weights keep 7 bits: x86 CPUs without VNNI
(AVX2 only) multiply unsigned by signed bytes into saturating 16-bit sums, and full 8-bit weights
overflow them. The file is built on first use, or by
``stance prepare``, into a cache folder keyed by the weights and the export settings, and moved
into place whole, so concurrent processes never read a half-written model. Building needs PyTorch
and onnxscript; running needs neither.
"""

import contextlib
import hashlib
import io
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, get_args

import numpy

from pipeline.attribution.adapter import digest
from pipeline.attribution.encoder import EncodedSentence
from pipeline.stance.errors import ModelError

logger = logging.getLogger(__name__)

Runtime = Literal["onnx-int8", "onnx", "torch"]
RUNTIMES: tuple[str, ...] = get_args(Runtime)
EXPORT_FORMAT = 3  # bump when the exported graph changes, so caches are rebuilt
CACHE_VARIABLE = "STANCE_CACHE_DIR"
MAX_LENGTH = 256
PROBE = "The minister said on Tuesday that his government would not attend the talks in Geneva."
PROBE_FILE = "probe.npy"  # the float32 graph's vectors for PROBE, to check the int8 graph against
MIN_PROBE_COSINE = 0.95  # int8 reaches 0.98-0.99; saturated int8 arithmetic falls far below


def cache_dir() -> Path:
    """Where built encoders are kept: $STANCE_CACHE_DIR, else the user's cache folder."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stance-pipeline"


def _weights_key(base_dir: Path) -> str:
    """A digest of the encoder's config and weights file identity (size, not the 90 MB of bytes)."""
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json"):
        path = base_dir / name
        digest.update(path.read_bytes() if path.is_file() else b"-")
    weights = base_dir / "model.safetensors"
    digest.update(str(weights.stat().st_size if weights.is_file() else 0).encode())
    return digest.hexdigest()[:16]


def encoder_path(
    base_dir: Path,
    layers: int,
    runtime: Runtime,
    folder: Path | None = None,
    depth: int | None = None,
    adapter: Path | None = None,
) -> Path:
    """Where the ONNX file for these weights and settings lives (built or not); an adapter's
    digest is part of its name, so each trained adapter gets its own export."""
    cut = f"-d{depth}" if depth is not None else ""
    adapted = f"-a{digest(adapter)}" if adapter is not None else ""
    key = f"{_weights_key(base_dir)}-l{layers}{cut}{adapted}-f{EXPORT_FORMAT}"
    name = "encoder-int8.onnx" if runtime == "onnx-int8" else "encoder.onnx"
    return (folder or cache_dir()) / "encoders" / key / name


def _atomic_move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def build_encoder(
    base_dir: Path,
    layers: int,
    runtime: Runtime,
    folder: Path | None = None,
    depth: int | None = None,
    adapter: Path | None = None,
) -> Path:
    """Export (and quantise) the encoder unless the cache already holds it; returns its path.
    ``depth``: keep the first ``depth`` transformer layers only; ``adapter``: a trained adapter
    file whose updates are merged into the weights before export (adapter.py)."""
    if runtime == "torch":
        raise ValueError("the torch runtime has no exported file")
    target = encoder_path(base_dir, layers, runtime, folder, depth, adapter)
    if target.is_file():
        return target
    plain = encoder_path(base_dir, layers, "onnx", folder, depth, adapter)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _build(base_dir, layers, depth, runtime, plain, target, adapter)
    except OSError as exc:
        message = f"cannot write the encoder cache {target.parent} ({exc})"
        raise ModelError(f"{message}; set {CACHE_VARIABLE} to a writable folder") from exc
    return target


def _build(
    base_dir: Path,
    layers: int,
    depth: int | None,
    runtime: Runtime,
    plain: Path,
    target: Path,
    adapter: Path | None = None,
) -> None:
    """Export into a scratch folder beside the target, then move each file into place at once."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        if not plain.is_file():
            exported = Path(scratch) / "encoder.onnx"
            _export(base_dir, layers, depth, exported, adapter)
            probe = Path(scratch) / PROBE_FILE
            numpy.save(probe, _probe_states(exported, base_dir))
            _atomic_move(probe, plain.parent / PROBE_FILE)
            _atomic_move(exported, plain)
        if runtime == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantised = Path(scratch) / "encoder-int8.onnx"
            # one scale per output channel of each weight matrix: 0.05 RMS from the float32 vectors
            # on Guardian sentences, against 0.12 with one scale per matrix, at the same speed.
            # reduce_range (7-bit weights): without it an AVX2 CPU without VNNI gave 0.36 RMS and
            # no statements at all; with it 0.047 there, and as fast
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # its advice to pre-process the model, on the root logger
            try:
                quantize_dynamic(
                    str(plain),
                    str(quantised),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    reduce_range=True,
                )
            finally:
                root.setLevel(level)
            _atomic_move(quantised, target)
        note = Path(scratch) / "export.json"
        facts = {
            "base_dir": str(base_dir),
            "layers": layers,
            "depth": depth,
            "adapter": str(adapter) if adapter is not None else None,
            "format": EXPORT_FORMAT,
        }
        note.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
        _atomic_move(note, target.parent / "export.json")


def _tokenizer(base_dir: Path, max_length: int = MAX_LENGTH) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(base_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _session(path: Path) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # one thread per sentence; sentences run side by side
    options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ModelError(f"{path}: not a readable ONNX encoder ({exc}); delete it to rebuild") from exc


def _states(session: Any, ids: Sequence[int]) -> numpy.ndarray:
    """One sentence's word-piece vectors (no padding)."""
    batch = numpy.asarray([ids], dtype=numpy.int64)
    (states,) = session.run(None, {"input_ids": batch, "attention_mask": numpy.ones_like(batch)})
    return states[0]


def _probe_states(path: Path, base_dir: Path) -> numpy.ndarray:
    return _states(_session(path), _tokenizer(base_dir).encode(PROBE).ids)


def _export(
    base_dir: Path, layers: int, depth: int | None, target: Path, adapter: Path | None = None
) -> None:
    """The encoder as an ONNX graph: ids and mask in, the mean of the last ``layers`` layers out."""
    import torch
    from transformers import AutoModel

    from pipeline.attribution.adapter import Adapter
    from pipeline.attribution.encoder import truncate

    # eager attention: the graph then always applies the mask (the fused path may skip a mask of
    # all ones while tracing, which would ignore padding at run time)
    model = truncate(AutoModel.from_pretrained(str(base_dir), attn_implementation="eager").eval(), depth)
    if adapter is not None:
        Adapter.load(adapter).merge_into(model)
    types = getattr(model.config, "type_vocab_size", 0) > 0  # BERT reads token types, MPNet has none

    class LastLayers(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            extra = {"token_type_ids": torch.zeros_like(input_ids)} if types else {}
            output = self.model(
                input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True, **extra
            )
            return torch.stack(output.hidden_states[-layers:]).mean(dim=0)

    example = torch.ones((2, 8), dtype=torch.long)
    mask = example.clone()
    mask[1, 5:] = 0  # a padded row, so the traced graph reads the mask
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=MAX_LENGTH)
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # the exporter's notes on axis names and its progress lines
        program = torch.onnx.export(
            LastLayers(),
            (example, mask),
            input_names=["input_ids", "attention_mask"],
            output_names=["states"],
            dynamic_shapes={"input_ids": {0: batch, 1: length}, "attention_mask": {0: batch, 1: length}},
            dynamo=True,
            verbose=False,
        )
    program.save(str(target), external_data=False)


class OnnxEncoder:
    """The same readings as ``SentenceEncoder`` (word-piece vectors and offsets per sentence),
    computed by ONNX Runtime on the CPU.

    Each sentence is run alone: dynamic int8 quantisation scales a batch's activations by their
    range, so in a batch a sentence's vectors would depend on the sentences beside it (and on
    padding), and the same article could get other stances in another run. Alone, without
    padding, it costs about 10% more than batches of 32 (measured on the Guardian sentences).

    ``threads`` sentences run at once, each on one thread of its own (0: one per core): a
    sentence's matrices are too small for one run to spread over cores, sentences are not. The
    vectors do not depend on it."""

    def __init__(
        self,
        base_dir: Path,
        layers: int = 1,
        runtime: Runtime = "onnx-int8",
        threads: int = 1,
        max_length: int = MAX_LENGTH,
        depth: int | None = None,
        adapter: Path | None = None,
    ) -> None:
        path = build_encoder(base_dir, layers, runtime, depth=depth, adapter=adapter)
        self.threads = threads or os.cpu_count() or 1
        self.tokenizer = _tokenizer(base_dir, max_length)
        self.session = _session(path)
        if runtime == "onnx-int8":
            cosine = self._probe_cosine(base_dir, layers, depth, adapter)
            if cosine < MIN_PROBE_COSINE:
                logger.warning(
                    "%s: int8 vectors are far from float32 on this CPU (cosine %.2f on a probe sentence); "
                    "running the float32 encoder instead (runtime 'onnx', slower)",
                    path,
                    cosine,
                )
                path, runtime = build_encoder(base_dir, layers, "onnx", depth=depth, adapter=adapter), "onnx"
                self.session = _session(path)
        self.path = path
        self.runtime = runtime

    def _probe_cosine(self, base_dir: Path, layers: int, depth: int | None, adapter: Path | None) -> float:
        """How close this session's vectors for PROBE are to the float32 graph's (saved at build)."""
        saved = encoder_path(base_dir, layers, "onnx", depth=depth, adapter=adapter).parent / PROBE_FILE
        if saved.is_file():
            expected = numpy.load(saved)
        else:
            expected = _probe_states(
                build_encoder(base_dir, layers, "onnx", depth=depth, adapter=adapter), base_dir
            )
        got = _states(self.session, self.tokenizer.encode(PROBE).ids).ravel()
        expected = expected.ravel()
        return float(got @ expected / (numpy.linalg.norm(got) * numpy.linalg.norm(expected) or 1.0))

    def _run(self, encoding: Any) -> EncodedSentence:
        return EncodedSentence(_states(self.session, encoding.ids), [tuple(o) for o in encoding.offsets])

    def encode(self, texts: Sequence[str]) -> list[EncodedSentence]:
        encodings = self.tokenizer.encode_batch(list(texts))
        if self.threads == 1 or len(encodings) < 2:
            return [self._run(encoding) for encoding in encodings]
        # ONNX Runtime releases the GIL and a session may run on several threads at once
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="stance-onnx") as pool:
            return list(pool.map(self._run, encodings))
