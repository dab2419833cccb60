import sys

from pipeline.publish.cli import main

sys.exit(main(sys.argv[1:]))
