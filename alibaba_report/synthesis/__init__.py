"""The layers across the book: the chapters' key outputs under each scenario, compared and valued.

``PAGES`` registers the book's notebooks that are not chapters: they follow the thin-notebook rules
of :mod:`alibaba_report.chapters.contract` but not the chapter contract itself.
"""

PAGES = ("index", "scenarios", "signposts", "methods")
