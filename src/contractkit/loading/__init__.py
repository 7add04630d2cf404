"""Load OpenAPI documents (YAML or JSON) keeping source positions, and follow ``$ref``s across files.

``Document`` is one parsed file; ``Workspace`` is a root contract plus every file its refs reach.
Linters, the breaking-change diff, the validator and the bundler all read contracts through here.
"""

from contractkit.loading import pointer
from contractkit.loading.document import Document, Position, PositionIndex, load_document
from contractkit.loading.errors import LoadError, ParseFailure, RefError, UnreadableFile
from contractkit.loading.structure import Kind, iter_objects
from contractkit.loading.workspace import RefSite, Resolved, Workspace, iter_refs, ref_target

__all__ = [
    "Document",
    "Kind",
    "LoadError",
    "ParseFailure",
    "Position",
    "PositionIndex",
    "RefError",
    "RefSite",
    "Resolved",
    "UnreadableFile",
    "Workspace",
    "iter_objects",
    "iter_refs",
    "load_document",
    "pointer",
    "ref_target",
]
