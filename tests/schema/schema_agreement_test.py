#!/usr/bin/python3
"""The exported JSON Schemas accept exactly the payloads gatehouse accepts without stripping.

For every YAML rule case (bundled rules/tests/ and tests/cases/), validates the payload with
the schema `gatehouse schema --all` exported for the case's PMS, model and operation
(python3-jsonschema, draft 2020-12, formats checked) and compares with the case's expected
verdict, which `gatehouse test` checks against gatehouse itself. Cases the schema cannot
judge are skipped and counted: no schema (unknown PMS or model, operation not offered),
payloads that are not plain JSON objects (JSON Schema sees only parsed values: duplicate keys,
invalid JSON), strip verdicts, and rejects by a check the schema lists as not expressed.

usage: schema_agreement_test.py GATEHOUSE SOURCE_DIR
"""
import json
import pathlib
import subprocess
import sys
import tempfile

import yaml
from jsonschema import Draft202012Validator, FormatChecker


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def main():
    gatehouse, source = sys.argv[1], pathlib.Path(sys.argv[2])
    case_dirs = [source / "rules" / "tests", source / "tests" / "cases"]
    passed = failed = skipped = 0
    schema_dirs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case_dir in case_dirs:
            for path in sorted(case_dir.glob("*.yaml")):
                doc = yaml.safe_load(path.read_text())
                rules = (path.parent / doc["rules"]).resolve() if "rules" in doc else source / "rules"
                if rules not in schema_dirs:
                    out = pathlib.Path(tmp) / str(len(schema_dirs))
                    subprocess.run([gatehouse, "schema", "--rules", str(rules), "--all", "--out", str(out)],
                                   check=True, stderr=subprocess.DEVNULL)
                    schema_dirs[rules] = out
                for case in doc["cases"]:
                    schema_file = schema_dirs[rules] / case["pms"] / f'{case["model"]}.{case["op"]}.schema.json'
                    verdict = case["expect"]["verdict"]
                    try:
                        payload = json.loads(case["payload"], object_pairs_hook=no_duplicates)
                    except ValueError:
                        payload = None
                    if not schema_file.exists() or payload is None or verdict == "strip":
                        skipped += 1
                        continue
                    schema = json.loads(schema_file.read_text())
                    validator = Draft202012Validator(schema, format_checker=FormatChecker())
                    errors = [e.message for e in validator.iter_errors(payload)]
                    schema_accepts = not errors
                    # A check JSON Schema cannot say (two fields compared) is listed in the schema's
                    # x-gatehouse-not-expressed: a case only it rejects is not the schema's to judge.
                    unexpressed = schema_accepts and verdict == "reject" and schema.get("x-gatehouse-not-expressed") \
                        and all("rule_violation" in str(e) for e in case["expect"].get("errors", []))
                    if unexpressed:
                        skipped += 1
                    elif schema_accepts == (verdict == "accept"):
                        passed += 1
                    else:
                        failed += 1
                        print(f'MISMATCH {path}: {case["name"]}: gatehouse {verdict}, schema '
                              f'{"accepts" if schema_accepts else "rejects: " + "; ".join(errors[:3])}')
    print(f"schema agreement: {skipped} cases skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
