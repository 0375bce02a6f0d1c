"""Model files (``.qcmodel``) that are safe to receive from a colleague.

A model file is a zip archive with two members:

- ``manifest.json``: what the model is - the codebook it was trained with (name,
  version, content hash), the coder, a hash of the training data and the keys of
  the turns it learned (:func:`~qualcode.tagging.ml.training.turn_key`), the qualcode,
  scikit-learn and skops versions, the parameters, per-code training counts,
  C and thresholds - and ``content_sha256``, a sha256 over the rest of the
  manifest and the model bytes;
- ``model.skops``: the fitted :class:`~qualcode.tagging.ml.estimator.MLTagger`, written with
  `skops <https://skops.readthedocs.io>`_, never with pickle.

Loading never runs code from the file: skops rebuilds objects from a schema and
only from types it is told to trust.  Before loading, every type named in the
file is checked: scikit-learn, NumPy and SciPy types skops trusts by default,
plus :class:`MLTagger` itself; a file naming any other type is refused with a
:class:`~qualcode.core.errors.ModelError`, as is a file whose content hash does not
match (changed after it was written: the hash detects edits and damage; it is
not a signature, safety comes from the type check), a file of another kind,
and (:meth:`ModelFile.check_codebook`) a model trained with another codebook.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qualcode import __version__
from qualcode.core.errors import ModelError
from qualcode.core.files import MODEL_SUFFIXES, atomic_output
from qualcode.tagging.ml.estimator import MLTagger

FORMAT = "qualcode-model"
#: The suffix of a model file (``save_model`` writes no other).
FORMAT_VERSION = 1
MANIFEST, PAYLOAD = "manifest.json", "model.skops"
#: Types outside skops' default trusted set that a qualcode model may contain.
TRUSTED_TYPES = ("qualcode.tagging.ml.estimator.MLTagger", "qualcode.tagging.ml.estimator.CharNgramsByWord")
MAX_MEMBER_BYTES = 2 * 1024 ** 3


@dataclass
class ModelFile:
    """A loaded model: the fitted tagger and its manifest."""

    tagger: MLTagger
    info: dict
    path: str | None = None

    @property
    def codebook(self) -> dict:
        return self.info["codebook"]

    @property
    def coder(self) -> str:
        return self.info["coder"]

    def check_codebook(self, name: str, version: str, hash_: str) -> None:
        """Refuse a codebook other than the one the model was trained with."""
        mine = self.codebook
        if mine["hash"] != hash_:
            raise ModelError(
                f"model was trained with codebook {mine['name']!r} version {mine['version']} "
                f"(hash {mine['hash'][:12]}), not with the codebook in use {name!r} version {version} "
                f"(hash {hash_[:12]}); retrain it with `qualcode train`", self.path)


def _content_hash(manifest: dict, payload: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "content_sha256"}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    digest.update(b"\0")
    digest.update(payload)
    return digest.hexdigest()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def model_manifest(tagger: MLTagger, data) -> dict:
    """The manifest for a tagger fitted on ``data`` (a :class:`~qualcode.tagging.ml.training.TrainingData`)."""
    import sklearn
    import skops

    codes = []
    for j, code in enumerate(tagger.classes_):
        learned = bool(tagger.learned_[j])
        codes.append({"code": str(code), "positives": int(tagger.positives_[j]), "learned": learned,
                      "C": float(tagger.C_[j]) if learned else None,
                      "threshold": float(tagger.thresholds_[j]) if learned else None,
                      "cv_f1": round(float(tagger.cv_f1_[j]), 6) if learned else None})
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "codebook": {"name": data.codebook.name, "version": data.codebook.version,
                     "hash": data.codebook.hash},
        "coder": data.coder, "training_source": data.source,
        "training_turns": int(tagger.n_samples_), "training_data_sha256": data.data_hash,
        "training_turn_keys": sorted(data.turn_keys),
        "parents": {c: p for c, p in data.codebook.parents.items()},
        "params": _jsonable(tagger.get_params()), "codes": codes,
        "versions": {"qualcode": __version__, "scikit-learn": sklearn.__version__,
                     "skops": skops.__version__},
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def save_model(tagger: MLTagger, path: str | Path, manifest: dict) -> ModelFile:
    """Write ``tagger`` and ``manifest`` (see :func:`model_manifest`) atomically to ``path``;
    the saved model as :func:`load_model` would read it back (its manifest with the content hash)."""
    import skops.io as sio

    payload = sio.dumps(tagger)
    manifest = dict(manifest)
    manifest["content_sha256"] = _content_hash(manifest, payload)
    with atomic_output(path, MODEL_SUFFIXES) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            archive.writestr(PAYLOAD, payload)
    return ModelFile(tagger, manifest, str(path))


def read_manifest(path: str | Path) -> tuple[dict, bytes]:
    """The manifest and model bytes, after checking the file's kind and content hash."""
    path = Path(path)
    not_model = ModelError("not a qualcode model file (write one with `qualcode train`)", path)
    if not path.is_file():
        raise ModelError("model file not found", path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if names != {MANIFEST, PAYLOAD}:
                raise not_model
            for member in archive.infolist():
                if member.file_size > MAX_MEMBER_BYTES:
                    raise ModelError(f"model file member {member.filename} is too large", path)
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            payload = archive.read(PAYLOAD)
    except (zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError, OSError, EOFError):
        raise not_model from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise not_model
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(f"model file format version {version} is newer than this qualcode understands "
                         f"({FORMAT_VERSION}); upgrade qualcode", path)
    if manifest.get("content_sha256") != _content_hash(manifest, payload):
        raise ModelError("model file was changed after it was written (its content hash does not "
                         "match); refusing to load it", path)
    return manifest, payload


def load_model(path: str | Path) -> ModelFile:
    """Load a model file safely (see the module documentation for what is refused)."""
    import skops.io as sio

    manifest, payload = read_manifest(path)
    try:
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as exc:  # skops raises many kinds on a malformed payload
        raise ModelError(f"model file is damaged ({type(exc).__name__})", path) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelError(f"model file contains types qualcode does not trust ({', '.join(refused)}); "
                         "refusing to load it", path)
    try:
        tagger = sio.loads(payload, trusted=[t for t in untrusted])
    except Exception as exc:
        raise ModelError(f"model file is damaged ({type(exc).__name__}: {exc})", path) from None
    if not isinstance(tagger, MLTagger):
        raise ModelError(f"model file holds a {type(tagger).__name__}, not a qualcode MLTagger", path)
    codes = [c["code"] for c in manifest.get("codes", [])]
    if [str(c) for c in tagger.classes_] != codes:
        raise ModelError("model file's manifest does not describe its model (codes differ)", path)
    return ModelFile(tagger, manifest, str(path))
