"""docs/console-openapi.yaml documents exactly the API routes the console serves."""
from __future__ import annotations

import re

import yaml
from sanic import Blueprint

from bot.console.api import add_api_routes
from bot.settings import PROJECT_ROOT


def test_openapi_lists_exactly_the_served_api_routes():
    spec = yaml.safe_load((PROJECT_ROOT / "docs" / "console-openapi.yaml").read_text(encoding="utf-8"))
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    blueprint = add_api_routes(Blueprint("openapi_check"))
    served = set()
    for future in blueprint._future_routes:
        path = re.sub(r"<(\w+)>", "{id}", future.uri)
        assert path.startswith("/api/")
        for method in future.methods:
            served.add((path[len("/api"):], method))
    assert served == documented
