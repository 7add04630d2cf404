"""A contract's API reference page: every operation, parameter, body, response, example, link, error.

Plain Markdown, so the site's search indexes it and its links are checked by the strict build.
Operations are grouped by their first tag in the order the contract lists its tags; each has an
anchor named after its operationId (``api/#redeemCoupon``), each schema one named ``schema-<name>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sitegen import blocks
from sitegen.contracts import Contract, Operation, ProblemType, deref, operations, problem_slugs
from sitegen.schemas import SchemaRenderer, resolve, schema_anchor

_HEADER_PREFIX = "#/components/headers/"
_SUCCESS = ("1", "2", "3")


class ApiReference:
    """Renders one contract; ``errors_prefix`` is the relative path from the page to ``errors/``."""

    def __init__(self, contract: Contract, catalogue: Mapping[str, ProblemType], errors_prefix: str) -> None:
        self._contract = contract
        self._doc = contract.document
        self._catalogue = catalogue
        self._errors_prefix = errors_prefix
        self._schemas = SchemaRenderer(self._doc)

    def render(self) -> str:
        lines = self._introduction()
        lines += self._security()
        lines += self._summary()
        for tag, description, ops in self._groups():
            lines += [f"## {tag}", ""]
            if description:
                lines += [description, ""]
            for op in ops:
                lines += self._operation(op)
        lines += self._schema_section()
        lines += self._header_section()
        return "\n".join(lines) + "\n"

    # --- page head -----------------------------------------------------------------------------
    def _introduction(self) -> list[str]:
        info = self._doc.get("info", {})
        lines = [f"# {self._contract.title}: API reference", ""]
        if info.get("summary"):
            lines += [str(info["summary"]), ""]
        lines += [
            '!!! info "Generated from the contract"',
            f"    This page is generated from {blocks.code(self._contract.source)} at every build of the site.",
            "    Change the contract, not this page.",
            "",
        ]
        servers = ", ".join(blocks.code(server.get("url", "")) for server in self._doc.get("servers", []))
        lines += blocks.table(
            ["contract", "value"],
            [
                ("version", blocks.code(info.get("version", ""))),
                ("OpenAPI", blocks.code(self._doc.get("openapi", ""))),
                ("source", blocks.code(self._contract.source)),
                ("servers", servers or "none listed"),
                ("license", str((info.get("license") or {}).get("name", "not stated"))),
            ],
        )
        if info.get("description"):
            lines += [str(info["description"]).strip(), ""]
        return lines

    def _security(self) -> list[str]:
        schemes = (self._doc.get("components") or {}).get("securitySchemes") or {}
        if not schemes:
            return []
        lines = ["## Authentication", ""]
        for name, raw in schemes.items():
            scheme = deref(self._doc, raw)
            lines += [f"**{name}** ({blocks.code(scheme.get('type', ''))})", ""]
            if scheme.get("description"):
                lines += [blocks.one_line(scheme["description"]), ""]
            for flow_name, flow in (scheme.get("flows") or {}).items():
                lines += [f"Flow {blocks.code(flow_name)}, token URL {blocks.code(flow.get('tokenUrl', ''))}.", ""]
                lines += blocks.table(
                    ["scope", "grants"], [(blocks.code(s), text) for s, text in (flow.get("scopes") or {}).items()]
                )
        return lines

    def _summary(self) -> list[str]:
        rows = [
            (
                blocks.code(op.method),
                blocks.code(op.path),
                f"[{op.operation_id}](#{op.operation_id})",
                str(op.spec.get("summary", "")),
                self._scopes_text(op),
            )
            for _, _, ops in self._groups()
            for op in ops
        ]
        return ["## Operations", "", *blocks.table(["method", "path", "operation", "summary", "scope"], rows)]

    def _groups(self) -> list[tuple[str, str, list[Operation]]]:
        declared = [(str(tag["name"]), str(tag.get("description", ""))) for tag in self._doc.get("tags", [])]
        grouped: dict[str, list[Operation]] = {name: [] for name, _ in declared}
        for op in operations(self._doc):
            tags = op.spec.get("tags") or ["Other operations"]
            grouped.setdefault(str(tags[0]), []).append(op)
        descriptions = dict(declared)
        return [(name, descriptions.get(name, ""), ops) for name, ops in grouped.items() if ops]

    # --- one operation -------------------------------------------------------------------------
    def _operation(self, op: Operation) -> list[str]:
        spec = op.spec
        lines = [f"### {spec.get('summary', op.operation_id)} {{#{op.operation_id}}}", ""]
        lines += [
            f"{blocks.code(op.method + ' ' + op.path)} · operationId {blocks.code(op.operation_id)}"
            f" · {self._scopes_text(op)}",
            "",
        ]
        if spec.get("deprecated"):
            lines += ['!!! warning "Deprecated"', "    Clients should move off this operation before its sunset.", ""]
        if spec.get("description"):
            lines += [str(spec["description"]).strip(), ""]
        lines += self._parameters(op)
        lines += self._request_body(op)
        lines += self._responses(op)
        return lines

    def _scopes_text(self, op: Operation) -> str:
        security = op.spec.get("security", self._doc.get("security", []))
        scopes = [scope for requirement in security for values in requirement.values() for scope in values]
        if not security:
            return "no authentication"
        if not scopes:
            return "any valid token"
        return "scope " + ", ".join(blocks.code(scope) for scope in scopes)

    def _parameters(self, op: Operation) -> list[str]:
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        for raw in [*op.shared_parameters, *op.spec.get("parameters", [])]:
            param = deref(self._doc, raw)
            merged[(str(param["name"]).lower(), str(param["in"]))] = param  # operation-level overrides
        rows = []
        for param in merged.values():
            schema = param.get("schema", {})
            description = blocks.one_line(param.get("description", "") or self._schemas.description(schema))
            if "example" in param:
                description += f" Example: {blocks.code(param['example'])}."
            rows.append(
                (
                    blocks.code(param["name"]),
                    str(param["in"]),
                    "yes" if param.get("required", param["in"] == "path") else "no",
                    self._schemas.type_text(schema),
                    self._schemas.constraints(schema),
                    description,
                )
            )
        if not rows:
            return []
        return [
            "**Parameters**",
            "",
            *blocks.table(["name", "in", "required", "type", "constraints", "description"], rows),
        ]

    def _request_body(self, op: Operation) -> list[str]:
        if "requestBody" not in op.spec:
            return []
        body = deref(self._doc, op.spec["requestBody"])
        required = "required" if body.get("required") else "optional"
        lines = []
        for media_type, media in (body.get("content") or {}).items():
            lines += [f"**Request body** ({blocks.code(media_type)}, {required})", ""]
            if body.get("description"):
                lines += [blocks.one_line(body["description"]), ""]
            lines += self._body(media, f"Request example of {op.operation_id}")
        return lines

    def _body(self, media: Mapping[str, Any], example_title: str) -> list[str]:
        schema = media.get("schema", {})
        lines = [self._schema_line(schema), ""]
        lines += self._schemas.table(schema)
        lines += self._examples(media, example_title)
        return lines

    def _schema_line(self, schema: Any) -> str:
        target, _ = resolve(self._doc, schema)
        text = "Schema: " + self._schemas.type_text(schema)
        constraints = self._schemas.constraints(schema)
        if constraints:
            text += f" ({constraints})"
        description = self._schemas.description(schema)
        if description:
            text += " — " + blocks.one_line(description)
        if self._schemas.closed(schema) or target.get("additionalProperties") is False:
            text += " No other properties are accepted."
        return text

    def _examples(self, media: Mapping[str, Any], title: str) -> list[str]:
        found: list[tuple[str, Any]] = []
        if "example" in media:
            found.append((title, media["example"]))
        for name, raw in (media.get("examples") or {}).items():
            example = deref(self._doc, raw)
            summary = example.get("summary")
            found.append((f"{title}: {name}" + (f" ({summary})" if summary else ""), example.get("value")))
        lines: list[str] = []
        for label, value in found:
            lines += [f'??? example "{label.replace(chr(34), chr(39))}"', *blocks.json_block(value, indent=4), ""]
        return lines

    # --- responses -----------------------------------------------------------------------------
    def _responses(self, op: Operation) -> list[str]:
        responses = op.spec.get("responses") or {}
        rows = []
        for status, raw in responses.items():
            response = deref(self._doc, raw)
            rows.append(
                (
                    f"[{status}](#{op.operation_id}-{status})" if self._is_success(status) else str(status),
                    self._response_description(response),
                    self._response_body_type(response),
                    self._header_names(response),
                    self._problem_links(raw),
                )
            )
        lines = ["**Responses**", "", *blocks.table(["status", "description", "body", "headers", "problems"], rows)]
        for status, raw in responses.items():
            if self._is_success(status):
                lines += self._success(op, str(status), deref(self._doc, raw))
        lines += self._problem_examples(op, responses)
        return lines

    @staticmethod
    def _is_success(status: object) -> bool:
        return str(status).startswith(_SUCCESS)

    def _response_description(self, response: Mapping[str, Any]) -> str:
        text = blocks.one_line(response.get("description", ""))
        if response.get("x-semantic-rejection") is True:
            text += " *(`x-semantic-rejection`: a schema-valid request can receive this answer.)*"
        return text

    def _response_body_type(self, response: Mapping[str, Any]) -> str:
        parts = [
            f"{blocks.code(media_type)} {self._schemas.type_text(media.get('schema', {}))}"
            for media_type, media in (response.get("content") or {}).items()
        ]
        return "<br>".join(parts) or "none"

    def _header_names(self, response: Mapping[str, Any]) -> str:
        names = []
        for name, raw in (response.get("headers") or {}).items():
            ref = raw.get("$ref", "") if isinstance(raw, dict) else ""
            if ref.startswith(_HEADER_PREFIX):
                names.append(f"[{blocks.code(name)}](#header-{ref.removeprefix(_HEADER_PREFIX).lower()})")
            else:
                names.append(blocks.code(name))
        return ", ".join(names)

    def _problem_links(self, response: Any) -> str:
        slugs = problem_slugs(self._doc, response, self._catalogue)
        return ", ".join(
            f"[{blocks.code(self._catalogue[slug].code)}]({self._errors_prefix}{slug}.md)" for slug in slugs
        )

    def _success(self, op: Operation, status: str, response: Mapping[str, Any]) -> list[str]:
        lines = [
            f"#### {status}: {blocks.one_line(response.get('description', ''))} {{#{op.operation_id}-{status}}}",
            "",
        ]
        header_rows = []
        for name, raw in (response.get("headers") or {}).items():
            header = deref(self._doc, raw)
            schema = header.get("schema", {})
            header_rows.append(
                (
                    blocks.code(name),
                    "yes" if header.get("required") else "no",
                    self._schemas.type_text(schema),
                    blocks.one_line(header.get("description", "")),
                )
            )
        if header_rows:
            lines += ["Headers:", "", *blocks.table(["header", "always sent", "type", "description"], header_rows)]
        for media_type, media in (response.get("content") or {}).items():
            lines += [f"Body ({blocks.code(media_type)}):", ""]
            lines += self._body(media, f"Response example of {op.operation_id} ({status})")
        lines += self._links(response)
        return lines

    def _links(self, response: Mapping[str, Any]) -> list[str]:
        rows = []
        for name, raw in (response.get("links") or {}).items():
            link = deref(self._doc, raw)
            target = str(link.get("operationId", link.get("operationRef", "")))
            parameters = ", ".join(
                f"{blocks.code(key)} ← {blocks.code(value)}" for key, value in (link.get("parameters") or {}).items()
            )
            body = link.get("requestBody")
            rows.append(
                (
                    blocks.code(name),
                    f"[{target}](#{target})" if "operationId" in link else blocks.code(target),
                    parameters or "none",
                    blocks.code(_flat_json(body)) if body is not None else "none",
                )
            )
        if not rows:
            return []
        return [
            "Links (what a client, or the stateful conformance run, can call next with values from this answer):",
            "",
            *blocks.table(["link", "operation", "parameters", "request body"], rows),
        ]

    def _problem_examples(self, op: Operation, responses: Mapping[str, Any]) -> list[str]:
        lines: list[str] = []
        for status, raw in responses.items():
            if self._is_success(status):
                continue
            response = deref(self._doc, raw)
            for media_type, media in (response.get("content") or {}).items():
                values = [media["example"]] if "example" in media else []
                values += [deref(self._doc, e).get("value") for e in (media.get("examples") or {}).values()]
                for value in values:
                    lines += [f"{status} ({blocks.code(media_type)}):", "", *blocks.json_block(value), ""]
        if not lines:
            return []
        return [f'??? example "Problem examples of {op.operation_id}"', *blocks.indent(lines), ""]

    # --- components ----------------------------------------------------------------------------
    def _schema_section(self) -> list[str]:
        schemas = (self._doc.get("components") or {}).get("schemas") or {}
        if not schemas:
            return []
        lines = ["## Schemas", ""]
        for name in schemas:
            node = {"$ref": f"#/components/schemas/{name}"}
            schema, _ = resolve(self._doc, node)
            lines += [f"### {name} {{#{schema_anchor(name)}}}", ""]
            if schema.get("description"):
                lines += [blocks.one_line(schema["description"]), ""]
            rows = self._schemas.table(node)
            if rows:
                lines += rows
                if self._schemas.closed(node):
                    lines += ["No other properties are accepted.", ""]
            else:
                kind = self._schemas.plain_type(schema)
                constraints = self._schemas.constraints(node)
                lines += [f"Type: {kind}" + (f"; {constraints}." if constraints else "."), ""]
            if "example" in schema:
                lines += [f'??? example "Example of {name}"', *blocks.json_block(schema["example"], indent=4), ""]
        return lines

    def _header_section(self) -> list[str]:
        headers = (self._doc.get("components") or {}).get("headers") or {}
        if not headers:
            return []
        lines = ["## Response headers", ""]
        for name, raw in headers.items():
            header = deref(self._doc, raw)
            schema = header.get("schema", {})
            lines += [f"### {name} {{#header-{name.lower()}}}", ""]
            lines += [blocks.one_line(header.get("description", "")), ""]
            constraints = self._schemas.constraints(schema)
            detail = f"Type: {self._schemas.type_text(schema)}" + (f"; {constraints}" if constraints else "")
            if "example" in header:
                detail += f"; example {blocks.code(header['example'])}"
            lines += [detail + ".", ""]
        return lines


def _flat_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
