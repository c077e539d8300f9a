"""Schemathesis hooks for .ci/fuzz.py.

An Idempotency-Key stands for one attempt: the server answers a key reused with another body
with 422 IDEMPOTENCY_KEY_REUSED, as documented. The fuzzer cannot know which keys it used, so a
valid key it draws is made unique here; keys of the wrong length pass unchanged (the server
must refuse those).
"""

import uuid

import schemathesis


@schemathesis.hook
def map_headers(ctx, headers):
    if headers is None:
        return headers
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 255 and key.strip() and key.isprintable() and key.isascii():
        headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"
    return headers
