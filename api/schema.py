"""The error answers every operation can give, added to the OpenAPI description.

drf-spectacular describes the successful answer of each view; the errors come from
the framework (a bad parameter, a challenge that is not public, the rate limit, an
Accept header it cannot satisfy), so they are added here to every operation that can
give them. Each is JSON: {"detail": "..."}, or for a bad parameter one list of
messages per parameter.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "description": "Per parameter, what is wrong with it.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _response(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["InvalidParameters"] = INVALID
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "head"}:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if any(p.get("in") == "query" for p in parameters):
                responses.setdefault(
                    "400", _response("A parameter is not valid.", "InvalidParameters")
                )
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                responses.setdefault("404", _response("No such public challenge or page.", "Error"))
            responses.setdefault(
                "406", _response("The Accept header asks for something other than JSON.", "Error")
            )
            responses.setdefault(
                "429", _response("Too many requests: wait Retry-After seconds.", "Error")
            )
    return result
