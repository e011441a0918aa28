"""The JSON Schemas of Protocol/schemas, loaded once, with a real validator (python3-jsonschema).

Works with Debian's jsonschema 4.10 (references resolved by RefResolver) and with 4.18 and
later (the `referencing` registry, where RefResolver is deprecated).
"""

import glob
import json
import os

import jsonschema
from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

try:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7
except ImportError:  # jsonschema < 4.18
    Registry = None


class SchemaSet:
    """Every `*.schema.json` of a folder, checked as draft 7, addressed by file name."""

    def __init__(self, folder):
        self.schemas = {}
        for path in sorted(glob.glob(os.path.join(folder, "*.schema.json"))):
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            name = os.path.basename(path)
            Draft7Validator.check_schema(schema)
            if not schema.get("$id", "").endswith("/" + name):
                raise ValueError("%s: $id must end with /%s" % (name, name))
            self.schemas[name] = schema
        if not self.schemas:
            raise ValueError("no *.schema.json in %s" % folder)
        self._validators = {}
        if Registry is not None:
            self._registry = Registry().with_resources(
                (schema["$id"], Resource(contents=schema, specification=DRAFT7))
                for schema in self.schemas.values())

    def has(self, name):
        return name in self.schemas

    def validator(self, name):
        if name not in self._validators:
            schema = self.schemas[name]
            if Registry is not None:
                self._validators[name] = Draft7Validator(schema, registry=self._registry)
            else:
                store = {s["$id"]: s for s in self.schemas.values()}
                resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
                self._validators[name] = Draft7Validator(schema, resolver=resolver)
        return self._validators[name]

    def problem(self, name, instance):
        """None when `instance` is valid against schema `name`, else the most relevant error."""
        error = best_match(self.validator(name).iter_errors(instance))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path)
        return "%s: %s%s" % (name, ("at /%s: " % where) if where else "", error.message)
