"""Exports of a campaign's read models as CSV and XLSX, streamed (``docs/exports.md``)."""
