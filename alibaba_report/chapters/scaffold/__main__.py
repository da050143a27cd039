import sys

from alibaba_report.chapters.scaffold.make import main

sys.exit(main())
