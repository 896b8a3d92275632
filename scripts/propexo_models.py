#!/usr/bin/env python3
"""Writes the generic models (rules/models/*.rules) from Propexo's OpenAPI document.

usage: scripts/propexo_models.py OPENAPI.yml [OUT_DIR]   (OUT_DIR defaults to rules/models)

Every generic write route of the document (POST/PUT under /v1/, not admin or webhooks) becomes a
route of a model: its request body's fields with their types, enums, formats, nesting, limits and
`required`. The document itself is not copied: only the facts (names, types, limits) are carried
over, and no description text. Routes the document does not have but the per-PMS reference
does (file uploads, notes, custom data, batches) come from scripts/model_routes_extra.yaml.

Where the document has a known defect, what is meant is written and a comment says so:
- `state` enums hold `true` where Ontario's `ON` belongs (a YAML 1.1 parser read `ON` as true);
- POST /v1/units/ requires a misspelt `intgration_id`: `integration_id` is meant.
"""
import os
import re
import sys

import yaml

ACTIONS = {"cancel": "cancel", "assign": "assign", "batch": "batch_create"}
BARE = re.compile(r"^[A-Za-z0-9_.-]+$")


def bounds(lo, hi, fmt=str):
    """`a..b`, `a..`, `..b`, or `a` when both are the same (the formatter's canonical form)."""
    if lo is not None and hi is not None and lo == hi:
        return fmt(lo)
    return (fmt(lo) if lo is not None else "") + ".." + (fmt(hi) if hi is not None else "")


