"""The packaged model on torch alone gives sentence-transformers' vectors, bit for bit, and a
folder of another shape is left to sentence-transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from matcher.ranking.bert_encoder import BertEncoder, bert_encoder, runs_on_torch
from matcher.ranking.embedding import (
    MODEL_MODULE,
    TORCH_MODULES,
    load_model,
    model_modules,
    resolve_model_path,
)
from matcher.settings import load_settings

PACKAGED = resolve_model_path(None)
#: Some 600 tokens: cut at the token limit.
LONG = "Managed a team of 12 engineers building data pipelines on Spark and Airflow. " * 40
#: Texts whose batches differ in length and padding: short lines of equal length, documents
#: longer than 256 tokens (cut), accents and scripts the normalizer changes, special-token
#: names, control and zero-width characters, blank space.
TEXTS = [
    "Python developer",
    "Registered nurse",  # the same length as the line above
    "  Forklift operator, warehouse\n\tloading docks  ",
    "",
    "Ünïcödé façade, naïve café; 東京 office; emoji 😀 and symbols ±∑",
    "[CLS] tokens [SEP] a tokenizer treats as its own [PAD] [MASK] [UNK]",
    "\x00\x01 control\u200b zero\u200dwidth \ufeff characters",
    LONG,
    "Led ICU triage, ventilator care and medication rounds for 30 beds. " * 12,
    *[f"Maintained pump station {i} and its telemetry." for i in range(40)],
]


@pytest.fixture(scope="module")
def sentence_transformer():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(PACKAGED), device="cpu")
    model.max_seq_length = 256
    return model


def _folder_like_packaged(root: Path, change: dict[str, dict[str, object]]) -> Path:
    """A copy of the packaged folder (its weights linked, not copied) whose JSON files get
    ``change``: file name -> keys to set (a value None removes the key)."""
    folder = root / "model"
    folder.mkdir()
    for item in PACKAGED.iterdir():
        (folder / item.name).symlink_to(item, target_is_directory=item.is_dir())
    for name, updates in change.items():
        data = json.loads((PACKAGED / name).read_text())
        for key, value in updates.items():
            data.pop(key) if value is None else data.__setitem__(key, value)
        target = folder / name
        if target.parent.is_symlink():  # a module's folder: made real, its files linked
            source = target.parent.resolve()
            target.parent.unlink()
            target.parent.mkdir()
            for item in source.iterdir():
                (target.parent / item.name).symlink_to(item)
        if target.is_symlink():
            target.unlink()
        target.write_text(json.dumps(data))
    return folder


def test_the_packaged_model_gives_sentence_transformers_vectors_bit_for_bit(
    sentence_transformer,
) -> None:
    encoder = bert_encoder(PACKAGED, 256)
    assert isinstance(encoder, BertEncoder)
    for batch_size, normalize in ((32, True), (7, False)):
        ours = encoder.encode(TEXTS, batch_size=batch_size, normalize_embeddings=normalize)
        theirs = sentence_transformer.encode(
            TEXTS, batch_size=batch_size, normalize_embeddings=normalize, convert_to_numpy=True
        )
        assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
        assert np.array_equal(ours, theirs), np.abs(ours - theirs).max()
    assert encoder.encode([]).shape == (0, 384)


def test_a_lower_token_limit_cuts_texts_as_sentence_transformers_does(
    sentence_transformer,
) -> None:
    encoder = bert_encoder(PACKAGED, 256)
    assert encoder is not None
    encoder.max_seq_length = 24
    sentence_transformer.max_seq_length = 24
    try:
        ours = encoder.encode(TEXTS, normalize_embeddings=True)
        theirs = sentence_transformer.encode(TEXTS, normalize_embeddings=True)
    finally:
        sentence_transformer.max_seq_length = 256
    assert np.array_equal(ours, theirs)
    # The limit bites: a long text's vector differs from its uncut one.
    uncut = bert_encoder(PACKAGED, 256)
    assert uncut is not None
    assert not np.array_equal(ours[TEXTS.index(LONG)], uncut.encode([LONG])[0])


def test_cls_pooling_is_reproduced_too(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    pooling = {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}
    folder = _folder_like_packaged(tmp_path, {"1_Pooling/config.json": pooling})
    encoder = load_model(folder, 256)
    assert isinstance(encoder, BertEncoder)
    theirs = SentenceTransformer(str(folder), device="cpu")
    theirs.max_seq_length = 256
    ours = encoder.encode(TEXTS[:8], normalize_embeddings=True)
    assert np.array_equal(ours, theirs.encode(TEXTS[:8], normalize_embeddings=True))
    mean = bert_encoder(PACKAGED, 256)
    assert mean is not None
    assert not np.allclose(ours, mean.encode(TEXTS[:8], normalize_embeddings=True))


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("another architecture", {"config.json": {"model_type": "roberta"}}),
        ("another activation", {"config.json": {"hidden_act": "gelu_new"}}),
        ("half precision", {"config.json": {"torch_dtype": "float16"}}),
        (
            "lower-casing by sentence-transformers",
            {"sentence_bert_config.json": {"do_lower_case": True}},
        ),
        (
            "a transformer option it does not know",
            {"sentence_bert_config.json": {"model_args": {}}},
        ),
        (
            "a default prompt",
            {
                "config_sentence_transformers.json": {
                    "default_prompt_name": "query",
                    "prompts": {"query": "query: "},
                }
            },
        ),
        (
            "max pooling",
            {
                "1_Pooling/config.json": {
                    "pooling_mode_mean_tokens": False,
                    "pooling_mode_max_tokens": True,
                }
            },
        ),
        ("two poolings", {"1_Pooling/config.json": {"pooling_mode_cls_token": True}}),
        (
            "a tokenizer configured apart from its file",
            {"tokenizer_config.json": {"do_lower_case": False}},
        ),
    ],
)
def test_a_folder_of_another_shape_is_left_to_sentence_transformers(
    tmp_path: Path, name: str, change: dict[str, dict[str, object]]
) -> None:
    folder = _folder_like_packaged(tmp_path, change)
    assert not runs_on_torch(folder, 256), name
    assert bert_encoder(folder, 256) is None, name
    settings = load_settings(embedding={"model_path": folder})
    assert model_modules(settings.embedding) == (MODEL_MODULE,)


def test_weights_it_cannot_read_leave_the_folder_to_sentence_transformers(
    tmp_path: Path,
) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    folder = _folder_like_packaged(tmp_path, {})
    tensors = load_file(str(PACKAGED / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    half = {name: tensor.to(torch.float16) for name, tensor in tensors.items()}
    save_file(half, str(folder / "model.safetensors"))
    assert runs_on_torch(folder, 256)  # the JSON files allow it; the weights do not
    assert bert_encoder(folder, 256) is None
    (folder / "model.safetensors").unlink()
    del tensors["encoder.layer.3.output.dense.bias"]
    save_file(tensors, str(folder / "model.safetensors"))
    assert bert_encoder(folder, 256) is None


def test_the_setting_chooses_sentence_transformers(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from matcher.ranking.embedding import Embedder

    settings = load_settings(embedding={"cache_dir": tmp_path / "cache"})
    assert settings.embedding.encoder == "auto"
    assert model_modules(settings.embedding) == TORCH_MODULES
    auto = Embedder.from_settings(settings.embedding, show_progress=False)
    assert isinstance(auto.model, BertEncoder) and auto.model.max_seq_length == 256
    chosen = load_settings(
        embedding={"encoder": "sentence-transformers", "cache_dir": tmp_path / "other-cache"}
    )
    assert model_modules(chosen.embedding) == (MODEL_MODULE,)
    plain = Embedder.from_settings(chosen.embedding, show_progress=False)
    assert isinstance(plain.model, SentenceTransformer)
    assert np.array_equal(auto.embed_texts(TEXTS[:6]), plain.embed_texts(TEXTS[:6]))
    with pytest.raises(ValueError, match=r"embedding\.encoder must be one of"):
        load_model(PACKAGED, 256, "onnx")


def test_a_process_that_encodes_imports_neither_sentence_transformers_nor_transformers() -> None:
    code = (
        "import sys\n"
        "from matcher.ranking.embedding import Embedder\n"
        "vectors = Embedder(show_progress=False).embed_texts(['Python developer'])\n"
        "print(vectors.shape, sorted(m for m in ('transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "(1, 384) []"
