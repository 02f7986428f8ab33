"""A sentence-transformers BERT model run by torch alone, as ``SentenceTransformer.encode``
runs it, without importing ``sentence_transformers`` and ``transformers``.

Those two imports cost every process that encodes some seconds before its first text:
``import sentence_transformers`` took 7.8-9.9 s here, ``import torch`` 1.3-2.1 s (2 cores,
2026-12-04), and a cold ``matcher score`` waits for them. The packaged all-MiniLM-L6-v2, and
any local folder of the same shape, needs neither: its modules are a BERT transformer, mean
(or CLS) pooling and, optionally, normalization. :func:`bert_encoder` reads such a folder
with ``safetensors`` and ``tokenizers`` and returns a :class:`BertEncoder`; for a folder of
any other shape (another architecture, a Dense layer, a default prompt, lower-casing done by
sentence-transformers, half-precision weights, ...) it returns None, and
:func:`matcher.ranking.embedding.load_model` loads it with sentence-transformers instead.

The vectors are the same as sentence-transformers', bit for bit, for the packaged model and
the same texts in one call (tested; a text's vector may differ in its last bits from one
batch to another, with either encoder, as the batch's padded length changes the blocking of
the arithmetic): the forward pass is transformers' ``BertModel`` with its SDPA attention, the same
torch operations in the same order, and the batches are cut as ``encode`` cuts them (texts
sorted by length, longest first, with the same sort), so each batch is padded to the same
length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

#: The modules a folder may list in ``modules.json``, in this order (Normalize optional).
_MODULES = ("Transformer", "Pooling", "Normalize")
#: ``sentence_bert_config.json`` keys of the Transformer module this encoder reproduces.
_TRANSFORMER_KEYS = {"max_seq_length", "do_lower_case"}
#: Tensors of one layer, under ``encoder.layer.<i>.``; each has a ``.weight`` and a ``.bias``.
_LAYER_TENSORS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "attention.output.LayerNorm",
    "intermediate.dense",
    "output.dense",
    "output.LayerNorm",
)
_EMBEDDINGS = (
    "embeddings.word_embeddings.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.token_type_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "embeddings.LayerNorm.bias",
)


@dataclass(frozen=True)
class _Plan:
    """What :class:`BertEncoder` needs from a model folder (see :func:`_plan`)."""

    transformer: Path
    config: dict[str, Any]
    pooling: str  # "mean" or "cls"
    normalize: bool


class BertEncoder:
    """A BERT sentence encoder with ``SentenceTransformer.encode``'s interface (the part the
    pipeline calls) and its vectors; made by :func:`bert_encoder`.

    Args:
        plan: The folder's modules, read by :func:`_plan`.
        weights: Its tensors by name, without a ``bert.`` prefix.
        max_seq_length: Tokens per text, ``[CLS]`` and ``[SEP]`` included; longer texts are
            cut, as sentence-transformers cuts them.
    """

    def __init__(self, plan: _Plan, weights: dict[str, torch.Tensor], max_seq_length: int) -> None:
        from tokenizers import Tokenizer

        self._plan = plan
        self._weights = weights
        self._heads = int(plan.config["num_attention_heads"])
        self._layers = int(plan.config["num_hidden_layers"])
        self._eps = float(plan.config.get("layer_norm_eps", 1e-12))
        self._tokenizer = Tokenizer.from_file(str(plan.transformer / "tokenizer.json"))
        # A Hugging Face tokenizer called with padding=True, as sentence-transformers calls
        # it: each batch padded to its longest text (the file's own padding may be fixed).
        padding = self._tokenizer.padding or {}
        self._tokenizer.enable_padding(
            pad_id=int(padding.get("pad_id", plan.config.get("pad_token_id", 0))),
            pad_token=str(padding.get("pad_token", "[PAD]")),
        )
        self.max_seq_length = max_seq_length

    @property
    def max_seq_length(self) -> int:
        """Tokens per text (settable, as on a ``SentenceTransformer``)."""
        return self._max_seq_length

    @max_seq_length.setter
    def max_seq_length(self, value: int) -> None:
        self._max_seq_length = int(value)
        # Truncation to max_length, as sentence-transformers asks: texts cut on the right.
        self._tokenizer.enable_truncation(self._max_seq_length)

    def get_sentence_embedding_dimension(self) -> int:
        """Length of the vectors."""
        return int(self._plan.config["hidden_size"])

    def encode(
        self,
        sentences: list[str],
        batch_size: int = 32,
        normalize_embeddings: bool = False,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """The texts' vectors as one float32 array, a row per text, in their order.

        ``convert_to_numpy`` is accepted for the interface's sake: the result is always an
        array.
        """
        import torch

        del convert_to_numpy
        order = np.argsort([-len(text) for text in sentences])  # encode's own sort
        rows: list[np.ndarray] = []
        starts = range(0, len(order), batch_size)
        if show_progress_bar:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="Batches")
        with torch.inference_mode():
            for start in starts:
                chosen = order[start : start + batch_size]
                encodings = self._tokenizer.encode_batch([sentences[i] for i in chosen])
                ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
                mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
                vectors = self._forward(ids, mask)
                if normalize_embeddings:
                    vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
                rows.append(vectors.numpy())
        if not rows:
            return np.empty((0, self.get_sentence_embedding_dimension()), dtype=np.float32)
        stacked = np.concatenate(rows)
        result = np.empty_like(stacked)
        result[order] = stacked
        return result

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Sentence vectors of one padded batch: transformers' ``BertModel`` (eval mode, SDPA
        attention), then sentence-transformers' pooling and normalization."""
        import torch
        from torch.nn import functional

        w = self._weights
        count, length = ids.shape

        def linear(x: torch.Tensor, name: str) -> torch.Tensor:
            return functional.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])

        def layer_norm(x: torch.Tensor, name: str) -> torch.Tensor:
            shape = (x.shape[-1],)
            return functional.layer_norm(
                x, shape, w[f"{name}.weight"], w[f"{name}.bias"], self._eps
            )

        # BertEmbeddings: words plus token types (all 0), then plus positions.
        hidden = w["embeddings.word_embeddings.weight"][ids]
        hidden = hidden + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
        hidden = hidden + w["embeddings.position_embeddings.weight"][:length]
        hidden = layer_norm(hidden, "embeddings.LayerNorm")
        # transformers passes SDPA no mask when no token is padding, else a boolean one.
        attend = None if bool(mask.all()) else mask[:, None, None, :].bool()
        heads = self._heads
        size = hidden.shape[-1] // heads
        scale = size**-0.5

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(count, length, heads, size).transpose(1, 2)

        for index in range(self._layers):
            layer = f"encoder.layer.{index}."
            query = split(linear(hidden, layer + "attention.self.query"))
            key = split(linear(hidden, layer + "attention.self.key"))
            value = split(linear(hidden, layer + "attention.self.value"))
            attended = functional.scaled_dot_product_attention(
                query, key, value, attn_mask=attend, scale=scale
            )
            attended = attended.transpose(1, 2).reshape(count, length, heads * size)
            hidden = layer_norm(
                linear(attended, layer + "attention.output.dense") + hidden,
                layer + "attention.output.LayerNorm",
            )
            inner = functional.gelu(linear(hidden, layer + "intermediate.dense"))
            hidden = layer_norm(
                linear(inner, layer + "output.dense") + hidden, layer + "output.LayerNorm"
            )
        if self._plan.pooling == "cls":
            pooled = hidden[:, 0]
        else:  # sentence-transformers' Pooling, mean of the tokens
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            total = (hidden * weights).sum(1)
            pooled = total / torch.clamp(weights.sum(1), min=1e-9)
        if self._plan.normalize:  # the Normalize module
            pooled = functional.normalize(pooled, p=2, dim=1)
        return pooled


