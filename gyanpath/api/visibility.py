"""Which documents a key may read: public ones and the private case studies of its own department."""

from __future__ import annotations

from corpus.errors import DocumentNotFoundError
from corpus.types import Document
from gyanpath.accounts import ApiKey
from gyanpath.services import Services


def visible_document(services: Services, key: ApiKey, doc_id: str) -> Document:
    """The document, or a 404 when it does not exist or is private to another department: a private document is
    never acknowledged to a viewer who may not see it."""
    document = services.store.get_document(doc_id)
    if not key.viewer.may_see(document.visibility):
        raise DocumentNotFoundError(doc_id)
    return document