def ident(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def route_of(method, path):
    """(resource path, operation) of a generic route."""
    parts = [p for p in path.split("/")[2:] if p]  # after /v1/
    op = "create" if method == "post" else "update"
    if parts and parts[-1] in ACTIONS:
        op = ACTIONS[parts.pop()]
    elif parts and parts[-1].startswith("{"):
        parts.pop()
    resource = "/".join(parts)
    if resource == "appointment-availability":
        op = "query_availability"
    return resource, op


class Model:
    def __init__(self, resource):
        self.resource = resource
        self.name = ident(resource)
        self.fields = {}      # name -> type text, in first-seen order
        self.deprecated = set()
        self.routes = {}      # op -> [(field, constraints)]
        self.types = {}       # nested record types: name -> {field: type}
        self.type_deprecated = {}
        self.notes = []


def enum_values(values, notes, where):
    out = []
    for v in values:
        if v is True:  # the YAML 1.1 reading of Ontario's ON
            notes.append(f"{where}: the document's enum holds `true` where Ontario's ON belongs; ON is meant")
            v = "ON"
        v = str(v)
        if v not in out:
            out.append(v)
    return out


def value_text(v):
    return v if BARE.match(v) else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Generator:
    def __init__(self, doc):
        self.doc = doc
        self.schemas = doc["components"]["schemas"]
        self.models = {}

    def resolve(self, s):
        while isinstance(s, dict) and "$ref" in s:
            s = self.schemas[s["$ref"].split("/")[-1]]
        return s

    def type_of(self, model, owner, name, s, constraints):
        """The rules type of a schema; narrowing constraints are appended to `constraints`."""
        s = self.resolve(s)
        nullable = False
        t = s.get("type")
        if isinstance(t, list):
            nullable = "null" in t
            t = [x for x in t if x != "null"][0]
        if "anyOf" in s or "oneOf" in s:
            alts = [self.resolve(a) for a in s.get("anyOf", s.get("oneOf"))]
            kinds = {a.get("type") for a in alts}
            if any(a.get("type") == "null" for a in alts):
                nullable = True
                alts = [a for a in alts if a.get("type") != "null"]
            if any(a.get("format") == "date-time" for a in alts) and len(alts) == 2:
                base = "date_or_datetime"
            elif kinds <= {"string"}:
                base = "string"  # an enum, or any other string: any string
            elif kinds == {"boolean", "string"}:
                model.notes.append(f"{owner}.{name}: the document takes a boolean or a string; "
                                   "assumption: clients send a boolean (the language has no such union)")
                base = "boolean"
            elif kinds == {"object"}:
                model.notes.append(f"{owner}.{name}: the document takes one of several object shapes; "
                                   "their fields are not checked here (object)")
                base = "object"
            else:
                raise SystemExit(f"{owner}.{name}: unhandled anyOf {kinds}")
            return base + ("?" if nullable else "")
        if "enum" in s:
            values = enum_values(s["enum"], model.notes, f"{owner}.{name}")
            base = "enum(" + ", ".join(value_text(v) for v in values) + ")"
        elif t == "string":
            fmt = s.get("format")
            base = {"email": "email", "date-time": "datetime", "date": "date", "uri": "uri",
                    "uuid": "uuid"}.get(fmt, "string")
            lo, hi = s.get("minLength"), s.get("maxLength")
            if lo is not None or hi is not None:
                constraints.append("length " + bounds(lo, hi))
            if "pattern" in s:
                constraints.append("pattern /" + s["pattern"].replace("/", "\\/") + "/")
        elif t == "integer" or t == "number":
            base = "integer" if t == "integer" else "decimal"
            lo, hi = s.get("minimum"), s.get("maximum")
            if lo is not None or hi is not None:
                fmt = (lambda x: str(int(x)) if base == "integer" else repr(float(x)) if x != int(x) else str(int(x)))
                constraints.append("range " + bounds(lo, hi, fmt))
        elif t == "boolean":
            base = "boolean"
        elif t == "array":
            element_constraints = []
            element = self.type_of(model, owner, name, s.get("items", {}), element_constraints)
            if element_constraints and not element.startswith("list"):
                constraints.extend(element_constraints)
            base = "list<" + element + ">"
            lo, hi = s.get("minItems"), s.get("maxItems")
            if lo is not None or hi is not None:
                constraints.append("items " + bounds(lo, hi))
        elif t == "object" or "properties" in s:
            props = s.get("properties") or {}
            if not props:
                base = "object"
            else:
                base = self.record_type(model, owner, name, s)
        else:
            raise SystemExit(f"{owner}.{name}: unhandled schema {s}")
        return base + ("?" if nullable else "")

    def record_type(self, model, owner, name, s):
        """A nested record type, named after its model and field; fields from every route merged."""
        tname = f"{model.name}_{ident(name)}"
        fields = model.types.setdefault(tname, {})
        deprecated = model.type_deprecated.setdefault(tname, set())
        for fname, fs in (s.get("properties") or {}).items():
            c = []  # nested limits are not expressible on a type; recorded on the route instead
            t = self.type_of(model, tname, fname, fs, c)
            if fname in fields and fields[fname] != t:
                fields[fname] = merge_types(fields[fname], t, model, f"{tname}.{fname}")
            else:
                fields.setdefault(fname, t)
            if self.resolve(fs).get("deprecated"):
                deprecated.add(fname)
        return tname

    def add_route(self, method, path, schema):
        resource, op = route_of(method, path)
        model = self.models.setdefault(resource, Model(resource))
        if op in model.routes:
            raise SystemExit(f"{method} {path}: a second {op} route for {resource}")
        s = self.resolve(schema)
        required = list(s.get("required") or [])
        if "intgration_id" in required:
            required[required.index("intgration_id")] = "integration_id"
            model.notes.append(f"{method.upper()} {path}: the document requires a misspelt `intgration_id`; "
                               "integration_id is meant")
        props = dict(s.get("properties") or {})
        for r in required:  # a required field the body does not describe is a string id
            if r not in props:
                props[r] = {"type": "string"}
        body = []
        for name, fs in props.items():
            constraints = []
            t = self.type_of(model, model.name, name, fs, constraints)
            if name in model.fields and model.fields[name] != t:
                model.fields[name] = merge_types(model.fields[name], t, model, f"{model.name}.{name}")
            else:
                model.fields.setdefault(name, t)
            if self.resolve(fs).get("deprecated"):
                model.deprecated.add(name)
            if name in required:
                constraints.insert(0, "required")
            body.append((name, constraints, t))
        model.routes[op] = body

    def run(self, extra):
        for path, item in self.doc["paths"].items():
            if not path.startswith("/v1/") or "/admin/" in path or path.startswith("/v1/webhooks"):
                continue
            for method in ("post", "put"):
                if method not in item:
                    continue
                schema = item[method]["requestBody"]["content"]["application/json"]["schema"]
                self.add_route(method, path, schema)
        for resource, routes in (extra or {}).items():
            model = self.models.setdefault(resource, Model(resource))
            for op, spec in routes.items():
                if op == "record_fields":
                    # Fields a per-PMS page shows in a nested record the document already has
                    # (Buildium's file `title`): {field of the model: {source, fields}}.
                    for owner, extra_fields in spec.items():
                        tname = f"{model.name}_{ident(owner)}"
                        if tname not in model.types:
                            raise SystemExit(f"model_routes_extra: {resource} has no record type {tname}")
                        model.notes.append(f"{tname}: fields from {extra_fields['source']}")
                        for name, t in extra_fields["fields"].items():
                            if name in model.types[tname]:
                                raise SystemExit(f"model_routes_extra: {tname}.{name} is in the document already")
                            model.types[tname][name] = t
                    continue
                if op in model.routes:
                    raise SystemExit(f"model_routes_extra: {resource} {op} is in the document already")
                model.notes.append(f"{op}: not a generic route of the document; from {spec['source']}")
                body = []
                for name, text in spec["fields"].items():
                    t, constraints = split_type(text)
                    if t == "=":  # as the model already has it
                        if name not in model.fields:
                            raise SystemExit(f"model_routes_extra: {resource}.{name} has no type yet")
                        t = model.fields[name]
                    if name not in model.fields:
                        model.fields[name] = t
                    elif model.fields[name] != t:
                        raise SystemExit(f"model_routes_extra: {resource}.{name} is {model.fields[name]}, not {t}")
                    body.append((name, [c for c in [constraints.strip()] if c], t))
                model.routes[op] = body


def split_type(text):
    """`enum(A, B) required` -> ("enum(A, B)", "required"): the type ends at the first space outside
    parentheses."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == " " and depth == 0:
            return text[:i], text[i + 1:]
    return text, ""


def merge_types(a, b, model, where):
    """The wider of two types given to one field by different routes."""
    if a == b:
        return a
    na, nb = a.endswith("?"), b.endswith("?")
    a0, b0 = a.rstrip("?"), b.rstrip("?")
    q = "?" if (na or nb) else ""
    if a0.startswith("enum(") and b0.startswith("enum("):
        va = [v.strip() for v in a0[5:-1].split(",")]
        vb = [v.strip() for v in b0[5:-1].split(",")]
        return "enum(" + ", ".join(va + [v for v in vb if v not in va]) + ")" + q
    if {a0, b0} == {"integer", "decimal"}:
        return "decimal" + q
    if a0 == b0:
        return a0 + q
    if "string" in (a0, b0) and all(x == "string" or x.startswith("enum(") for x in (a0, b0)):
        return "string" + q
    if {a0, b0} <= {"datetime", "date_or_datetime", "date"}:
        return "date_or_datetime" + q
    if a0.startswith("list<") and b0.startswith("list<") and "list<object>" in (a0, b0):
        return "list<object>" + q
    model.notes.append(f"{where}: routes disagree on its type ({a0}, {b0}); string is used")
    return "string" + q


ORDER = ["create", "update", "cancel", "assign", "batch_create", "query_availability", "send", "upload_file",
         "create_note", "create_custom_data", "update_custom_data", "send_push_notification"]


def render(model, source_line):
    out = ["# Generated by scripts/propexo_models.py from " + source_line + ".",
           "# Do not edit by hand: change the script (or scripts/model_routes_extra.yaml) and run it again.",
           f"# Routes of /v1/{model.resource}/ (see gatehouse list)."]
    for n in dict.fromkeys(model.notes):
        out.append("# Note: " + n)
    out.append("")
    for tname, fields in model.types.items():
        out.append(f"type {tname} {{")
        for f, t in fields.items():
            out.append(f"  {f}: {t}" + (" deprecated" if f in model.type_deprecated.get(tname, ()) else ""))
        out.append("}")
        out.append("")
    head = f"model {model.name}"
    if model.resource != model.name.replace("_", "-"):
        head += f' "{model.resource}"'
    out.append(head + " {")
    for f, t in model.fields.items():
        out.append(f"  {f}: {t}" + (" deprecated" if f in model.deprecated else ""))
    for op in ORDER:
        if op not in model.routes:
            continue
        out.append("")
        out.append(f"  {op} {{")
        for name, constraints, own in model.routes[op]:
            # A route whose own enum is narrower than the model's type (merged over the routes)
            # keeps its own values.
            if own.startswith("enum(") and own.rstrip("?") != model.fields[name].rstrip("?"):
                constraints = constraints + ["one of " + own.rstrip("?")[len("enum"):]]
            out.append("    " + " ".join([name] + constraints))
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "rules", "models")
    with open(sys.argv[1]) as f:
        doc = yaml.safe_load(f)
    extra_path = os.path.join(here, "model_routes_extra.yaml")
    extra = yaml.safe_load(open(extra_path)) if os.path.exists(extra_path) else {}
    g = Generator(doc)
    g.run(extra)
    version = doc.get("info", {}).get("version", "?")
    source_line = f"Propexo's OpenAPI document (propexo/documentation fern/openapi/openapi.yml, info.version {version})"
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".rules"):
            os.remove(os.path.join(out_dir, old))
    for resource, model in sorted(g.models.items()):
        with open(os.path.join(out_dir, model.name + ".rules"), "w") as f:
            f.write(render(model, source_line))
    print(f"wrote {len(g.models)} models to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
