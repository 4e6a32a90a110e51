"""The board report (issue 16): where the organisation stands on data protection, area by
area, as a PDF mirroring an ICO audit report, and its figures as JSON. Figures only, no
personal data. ``figures`` gathers (and audits the export), ``pdf`` and ``to_json`` render."""

from steward.assurance.report.figures import figures
from steward.assurance.report.model import BoardReport
from steward.assurance.report.rendering import pdf
from steward.assurance.report.serialise import to_json

__all__ = ["BoardReport", "figures", "pdf", "to_json"]
