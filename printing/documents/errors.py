"""Typed errors of the certificate documents.

Every expected problem with a document's data is one of these, raised before anything is drawn;
the municipality server maps them to a refusal (e.g. ``characters_not_supported``).
"""

from __future__ import annotations


class DocumentError(Exception):
    """Base of every error raised by ``printing.documents``."""


class InvalidDocumentError(DocumentError, ValueError):
    """The document's data breaks a rule (a malformed code, a member that does not exist ...).

    ``field`` is the dotted path of the offending field (e.g. ``household.members[2].my_number``).
    The message never contains the field's value: it may be personal data.
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class MissingGlyphError(DocumentError):
    """A character of a printed field exists in none of the embedded fonts.

    Raised by :func:`printing.documents.render` (and :func:`check_glyphs`) before any page is
    drawn, so a certificate is never printed with a blank box where a name character should be.
    ``field`` is the dotted path of the printed field, ``code_point`` the character's code point.
    """

    def __init__(self, field: str, code_point: int) -> None:
        super().__init__(f"no embedded font has U+{code_point:04X} (in field {field})")
        self.field = field
        self.code_point = code_point


class LayoutError(DocumentError):
    """The document's content cannot be laid out on A4 pages: a single row taller than a page
    (unreachable with the data model's length limits; raised instead of drawing outside the
    content area), or more pages than any certificate has (``MAX_PAGES``)."""
