"""The HTTP gateway: auth, validation, commands over RPC, read models and OpenAPI."""
