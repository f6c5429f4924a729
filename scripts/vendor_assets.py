#!/usr/bin/env python3
"""Cache the pinned test tools in vendor/.cache (protocols.book.vendor).

    python scripts/vendor_assets.py [VENDOR_DIR]

Set-up runs it; it does nothing when the cache is current. It fetches axe-core (pinned by
version and sha512) for the accessibility tests, which fail in CI when it is missing. The book
itself needs nothing from it: run it by hand to prepare a machine while it can still reach
the npm registry.
"""

import sys

from protocols.book.vendor import main

if __name__ == "__main__":
    sys.exit(main())
