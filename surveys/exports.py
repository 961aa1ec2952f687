"""The report as an Excel workbook (openpyxl): the per-question results,
and the responses when the reader may see real data."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from config.exports import spreadsheet_safe
from surveys import selectors
from surveys.models import Survey

BOLD = Font(bold=True)


def report_workbook(*, survey: Survey, simulated: bool) -> Workbook:
    """A "Report" sheet with each question's results; with real data, a
    "Responses" sheet with one row per response. A simulated report says so
    in its second row and carries no response."""
    workbook = Workbook(write_only=True)

    sheet = workbook.create_sheet(_("Report"))
    sheet.append([_bold(sheet, spreadsheet_safe(survey.title))])
    if simulated:
        sheet.append([_("Simulated data: not the survey’s real answers.")])
    sheet.append([_("Responses"), survey.response_count])
    for result in selectors.survey_report(survey=survey, simulated=simulated):
        sheet.append([])
        sheet.append([_bold(sheet, spreadsheet_safe(result.question.text))])
        sheet.append([_("Answers"), result.answered])
        if result.average is not None:
            sheet.append([_("Average"), result.average])
        if result.is_text:
            for text in result.texts:
                sheet.append([spreadsheet_safe(text)])
            continue
        sheet.append([_("Answer"), _("Count"), _("Share (%)")])
        for bar in result.bars:
            sheet.append([spreadsheet_safe(bar.label), bar.count, bar.percent])

    if not simulated:
        responses = workbook.create_sheet(_("Responses"))
        rows = selectors.response_rows(survey=survey)
        responses.append([_bold(responses, title) for title in next(rows)])
        for row in rows:
            responses.append(row)
    return workbook


def _bold(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = BOLD
    return cell
