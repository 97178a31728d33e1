import sys

from fcnet.cli import main

sys.exit(main())
