"""The Book moved to comptoir.model (plain data shared by storage and domain); kept for imports."""

from comptoir.model import Book, Source, kind

__all__ = ["Book", "Source", "kind"]
