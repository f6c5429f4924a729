#!/usr/bin/env python3
"""Put the offline widget runtime in vendor/widgets and cache the test tools (protocols.book.vendor).

    python scripts/vendor_assets.py [--force] [VENDOR_DIR]

The book build does this by itself (the Sphinx extension calls it before every HTML build
and it does nothing when vendor/widgets is already up to date); run it by hand to prepare a
machine while it can still reach the npm registry, then build offline. It also fetches
axe-core (pinned and verified like the widget runtime) into vendor/.cache for the
accessibility tests, which fail in CI when it is missing.
"""

import sys

from protocols.book.vendor import main

if __name__ == "__main__":
    sys.exit(main())
