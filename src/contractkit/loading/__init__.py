"""Load OpenAPI documents (YAML or JSON) keeping source positions, and follow ``$ref``s across files.

``Document`` is one parsed file; ``Workspace`` is a root contract plus every file its refs reach.
Linters, the breaking-change diff, the validator and the bundler all read contracts through here,
so what contractkit will read (``boundary``, ``reader``) and how much (``limits``) is decided once.
"""

from contractkit.loading import pointer
from contractkit.loading.boundary import Boundary, find_root
from contractkit.loading.document import Document, Position, PositionIndex, load_document
from contractkit.loading.errors import (
    LimitExceeded,
    LoadError,
    ParseFailure,
    RefError,
    RefRefused,
    RefusedFile,
    UnreadableFile,
)
from contractkit.loading.limits import Limits, LimitSettingError, limits_from_environment
from contractkit.loading.policy import LoadPolicy
from contractkit.loading.structure import Kind, iter_objects
from contractkit.loading.workspace import RefSite, Resolved, Workspace, iter_refs, ref_target

__all__ = [
    "Boundary",
    "Document",
    "Kind",
    "LimitExceeded",
    "LimitSettingError",
    "Limits",
    "LoadError",
    "LoadPolicy",
    "ParseFailure",
    "Position",
    "PositionIndex",
    "RefError",
    "RefRefused",
    "RefSite",
    "RefusedFile",
    "Resolved",
    "UnreadableFile",
    "Workspace",
    "find_root",
    "iter_objects",
    "iter_refs",
    "limits_from_environment",
    "load_document",
    "pointer",
    "ref_target",
]
