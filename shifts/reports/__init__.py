"""The monthly report: what a community, and the district, did in a month, computed from the attendance ledger,
with accessible server-side SVG charts, a print page for A4, a PDF and a CSV (manage.py report)."""
