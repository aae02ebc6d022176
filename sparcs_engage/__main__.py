"""`python -m sparcs_engage` runs the same command line as `sparcs-engage`."""

from sparcs_engage.cli import main

raise SystemExit(main())
