import sys

from pipeline.publish.erasure import main

sys.exit(main())
