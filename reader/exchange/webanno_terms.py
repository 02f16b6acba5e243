"""The W3C Web Annotation terms Claim Reader writes and reads back (reader/exchange/webanno.py
describes the format): the two contexts, selector specs, the claim body's type and the keys of
the format before issue 14. Writer and reader share them from here."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from reader.exchange import CLAIMREADER_NS

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Where Claim Reader's JSON-LD context is published; the same file ships in the package
# (`context_document`), so a JSON-LD processor can be given it without the network.
CONTEXT_URL = "https://claim-reader.example/ns/claimreader.jsonld"
# `conformsTo` of a position selector that counts characters of the normalized text.
NORMALIZED_TEXT = CLAIMREADER_NS + "normalized-text"
PAGE_SELECTOR_SPEC = "http://tools.ietf.org/rfc/rfc3778"
CLAIM_TYPE = "ClaimAssessment"
OLD_CLAIM_BODY = "claimreader:Claim"
OLD_CLAIM_KEY = "claimreader:claim"
OLD_DOCUMENT_KEY = "claimreader:document"


def context_document() -> dict[str, Any]:
    """Claim Reader's JSON-LD context, as shipped (what `CONTEXT_URL` serves)."""
    return json.loads(
        resources.files("reader.exchange").joinpath("claimreader.jsonld").read_text("utf-8")
    )
