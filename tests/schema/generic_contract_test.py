#!/usr/bin/env python3
"""The generic contract of every route (`gatehouse schema --model M --op O`, without --pms):

1. field by field, it is the request body Propexo's OpenAPI document declares for that route:
   the same field names, `required`, JSON types, enum values and formats (the document's known
   defects read as meant: `true` for Ontario's ON, the misspelt `intgration_id`);
2. every bundled case that a PMS accepts is valid under it (fields, types, enum values), once the
   fields that PMS's own route adds (`extra`), and the fields whose values are the PMS's own
   (`pms values`, marked x-gatehouse-pms-values) or whose type is the PMS's own, wider one (`pms type`,
   marked x-gatehouse-pms-type), are taken out, and the route's requirement of
   fields the PMS's route does not have (`without`) is dropped: what a PMS takes is within the
   unified API's contract. Lengths and ranges are left out of that check: a PMS's page may replace them.

usage: generic_contract_test.py GATEHOUSE SOURCE_DIR OPENAPI.yml
Exits 77 (skipped) when the OpenAPI document is not there (it is read from shared/, never copied).
"""
import json
import os
import subprocess
import sys

import jsonschema
import yaml

gatehouse, source, document = sys.argv[1], sys.argv[2], sys.argv[3]
if not os.path.exists(document):
    print(f"skipped: {document} is not here")
    sys.exit(77)
rules = os.path.join(source, "rules")
sys.path.insert(0, os.path.join(source, "scripts"))
from propexo_models import route_of  # the one mapping of a document path to (resource, operation)

failures = []

# Where the document gives one field different types on different routes of a model, the model
# holds the wider one (a field has one type; a route cannot narrow a type): these differences are
# known and listed here, each with the route that differs. Any other difference fails.
KNOWN = {
    # date-time on this route, date-time-or-date on another of the model's routes
    ("applicants update", "move_in_date"), ("applicants update", "application_date"), ("applicants update", "end_date"),
    ("applicants update", "date_of_birth"), ("applicants update", "start_date"), ("residents create", "date_of_birth"),
    ("leases create", "scheduled_move_out_date"), ("leases update", "scheduled_move_in_date"),
    # date-time here, a plain string on the other route
    ("listings update", "available_date"),
    # integer here, a number on the other route
    ("leads create", "number_of_occupants"), ("leads create", "desired_max_rent_in_cents"),
    # an email here, a plain string on the other route
    ("vendors create", "email_1"),
    # a number here, a string on the other route
    ("applicants update", "desired_lease_term_in_months"),
    # boolean or string: the language has no such union; a boolean is taken (see the generated model's note)
    ("applicants update", "create_new_events_only"), ("applications update", "create_new_events_only"),
}