def bert_encoder(model_path: Path, max_tokens: int) -> BertEncoder | None:
    """A :class:`BertEncoder` of the sentence-transformers folder ``model_path``, or None if
    the folder is not of the shape it reproduces (see the module's docstring)."""
    plan = _plan(model_path, max_tokens)
    if plan is None:
        return None
    weights = _weights(plan)
    if weights is None:
        return None
    return BertEncoder(plan, weights, max_tokens)


def runs_on_torch(model_path: Path, max_tokens: int) -> bool:
    """Whether :func:`bert_encoder` will likely take the folder, from its JSON files alone
    (the weights, not read here, may still turn it down: a tensor missing or not float32)."""
    return _plan(model_path, max_tokens) is not None


def _plan(model_path: Path, max_tokens: int) -> _Plan | None:
    """The folder's modules if they are a plain BERT, mean or CLS pooling and optional
    normalization, with nothing sentence-transformers would add, and their weights one
    ``model.safetensors``; else None."""
    modules = _json(model_path / "modules.json")
    if not isinstance(modules, list) or not 2 <= len(modules) <= 3:
        return None
    kinds = [str(module.get("type", "")) for module in modules]
    if any(not kind.startswith("sentence_transformers.") for kind in kinds):
        return None
    if [kind.rsplit(".", 1)[-1] for kind in kinds] != list(_MODULES[: len(modules)]):
        return None
    transformer = model_path / str(modules[0].get("path", ""))
    pooling_folder = model_path / str(modules[1].get("path", ""))
    options = _json(model_path / "config_sentence_transformers.json") or {}
    if options.get("default_prompt_name"):
        return None  # encode would put a prompt before every text
    transformer_options = _json(transformer / "sentence_bert_config.json") or {}
    if set(transformer_options) - _TRANSFORMER_KEYS or transformer_options.get("do_lower_case"):
        return None
    config = _json(transformer / "config.json")
    if not isinstance(config, dict) or not _plain_bert(config, max_tokens):
        return None
    pooling = _pooling(_json(pooling_folder / "config.json"), int(config["hidden_size"]))
    if pooling is None:
        return None
    if not _same_tokenizer(transformer) or not (transformer / "model.safetensors").is_file():
        return None
    return _Plan(transformer, config, pooling, normalize=len(modules) == 3)


