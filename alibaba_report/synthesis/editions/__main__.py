"""``make edition NAME=…``: record this edition of the book in editions/<NAME>.json."""
import sys

from alibaba_report.synthesis.editions.record import main

sys.exit(main())
