"""Seeded defects of the reference coupon service: realistic slips, one per mutant, in every category.

Each mutant edits a copy of `src/dataservices` (every edit's text must occur exactly once, so a refactor
that moves the code makes the mutant fail loudly instead of silently testing nothing) and names the
promises that must catch it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace `old` (which must occur exactly once) with `new` in one file under src/dataservices/."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    id: str
    category: str
    defect: str
    edits: tuple[Edit, ...]
    promises: frozenset[str]  # at least one of these must be reported broken


def _mutant(id: str, category: str, defect: str, promises: str, *edits: Edit) -> Mutant:
    return Mutant(id=id, category=category, defect=defect, edits=edits, promises=frozenset(promises.split()))


_JWT_OPTIONS = 'options={"require": ["exp", "sub", "iss", "aud"]},'


def _jwt(option: str) -> Edit:
    return Edit("common/auth.py", _JWT_OPTIONS, f'options={{"require": ["sub", "iss", "aud"], "{option}": False}},')


MUTANTS: tuple[Mutant, ...] = (
    _mutant("auth-expired", "auth", "accepts an expired token", "KIT-105", _jwt("verify_exp")),
    _mutant("auth-not-before", "auth", "accepts a token that is not valid yet", "KIT-106", _jwt("verify_nbf")),
    _mutant("auth-audience", "auth", "accepts a token for another audience", "KIT-107", _jwt("verify_aud")),
    _mutant("auth-issuer", "auth", "accepts a token from another issuer", "KIT-108", _jwt("verify_iss")),
    _mutant(
        "auth-signature",
        "auth",
        "does not verify signatures (alg none passes)",
        "KIT-103 KIT-104",
        _jwt("verify_signature"),
    ),
    _mutant(
        "auth-challenge",
        "auth",
        "sends 401 without its WWW-Authenticate challenge",
        "KIT-101",
        Edit(
            "common/auth.py",
            'raise Unauthenticated("Send a bearer token in the Authorization header.", headers=_challenge())',
            'raise Unauthenticated("Send a bearer token in the Authorization header.")',
        ),
    ),
    _mutant(
        "auth-scope",
        "auth",
        "accepts a token without the operation's scope",
        "KIT-109",
        Edit(
            "common/auth.py",
            "missing = [scope for scope in scopes if scope not in principal.scopes]",
            "missing: list[str] = []",
        ),
    ),
    _mutant(
        "idem-body-ignored",
        "idempotency",
        "replays a request whose body changed",
        "KIT-202",
        Edit(
            "common/endpoint.py",
            "fingerprint=fingerprint(self.operation.method, self.path, self.body),",
            "fingerprint=fingerprint(self.operation.method, self.path, None),",
        ),
    ),
    _mutant(
        "idem-shared-keys",
        "idempotency",
        "shares idempotency keys across clients",
        "KIT-204",
        Edit("common/endpoint.py", "client_id=self.client_id,", 'client_id="shared",'),
    ),
    _mutant(
        "idem-no-replay-header",
        "idempotency",
        "replays without Idempotent-Replayed",
        "KIT-201 KIT-203",
        Edit("common/http.py", 'headers[REPLAY_HEADER] = "true"', "pass"),
    ),
    _mutant(
        "idem-check-then-act",
        "idempotency",
        "runs a duplicate in-flight request again (looks for an answer first, claims nothing, saves last)",
        "KIT-203",
        Edit(
            "common/idempotency.py",
            "        def once(tx: Transaction) -> StoredResponse:\n"
            "            claim = self.claim(tx, request)\n"
            "            if isinstance(claim, StoredResponse):\n"
            "                return claim\n",
            "        peek = select(self._table).where(self._where(request))\n"
            "        seen = await self._db.read(lambda tx: tx.execute(peek).first())\n"
            "        if seen is not None and seen.state == COMPLETED:\n"
            "            replay = await self._db.write(lambda tx: self.claim(tx, request))\n"
            "            return replay  # type: ignore[return-value]\n"
            "\n"
            "        def once(tx: Transaction) -> StoredResponse:\n"
            "            claim = Claim(utc_now())\n",
        ),
        Edit(
            "common/idempotency.py",
            "        result = tx.execute(self._complete_key, "
            '{**self._key(request), "b_claim": claim, **self._answer(response)})\n'
            "        if result.rowcount != 1:",
            "        row = {**self._row(request, COMPLETED, claim), **self._answer(response)}\n"
            "        last = insert_for(tx.dialect_name, self._table).values(**row).on_conflict_do_update(\n"
            '            index_elements=["client_id", "idempotency_key"], set_=self._answer(response)\n'
            "        )\n"
            "        tx.execute(last)\n"
            "        if False:",
        ),
        Edit(
            "common/idempotency.py",
            "insert = insert_for(tx.dialect_name, self._table).values(**row).on_conflict_do_nothing()",
            "insert = insert_for(tx.dialect_name, self._table).values(**row).on_conflict_do_update(\n"
            '            index_elements=["client_id", "idempotency_key"], set_=self._answer(response)\n'
            "        )",
        ),
    ),
    _mutant(
        "idem-missing-key-422",
        "idempotency",
        "answers a missing Idempotency-Key with 422",
        "KIT-205",
        Edit("common/validation.py", '"idempotency-key": (', '"x-never-sent": ('),
    ),
    _mutant(
        "limit-ignores-holds",
        "concurrency",
        "redeems past the total limit once holds exist",
        "COUPON-102",
        Edit(
            "coupon/repository.py",
            "c.confirmed_count + c.reserved_count < c.total_limit",
            "c.confirmed_count < c.total_limit",
        ),
    ),
    _mutant(
        "limit-per-user-off-by-one",
        "concurrency",
        "lets a user exceed the per-user limit by one",
        "COUPON-103 COUPON-104",
        Edit("coupon/repository.py", "where=u.used < limit)", "where=u.used <= limit)"),
    ),
    _mutant(
        "counters-release-kept",
        "concurrency",
        "keeps the reserved count when a hold is released",
        "COUPON-105 COUPON-107",
        Edit("coupon/service.py", "reserved=1 if source == RESERVED else 0,", "reserved=0,"),
    ),
    _mutant(
        "state-expired-hold-kept",
        "states",
        "keeps the usage of expired holds",
        "COUPON-106",
        Edit(
            "coupon/repository.py",
            '_COUPON_SELECT = select(coupons, (c.reserved_count - _STALE).label("reserved_live"))',
            '_COUPON_SELECT = select(coupons, c.reserved_count.label("reserved_live"))',
        ),
        Edit(
            "coupon/repository.py",
            "    released = tx.execute(",
            "    return 0\n    released = tx.execute(",
        ),
    ),
    _mutant(
        "state-cancel-kept",
        "states",
        "keeps the usage of cancelled redemptions",
        "COUPON-107",
        Edit("coupon/service.py", "confirmed=1 if source == CONFIRMED else 0,", "confirmed=0,"),
    ),
    _mutant(
        "state-release-confirmed",
        "states",
        "releases a confirmed redemption instead of a reserved one",
        "KIT-501",
        Edit(
            "coupon/service.py",
            'return await self._transition(redemption_id, RESERVED, RELEASED, "released")',
            'return await self._transition(redemption_id, CONFIRMED, RELEASED, "released")',
        ),
    ),
    _mutant(
        "money-rounds-up",
        "money",
        "rounds a percentage discount up",
        "COUPON-201",
        Edit(
            "coupon/model.py",
            "discount = order_amount * (coupon.discount_percent or 0) // 100",
            "discount = -(-order_amount * (coupon.discount_percent or 0) // 100)",
        ),
    ),
    _mutant(
        "money-no-maximum",
        "money",
        "ignores the maximum discount",
        "COUPON-201",
        Edit("coupon/model.py", "discount = min(discount, coupon.maximum_discount)", "discount = discount"),
    ),
    _mutant(
        "money-above-order",
        "money",
        "gives a discount above the order amount",
        "COUPON-203 COUPON-201",
        Edit("coupon/model.py", "return min(discount, order_amount)", "return discount"),
    ),
    _mutant(
        "money-quote-differs",
        "money",
        "redeems a different discount than it quotes",
        "COUPON-202",
        Edit(
            "coupon/service.py",
            '"discount_amount": discount_for(coupon, amount),',
            '"discount_amount": discount_for(coupon, amount + 99),',
        ),
    ),
    _mutant(
        "http-no-location",
        "http",
        "omits Location on a created redemption",
        "KIT-301",
        Edit("coupon/api.py", 'headers={"Location": f"/v1/redemptions/{redemption.id}"}', "headers={}"),
    ),
    _mutant(
        "http-stale-if-match",
        "http",
        "ignores a stale If-Match",
        "KIT-302",
        Edit("common/http.py", "if if_match.strip() != etag(version):", "if False:"),
    ),
    _mutant(
        "http-missing-if-match-422",
        "http",
        "answers a missing If-Match with 422 instead of 428",
        "KIT-302",
        Edit("common/validation.py", '"if-match": (PreconditionRequired,', '"x-never-sent": (PreconditionRequired,'),
    ),
    _mutant(
        "http-page-boundary",
        "http",
        "skips an item at a page boundary",
        "KIT-303",
        Edit("common/pagination.py", "next_cursor = id_of(items[-1])", "next_cursor = id_of(rows[page.limit])"),
    ),
    _mutant(
        "http-filter-ignored",
        "http",
        "ignores the status filter of a list",
        "KIT-304",
        Edit(
            "coupon/api.py",
            '        user_id=call.params.get("userId"),\n        status=call.params.get("status"),',
            '        user_id=call.params.get("userId"),\n        status=None,',
        ),
    ),
    _mutant(
        "http-exhausted-422",
        "http",
        "answers an exhausted coupon with 422 instead of 409",
        "COUPON-101 COUPON-302",
        Edit(
            "coupon/errors.py",
            'slug, title, code = "coupon-exhausted", "Coupon exhausted", "COUPON_EXHAUSTED"',
            'slug, title, code = "coupon-exhausted", "Coupon exhausted", "COUPON_EXHAUSTED"\n    status = 422',
        ),
    ),
    _mutant(
        "input-no-size-limit",
        "input",
        "reads bodies of any size",
        "KIT-401",
        Edit("common/app.py", "    app.add_middleware(BodySizeLimit, max_bytes=parts.settings.max_body_bytes)\n", ""),
    ),
    _mutant(
        "input-lone-surrogate",
        "input",
        "stores strings holding lone surrogates",
        "KIT-406",
        Edit("common/validation.py", "unreadable = _surrogates(body)", "unreadable: list[FieldError] = []"),
    ),
    _mutant(
        "input-trailing-newline",
        "input",
        "lets a trailing newline pass anchored patterns (Python's $)",
        "KIT-407",
        Edit(
            "common/validation.py",
            'ContractValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})',
            "ContractValidator = Draft202012Validator",
        ),
        Edit("common/validation.py", "compiled = self._compiled.get(pointer)", "compiled = None"),
    ),
    _mutant(
        "input-any-media-type",
        "input",
        "accepts a JSON body in any media type",
        "KIT-408",
        Edit("common/validation.py", "if media_type not in operation.body_media_types:", "if False:"),
    ),
    _mutant(
        "input-malformed-422",
        "input",
        "answers malformed JSON with 422 instead of 400",
        "KIT-409",
        Edit(
            "common/validation.py",
            'raise MalformedRequest(f"The request body is not valid JSON: {exc}.") from exc',
            'raise validation_failed([FieldError("BODY", "", "not JSON")]) from exc',
        ),
    ),
)
