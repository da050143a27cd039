"""``python -m alibaba_report.pipeline``: the build driver's command line (see ``driver``)."""
import sys

from alibaba_report.pipeline.driver import main

sys.exit(main())
