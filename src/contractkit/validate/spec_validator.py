"""Run openapi-spec-validator over a loaded workspace and say where each error really is.

The validator reports two kinds of error: JSON Schema errors against the OpenAPI meta-schema,
whose paths start at the root, and errors from its keyword validators (schemas, defaults,
duplicate parameters...), whose paths start at whatever object was being checked and may lie in
another file reached through ``$ref``. Each keyword validator is wrapped so its errors get the
object's logical path prepended; the workspace then follows that path through refs to a file
and line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from jsonschema.exceptions import ValidationError, best_match
from jsonschema_path.paths import SchemaPath
from openapi_spec_validator import (
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    OpenAPIV32SpecValidator,
)
from openapi_spec_validator.validation.keywords import KeywordValidator
from openapi_spec_validator.validation.validators import SpecValidator
from referencing.exceptions import Unresolvable

from contractkit.loading import LimitExceeded, LoadError, RefusedFile, Workspace
from contractkit.loading import pointer as jsonpointer
from contractkit.problems import Problem

# Messages quote the offending instance; a whole path item quoted back is noise, not help.
_MAX_MESSAGE = 300
_LOCATED = "_contractkit_located"


def spec_problems(workspace: Workspace, refs_reported: bool = False) -> list[Problem]:
    """Every openapi-spec-validator error for the workspace's root, located by file and line.

    The validator stops at the first ``$ref`` it cannot resolve; ``refs_reported`` says the
    caller already reported the broken refs, so the note about stopping need not repeat why.
    """
    root = workspace.root
    data = root.data
    if not isinstance(data, dict):
        return [_problem(workspace, "", "an OpenAPI document must be a mapping at the top level")]
    validator_class = _validator_for(data.get("openapi"))
    if validator_class is None:
        message = f"unsupported `openapi` version {data.get('openapi')!r}: expected 3.0.x, 3.1.x or 3.2.x"
        return [_problem(workspace, "/openapi", message)]
    handlers = _WorkspaceOnly(workspace)
    spec = SchemaPath.from_dict(data, base_uri=root.uri, handlers=handlers)
    problems: list[Problem] = []
    try:
        for error in validator_class(spec, base_uri=root.uri).iter_errors():
            tokens = [str(token) for token in error.absolute_path]
            problems.append(_problem(workspace, jsonpointer.join(tokens), _message(error)))
    except (Unresolvable, LoadError) as exc:
        limit = _limit_behind(exc)
        if limit is not None:
            raise limit from None
        reason = "a broken $ref (reported separately)" if refs_reported else f"an unresolvable reference: {exc}"
        message = _shorten(f"validation stopped early at {reason}; fix it to see any further problems")
        problems.append(_problem(workspace, "", message))
    except Exception as exc:  # the validator's own crash on a malformed document, see below
        # openapi-spec-validator walks documents it has just found invalid (a path item that is a
        # number, a $ref cycle) and fails with KeyError, AttributeError or RecursionError. What it had
        # reported stands; the rest is named by the exception type only (its text can quote the document).
        limit = _limit_behind(exc)
        if limit is not None:
            raise limit from None
        message = (
            f"validation stopped early: the OpenAPI validator could not go on ({type(exc).__name__}); "
            "fix the problems reported here to see any further ones"
        )
        problems.append(_problem(workspace, "", message))
    return problems


def _limit_behind(exc: BaseException) -> LimitExceeded | None:
    """A limit met while the validator followed a reference (it wraps what its retriever raised)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, LimitExceeded):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _validator_for(version: object) -> type[SpecValidator] | None:
    if not isinstance(version, str):
        return None
    for prefix, base in (("3.0.", OpenAPIV30SpecValidator), ("3.1.", OpenAPIV31SpecValidator)):
        if version.startswith(prefix):
            return _LOCATED_VALIDATORS[base]
    if version.startswith("3.2."):
        return _LOCATED_VALIDATORS[OpenAPIV32SpecValidator]
    return None


def _problem(workspace: Workspace, logical_pointer: str, message: str) -> Problem:
    document, pointer = workspace.locate(workspace.root, logical_pointer)
    where = document.position(pointer)
    return Problem(file=where.file, line=where.line, pointer=pointer, message=message, column=where.column)


def _message(error: ValidationError) -> str:
    # "not valid under any of the given schemas" says little; the best sub-error says what to fix.
    if error.context:
        error = best_match(error.context)
    # The library appends "Failed validating ... in schema ..." dumps after a blank line.
    return _shorten(str(error.message).split("\n\n", 1)[0].strip())


def _shorten(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


class _WorkspaceOnly(dict[str, Any]):
    """Retrieval for the validator's ref resolver: files through the workspace, every other scheme refused.

    jsonschema-path opens any scheme it has no handler for with ``urllib`` (``ftp:``, ``http:``...);
    claiming every scheme keeps it from ever doing so. Files go through the workspace, so the root
    boundary and the limits apply to them too.
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Any:
        return self._from_workspace if scheme == "file" else self._refuse

    def _from_workspace(self, uri: str) -> Any:
        return self._workspace.document(Path(url2pathname(urlsplit(uri).path))).data

    @staticmethod
    def _refuse(uri: str) -> Any:
        raise RefusedFile(Path(urlsplit(uri).scheme or "?"), "only files relative to the contract can be referenced")


def _locating(name: str, keyword: type[KeywordValidator]) -> type[KeywordValidator]:
    """Wrap one keyword validator so its errors carry the logical path of the object it checked."""
    # Values (`default`) are checked against their schema; the error is about the `default` next to it.
    suffix = ("default",) if name == "default" else ()

    class Locating(keyword):  # type: ignore[valid-type,misc]  # a class built from a runtime value
        def __call__(self, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
            where = next((arg for arg in args if isinstance(arg, SchemaPath)), None)
            for error in super().__call__(*args, **kwargs):
                # Nested validators run inside outer ones: the innermost knows the exact object.
                if where is not None and not getattr(error, _LOCATED, False):
                    error.path.extendleft(reversed([*where.parts, *suffix]))
                    setattr(error, _LOCATED, True)
                yield error

    Locating.__name__ = Locating.__qualname__ = f"Locating{keyword.__name__}"
    return Locating


def _located_validator(base: type[SpecValidator]) -> type[SpecValidator]:
    keywords: Mapping[str, type[KeywordValidator]] = base.keyword_validators
    return type(
        f"Located{base.__name__}",
        (base,),
        {"keyword_validators": {name: _locating(name, cls) for name, cls in keywords.items()}},
    )


_LOCATED_VALIDATORS = {
    base: _located_validator(base)
    for base in (OpenAPIV30SpecValidator, OpenAPIV31SpecValidator, OpenAPIV32SpecValidator)
}
