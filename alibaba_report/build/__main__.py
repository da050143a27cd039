"""``python -m alibaba_report.build``: the build driver's command line (see ``driver``)."""
import sys

from alibaba_report.build.driver import main

sys.exit(main())
