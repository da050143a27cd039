"""The build: the driver behind ``make book`` (``python -m alibaba_report.pipeline``), the PDF printer,
the browser helpers they share and the Sphinx extension the book's configuration loads."""
