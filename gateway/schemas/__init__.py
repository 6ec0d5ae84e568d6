"""marshmallow schemas of the HTTP API: the same classes validate requests and feed OpenAPI."""