def _plain_bert(config: dict[str, Any], max_tokens: int) -> bool:
    """Whether ``config.json`` describes a BERT encoder :class:`BertEncoder` runs as is."""
    sizes = ("hidden_size", "num_attention_heads", "num_hidden_layers")
    if not all(isinstance(config.get(key), int) and config[key] > 0 for key in sizes):
        return False
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act", "gelu") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and not config.get("is_decoder", False)
        and not config.get("add_cross_attention", False)
        and config.get("torch_dtype", config.get("dtype")) in ("float32", None)
        and int(config.get("max_position_embeddings", 512)) >= max_tokens
        and config["hidden_size"] % config["num_attention_heads"] == 0
    )


def _pooling(config: Any, hidden_size: int) -> str | None:
    """``"mean"`` or ``"cls"`` if the Pooling module does exactly that one thing, else None."""
    if not isinstance(config, dict):
        return None
    if int(config.get("word_embedding_dimension", hidden_size)) != hidden_size:
        return None
    modes = {key for key, value in config.items() if key.startswith("pooling_mode") and value}
    return {
        frozenset({"pooling_mode_mean_tokens"}): "mean",
        frozenset({"pooling_mode_cls_token"}): "cls",
    }.get(frozenset(modes))


def _same_tokenizer(transformer: Path) -> bool:
    """Whether ``tokenizer.json`` alone tokenizes as transformers' fast tokenizer would: a
    BERT normalizer whose lower-casing, accent and Chinese-character options agree with
    ``tokenizer_config.json`` (transformers rewrites the normalizer where they differ)."""
    tokenizer = _json(transformer / "tokenizer.json")
    if not isinstance(tokenizer, dict):
        return False
    normalizer = tokenizer.get("normalizer") or {}
    if normalizer.get("type") != "BertNormalizer":
        return False
    options = _json(transformer / "tokenizer_config.json") or {}
    pairs = (
        ("do_lower_case", "lowercase", True),
        ("strip_accents", "strip_accents", None),
        ("tokenize_chinese_chars", "handle_chinese_chars", True),
    )
    return all(
        key not in options or options[key] == normalizer.get(field, default)
        for key, field, default in pairs
    )


def _weights(plan: _Plan) -> dict[str, torch.Tensor] | None:
    """The folder's float32 tensors by name, without a ``bert.`` prefix; None if its
    ``model.safetensors`` lacks a tensor the forward pass reads or holds one of another type."""
    import torch
    from safetensors.torch import load_file

    tensors = load_file(str(plan.transformer / "model.safetensors"))
    weights = {name.removeprefix("bert."): tensor for name, tensor in tensors.items()}
    needed = list(_EMBEDDINGS)
    for index in range(int(plan.config["num_hidden_layers"])):
        for name in _LAYER_TENSORS:
            needed += [f"encoder.layer.{index}.{name}.weight", f"encoder.layer.{index}.{name}.bias"]
    if any(name not in weights or weights[name].dtype != torch.float32 for name in needed):
        return None
    return {name: weights[name] for name in needed}


def _json(path: Path) -> Any:
    """A JSON file's content, or None if it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
