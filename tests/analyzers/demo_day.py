"""The fixed day the analyzer tests read the demo company on: every expected number in
`demo.FACTS` is computed for it."""

from datetime import date

TODAY = date(2025, 3, 12)
