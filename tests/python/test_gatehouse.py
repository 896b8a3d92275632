"""The gatehouse Python module: load, evaluate with every payload form, errors, reload, threads."""
import json
import os
import threading

import pytest

import gatehouse

RULES = os.environ["GATEHOUSE_RULES"]

MODELS = "model residents { last_name: string  email_1: email  notes: string }\n"
PMS = 'pms P "P" { residents { update { last_name required  email_1 } } }\n'


@pytest.fixture(scope="module")
def rules():
    return gatehouse.load(RULES)


def test_accept_with_dict_payload(rules):
    d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
                       payload={"last_name": "Lee", "rent_period": "MONTHLY", "rent_due_day": 1})
    assert d.verdict == "accept"
    assert d.status == 200
    assert d.errors == [] and d.stripped == []
    assert json.loads(d.payload) == {"last_name": "Lee", "rent_period": "MONTHLY", "rent_due_day": 1}
    assert d.rules_version == rules.rules_version


def test_strip_keeps_the_bytes_as_sent(rules):
    payload = b'{"last_name": "Lee", "notes": "x", "rent_period": "MONTHLY", "rent_due_day": 1}'
    d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
                       payload=payload, ignore_unknown_fields=True)
    assert d.verdict == "strip"
    assert [(i.path, i.code) for i in d.stripped] == [("/notes", "unsupported_field")]
    assert d.stripped[0].rule.startswith("pms/rentmanager.rules:")
    assert d.payload == b'{"last_name": "Lee", "rent_period": "MONTHLY", "rent_due_day": 1}'


def test_reject_reports_every_error(rules):
    d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
                       payload='{"rent_due_day": 40, "notes": "x"}')
    assert d.verdict == "reject"
    assert d.status == 400
    assert d.payload is None
    codes = {(i.path, i.code) for i in d.errors}
    assert ("/rent_due_day", "out_of_range") in codes
    assert ("/notes", "unsupported_field") in codes
    assert ("/last_name", "missing_required_field") in codes
    assert json.loads(d.to_json())["verdict"] == "reject"


def test_operation_not_offered_is_405(rules):
    d = rules.evaluate(pms="RENTMANAGER", model="units", operation="create", payload="{}")
    assert d.status == 405
    assert d.errors[0].code == "operation_not_supported"


def test_an_invalid_escape_before_a_non_ascii_character_reads_back(rules):
    # A backslash, then the two bytes of U+00E9 (C3 A9): the message quotes the whole character,
    # so the decision is valid UTF-8 and reading it as str raises nothing.
    d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
                       payload=b'{"notes":"\\\xc3\xa9"}')
    assert d.verdict == "reject"
    assert [(i.path, i.code) for i in d.errors] == [("", "invalid_json")]
    assert d.errors[0].message == "invalid JSON: invalid escape '\\\u00e9' in a string at byte 10"
    decision = json.loads(d.to_json())
    assert decision["errors"][0]["message"] == d.errors[0].message


def test_bad_arguments(rules):
    with pytest.raises(ValueError):
        rules.evaluate(pms="P", model="residents", operation="delete", payload="{}")
    with pytest.raises(TypeError):
        rules.evaluate(pms="P", model="residents", operation="update", payload=42)


def test_rules_error_carries_the_position():
    with pytest.raises(gatehouse.RulesError) as raised:
        gatehouse.load_texts({"bad.rules": "model residents {\n  last_name: strng\n}\n"})
    error = raised.value
    assert (error.file, error.line, error.column) == ("bad.rules", 2, 14)
    assert "unknown type 'strng'" in error.message
    assert "^~~~~" in str(error)
    assert error.diagnostics[0].severity == "error"
    assert isinstance(error, ValueError)


def test_reload_swaps_only_rules_that_compile(tmp_path):
    (tmp_path / "models.rules").write_text(MODELS)
    (tmp_path / "p.rules").write_text(PMS)
    rules = gatehouse.load(str(tmp_path))
    before = rules.rules_version
    (tmp_path / "p.rules").write_text("pms P \"P\" { residents { update { last_nam } } }\n")
    with pytest.raises(gatehouse.RulesError):
        rules.reload(str(tmp_path))
    assert rules.rules_version == before
    (tmp_path / "p.rules").write_text('pms P "P" { residents { update { last_name  notes } } }\n')
    rules.reload(str(tmp_path))
    assert rules.rules_version != before
    d = rules.evaluate(pms="P", model="residents", operation="update", payload={"notes": "x"})
    assert d.verdict == "accept"


def test_many_threads_share_one_rules_object(rules):
    bad = []

    def work():
        for _ in range(500):
            d = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update",
                               payload=b'{"last_name":"Lee","rent_period":"MONTHLY","rent_due_day":1}')
            if d.verdict != "accept":
                bad.append(d)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_the_limits_given_are_the_ones_that_hold(rules):
    body = {"last_name": "Lee", "rent_period": "MONTHLY", "rent_due_day": 1}
    small = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update", payload=body, max_payload_bytes=10)
    assert [e.code for e in small.errors] == ["payload_too_large"]
    many = {"last_name": "Lee", "rent_period": "MONTHLY", "rent_due_day": 1, "a": 1, "b": 2, "c": 3}
    capped = rules.evaluate(pms="RENTMANAGER", model="residents", operation="update", payload=many, max_issues=2)
    assert [e.code for e in capped.errors][-1] == "too_many_errors"
    assert rules.evaluate(pms="RENTMANAGER", model="residents", operation="update", payload=body).verdict == "accept"
