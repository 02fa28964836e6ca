#!/usr/bin/env python3
"""validate_report.py SCHEMA REPORT... — checks stormdb --json reports
against docs/report-schema.json with the jsonschema module.

Exit status: 0 when every report is valid; 1 when one is not (each error
printed as `REPORT: at PATH: MESSAGE`); 2 when the schema itself is invalid,
a file cannot be read, or jsonschema is missing (a missing validator must
fail the test, never pass it).

On stdout, for each valid report, the fields it holds that the schema does
not describe ("note: ... not in the schema"): not an error, since the
report may grow before its schema does, but a reminder to document them.
"""
import json
import re
import sys

try:
    import jsonschema
except ImportError:
    print("validate_report: the python3 jsonschema module is missing "
          "(Debian: python3-jsonschema)", file=sys.stderr)
    sys.exit(2)


def undocumented(schema, value, where, root, out):
    """Appends to out the paths in value that schema's `properties` (or
    `items`) do not name, following $ref within root."""
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return
        target = root
        for part in ref[2:].split("/"):
            target = target[part]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra}
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for key, sub in value.items():
            path = f"{where}.{key}" if where else key
            if key in props:
                undocumented(props[key], sub, path, root, out)
            else:
                out.append(path)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, sub in enumerate(value):
            undocumented(schema["items"], sub, f"{where}[{i}]", root, out)


def main(argv):
    if len(argv) < 3:
        print("usage: validate_report.py SCHEMA REPORT...", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print(f"validate_report: {argv[1]}: {e}", file=sys.stderr)
        return 2
    validator = cls(schema)
    status = 0
    for path in argv[2:]:
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, ValueError) as e:
            print(f"validate_report: {path}: {e}", file=sys.stderr)
            return 2
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{path}: at {where}: {e.message}", file=sys.stderr)
        if errors:
            status = 1
            continue
        extra = []
        undocumented(schema, report, "", schema, extra)
        seen = set()
        for p in extra:
            # one note per field, not per array element
            key = re.sub(r"\[[0-9]+\]", "[]", p)
            if key not in seen:
                seen.add(key)
                print(f"note: {path}: {p} is not in the schema")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