def schema(*args):
    p = subprocess.run([gatehouse, "schema", "--rules", rules, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"gatehouse schema {' '.join(args)}: {p.stdout}{p.stderr}")
    return json.loads(p.stdout)


def resolve(doc, s):
    while isinstance(s, dict) and "$ref" in s:
        s = doc["components"]["schemas"][s["$ref"].split("/")[-1]]
    return s


def enum_of(values):
    return sorted({"ON" if v is True else str(v) for v in values})  # the document repeats a few


def shape(doc, s):
    """(json types, enum, format) the document gives a field; None where it does not constrain."""
    s = resolve(doc, s)
    if "anyOf" in s:
        alts = [resolve(doc, a) for a in s["anyOf"]]
        if any(a.get("format") == "date-time" for a in alts):
            return ("date_or_datetime", None, None)
        types = sorted({a.get("type") for a in alts if a.get("type") != "null"})
        if types == ["string"]:
            return (("string",), None, None)  # an enum or any string: any string
        return (tuple(types), None, None)
    t = s.get("type")
    types = tuple(sorted([x for x in t if x != "null"])) if isinstance(t, list) else (t,) if t else ()
    if types == ("number",):
        types = ("number",)
    return (types, enum_of(s["enum"]) if "enum" in s else None, s.get("format"))


def ours(field):
    if "anyOf" in field:
        formats = {a.get("format") for a in field["anyOf"]}
        if {"date-time", "date"} <= formats:
            return ("date_or_datetime", None, None)
    t = field.get("type")
    types = tuple(sorted([x for x in t if x != "null"])) if isinstance(t, list) else (t,) if t else ()
    enum = field.get("enum")
    fmt = field.get("format")
    return (types, sorted({str(v) for v in enum if v is not None}) if enum is not None else None, fmt)


def compare_route(doc, method, path, body):
    resource, op = route_of(method, path)
    ours_schema = schema("--model", resource, "--op", op)
    where = f"{method.upper()} {path} ({resource} {op})"
    props = dict(resolve(doc, body).get("properties") or {})
    required = set(resolve(doc, body).get("required") or [])
    if "intgration_id" in required:  # the document's misspelling: integration_id is meant
        required = (required - {"intgration_id"}) | {"integration_id"}
    for r in required:
        props.setdefault(r, {"type": "string"})
    mine = ours_schema.get("properties", {})
    if set(mine) != set(props):
        failures.append(f"{where}: fields differ: only in the document {sorted(set(props) - set(mine))}, "
                        f"only in the rules {sorted(set(mine) - set(props))}")
    if set(ours_schema.get("required", [])) != required:
        failures.append(f"{where}: required differs: document {sorted(required)}, rules {sorted(ours_schema.get('required', []))}")
    for name in set(mine) & set(props):
        if (f"{resource.replace('/', '_').replace('-', '_')} {op}", name) in KNOWN or (f"{resource} {op}", name) in KNOWN:
            continue
        d_types, d_enum, d_format = shape(doc, props[name])
        o_types, o_enum, o_format = ours(mine[name])
        if d_types == "date_or_datetime" or o_types == "date_or_datetime":
            if d_types != o_types:
                failures.append(f"{where}: {name}: document {d_types}, rules {o_types}")
            continue
        number = {("integer",), ("number",)}
        if d_types and d_types != o_types and not (d_types in number and o_types in number and d_types == ("integer",) and o_types == ("integer",)):
            # integer in the document must stay integer; number may be integer only if the document says so
            failures.append(f"{where}: {name}: type document {d_types}, rules {o_types}")
        if d_enum is not None and o_enum is not None and d_enum != o_enum:
            failures.append(f"{where}: {name}: enum document {d_enum}, rules {o_enum}")
        if d_enum is not None and o_enum is None:
            failures.append(f"{where}: {name}: the document has an enum, the rules do not")
        if d_format in ("email", "date-time", "uri") and d_format != o_format:
            failures.append(f"{where}: {name}: format document {d_format}, rules {o_format}")
    return ours_schema


def pms_own(schema):
    """Whether a PMS's schema gives a field (or a list's elements) the PMS's own enum values or its
    own, wider type."""
    return isinstance(schema, dict) and (schema.get("x-gatehouse-pms-values") or schema.get("x-gatehouse-pms-type")
                                         or pms_own(schema.get("items")))


def without_extras(payload, pms_schema, generic_schema):
    """The payload without the members the PMS's own route adds to the generic one, at any depth,
    nor those whose values are the PMS's own."""
    if isinstance(payload, dict) and isinstance(pms_schema, dict) and isinstance(generic_schema, dict):
        gp = generic_schema.get("properties")
        pp = pms_schema.get("properties")
        if gp is None or pp is None:
            return payload
        out = {}
        for k, v in payload.items():
            if k in pp and (k not in gp or pms_own(pp[k])):
                continue
            out[k] = without_extras(v, pp.get(k, {}), gp.get(k, {}))
        return out
    if isinstance(payload, list) and isinstance(pms_schema, dict) and isinstance(generic_schema, dict):
        return [without_extras(v, pms_schema.get("items", {}), generic_schema.get("items", {})) for v in payload]
    return payload


def without_lacked(generic_schema, pms_schema):
    """The generic route's schema without the requirement of fields the PMS's route does not have
    at all (`without`: they are absent from the PMS's schema although the route requires them)."""
    lacked = set(generic_schema.get("required", [])) - set(pms_schema.get("properties", {}))
    if not lacked:
        return generic_schema
    out = dict(generic_schema)
    out["required"] = [r for r in generic_schema["required"] if r not in lacked]
    return out


LIMITS = ("maxLength", "minLength", "maximum", "minimum", "pattern", "maxItems", "minItems")


def structure(s):
    """The schema without its limits: a PMS's page may replace a route's length or range with its
    own (Buildium takes 127 characters where the document's generic route says 35), so the cases
    are checked for fields, types and enum values, not for the document's limits."""
    if isinstance(s, dict):
        return {k: structure(v) for k, v in s.items() if k not in LIMITS}
    if isinstance(s, list):
        return [structure(v) for v in s]
    return s


def main():
    doc = yaml.safe_load(open(document))
    routes = 0
    for path, item in doc["paths"].items():
        if not path.startswith("/v1/") or "/admin/" in path or path.startswith("/v1/webhooks"):
            continue
        for method in ("post", "put"):
            if method in item:
                body = item[method]["requestBody"]["content"]["application/json"]["schema"]
                compare_route(doc, method, path, body)
                routes += 1
    cases = 0
    generic_cache, pms_cache = {}, {}
    tests_dir = os.path.join(rules, "tests")
    for name in sorted(os.listdir(tests_dir)):
        for case in yaml.safe_load(open(os.path.join(tests_dir, name)))["cases"]:
            if case["expect"]["verdict"] != "accept":
                continue
            key = (case["model"], case["op"])
            if key not in generic_cache:
                generic_cache[key] = schema("--model", case["model"], "--op", case["op"])
            pkey = (case["pms"],) + key
            if pkey not in pms_cache:
                pms_cache[pkey] = schema("--pms", case["pms"], "--model", case["model"], "--op", case["op"])
            payload = without_extras(json.loads(case["payload"]), pms_cache[pkey], generic_cache[key])
            contract = without_lacked(structure(generic_cache[key]), pms_cache[pkey])
            errors = sorted(jsonschema.Draft202012Validator(contract).iter_errors(payload), key=str)
            if errors:
                failures.append(f"{name}: {case['name']}: not within the generic contract: {errors[0].message}")
            cases += 1
    for f in failures:
        print("FAIL", f)
    print(f"{routes} routes compared with the document, {cases} accepted cases checked: {len(failures)} failures")
    sys.exit(1 if failures else 0)


main()
