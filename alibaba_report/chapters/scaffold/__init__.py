"""``make chapter``: scaffold a new chapter that builds (:mod:`.make`), from the texts in :mod:`.templates`."""
from alibaba_report.chapters.scaffold.make import RESERVED, ScaffoldError, check_request, main, planned_files, scaffold

__all__ = ["RESERVED", "ScaffoldError", "check_request", "main", "planned_files", "scaffold"]
