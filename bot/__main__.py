"""``python -m bot`` is the same as the ``privacybot`` command."""

import sys

from bot.cli import main

sys.exit(main())
