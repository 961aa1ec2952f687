"""Reports (real or simulated), the Excel export, and the response data."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts import services as contract_services
from surveys import selectors
from surveys.models import Answer, Response
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import responses_add

pytestmark = pytest.mark.django_db


def _report_url(survey):
    return reverse("surveys:survey-report", args=[survey.pk])


def _csv(response) -> list[list[str]]:
    assert response.streaming
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


@pytest.fixture
def reader(organization):
    return MembershipFactory(organization=organization, reader=True).user


class TestReport:
    def test_the_owner_reads_real_results(self, user_client, owner, survey):
        responses_add(survey, 3)
        response = user_client(owner).get(_report_url(survey))
        assert response.status_code == 200
        assert "Simulated data" not in response.text
        report = {r.question.text: r for r in response.context["report"]}
        choice = report["Would you come back?"]
        assert choice.answered == 3
        assert [(bar.label, bar.count, bar.percent) for bar in choice.bars] == [
            ("Yes", 3, 100),
            ("No", 0, 0),
            ("Maybe", 0, 0),
        ]
        assert report["How was the welcome?"].average == 4.0
        assert report["Anything to add?"].texts == ["Fine", "Fine", "Fine"]
        # Charts are SVG shapes sized by attributes, not inline styles.
        assert '<rect class="bar-fill" x="0" y="0" width="100"' in response.text
        assert "style=" not in response.text

    def test_a_reader_without_the_feature_sees_labelled_simulated_data(
        self, user_client, reader, survey
    ):
        responses_add(survey, 7)
        response = user_client(reader).get(_report_url(survey))
        assert "Simulated data" in response.text
        assert "does not include “Reading reports with real data”" in response.text
        assert "Reader+" in response.text
        assert "<li>Fine</li>" not in response.text
        again = user_client(reader).get(_report_url(survey))
        assert [r.bars for r in response.context["report"]] == [
            r.bars for r in again.context["report"]
        ]

    def test_simulated_data_never_reads_an_answer(
        self, survey, django_assert_num_queries
    ):
        responses_add(survey, 5)
        selectors.questionnaire(survey)
        with django_assert_num_queries(0):
            report = selectors.survey_report(survey=survey, simulated=True)
        assert not any("Fine" in r.texts for r in report)

    @pytest.mark.parametrize("responses", [0, 3, 7])
    def test_simulated_counts_agree_with_the_real_number_of_responses(
        self, user_client, reader, survey, responses
    ):
        """The notice says the number of responses is real and the results
        simulated: no question shows more answers than there are responses,
        and each choice question's bars add up to its answers."""
        responses_add(survey, responses)
        response = user_client(reader).get(_report_url(survey))
        assert "Simulated data" in response.text
        assert f"{responses} response" in response.text
        assert "(the real number; the results below are simulated)" in response.text
        for result in response.context["report"]:
            assert result.answered <= responses
            assert len(result.texts) <= result.answered
            if result.bars:
                assert sum(bar.count for bar in result.bars) == result.answered
        choice = next(r for r in response.context["report"] if r.bars)
        assert choice.answered == responses
        if responses == 0:
            assert "No answer yet." in response.text

    def test_reader_plus_reads_real_data(self, user_client, reader, survey):
        SeatFactory(user=reader, plan=plan("reader-plus"))
        responses_add(survey, 2)
        response = user_client(reader).get(_report_url(survey))
        assert "Simulated data" not in response.text
        assert "<li>Fine</li>" in response.text

    def test_automatic_assignment_gives_a_reader_reader_plus(
        self, user_client, reader, survey, organization, admin_user
    ):
        """Offered on the report page, given by the button's POST."""
        contract = ContractFactory(seats={"reader-plus": 1, "professional": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        contract_services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        responses_add(survey, 2)
        client = user_client(reader)
        page = client.get(_report_url(survey))
        assert "Use my Reader+ seat" in page.text
        response = client.post(
            reverse("surveys:report-real-data", args=[survey.pk]), follow=True
        )
        assert "You now have the Reader+ plan" in response.text
        assert "Simulated data" not in response.text
        assert contract.seats.get(user=reader).plan.code == "reader-plus"

    def test_a_report_page_view_never_gives_a_seat(
        self, user_client, reader, survey, organization, admin_user
    ):
        """A GET (a link on another site, say) only shows the button."""
        contract = ContractFactory(seats={"reader-plus": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        contract_services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        responses_add(survey, 2)
        client = user_client(reader)
        for _ in range(2):
            page = client.get(_report_url(survey))
            assert "Simulated data" in page.text
            assert "Use my Reader+ seat" in page.text
        download = client.get(reverse("surveys:responses-download", args=[survey.pk]))
        assert download.status_code == 302
        assert not contract.seats.exists()
        assert not contract.plan_requests.exists()
        assert not contract.events.filter(kind="seat_assigned").exists()

    def test_the_report_query_count_does_not_grow(
        self, user_client, owner, survey, django_assert_max_num_queries
    ):
        responses_add(survey, 50)
        client = user_client(owner)
        with django_assert_max_num_queries(8):
            client.get(_report_url(survey))


class TestExcelExport:
    def _export(self, client, survey, **kwargs):
        return client.post(reverse("surveys:report-export", args=[survey.pk]), **kwargs)

    def test_free_owners_are_told_which_plan_exports(self, user_client, owner, survey):
        response = self._export(user_client(owner), survey, follow=True)
        assert "does not include “Exporting reports”" in response.text
        assert "Professional" in response.text

    def test_professional_gets_the_workbook(self, user_client, owner, survey):
        SeatFactory(user=owner, plan=plan("professional"))
        responses_add(survey, 2)
        Answer.objects.filter(question__kind="text").update(text="=HYPERLINK(1)")
        response = self._export(user_client(owner), survey)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )
        assert "attachment" in response["Content-Disposition"]
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Report", "Responses"]
        report = list(workbook["Report"].values)
        assert report[0] == (survey.title, None, None)
        assert ("Yes", 2, 100) in report
        assert ("Average", 4, None) in report
        responses = list(workbook["Responses"].values)
        assert responses[0][3:] == (
            "Would you come back?",
            "How was the welcome?",
            "Anything to add?",
        )
        assert len(responses) == 3
        # Answers that look like formulas stay text.
        assert responses[1][3:] == ("Yes", 4, "'=HYPERLINK(1)")
        assert workbook["Responses"]["F2"].data_type == "s"

    def test_a_simulated_export_carries_no_response(
        self, user_client, organization, survey
    ):
        """A member whose plan exports but does not read real data (staff
        may edit the catalogue so) gets the simulated report only."""
        member = MembershipFactory(organization=organization).user
        starter = plan("starter")
        starter.features.filter(feature="reports_real_data").delete()
        starter.features.create(feature="report_export")
        SeatFactory(user=member, plan=starter)
        responses_add(survey, 2)
        workbook = load_workbook(
            io.BytesIO(self._export(user_client(member), survey).content)
        )
        assert workbook.sheetnames == ["Report"]
        assert "Simulated data" in workbook["Report"]["A2"].value


class TestResponseData:
    def test_a_free_owner_downloads_everything_as_csv(
        self, user_client, owner, survey, link
    ):
        responses_add(survey, 120)
        response = user_client(owner).get(
            reverse("surveys:responses-download", args=[survey.pk])
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].endswith('-responses.csv"')
        rows = _csv(response)
        assert rows[0] == [
            "Response",
            "Submitted at",
            "Channel",
            "Would you come back?",
            "How was the welcome?",
            "Anything to add?",
        ]
        assert len(rows) == 121
        assert rows[1][2:] == ["Link", "Yes", "4", "Fine"]
        ids = [int(row[0]) for row in rows[1:]]
        assert ids == sorted(Response.objects.values_list("pk", flat=True))

    def test_formulas_are_neutralised(self, user_client, owner, survey):
        responses_add(survey, 1)
        Answer.objects.filter(question__kind="text").update(text="=cmd|'/c calc'!A0")
        rows = _csv(
            user_client(owner).get(
                reverse("surveys:responses-download", args=[survey.pk])
            )
        )
        assert rows[1][-1] == "'=cmd|'/c calc'!A0"

    def test_missing_answers_are_empty_cells(self, user_client, owner, survey):
        responses_add(survey, 1, answers=False)
        rows = _csv(
            user_client(owner).get(
                reverse("surveys:responses-download", args=[survey.pk])
            )
        )
        assert rows[1][3:] == ["", "", ""]

    def test_members_need_real_data_to_download(self, user_client, reader, survey):
        responses_add(survey, 1)
        url = reverse("surveys:responses-download", args=[survey.pk])
        response = user_client(reader).get(url, follow=True)
        assert "does not include “Reading reports with real data”" in response.text
        SeatFactory(user=reader, plan=plan("reader-plus"))
        assert len(_csv(user_client(reader).get(url))) == 2

    def test_french_headers(self, user_client, owner, survey):
        responses_add(survey, 1)
        rows = _csv(
            user_client(owner).get(
                reverse("surveys:responses-download", args=[survey.pk]),
                headers={"Accept-Language": "fr"},
            )
        )
        assert rows[0][:3] == ["Réponse", "Envoyée le", "Canal"]
        assert rows[1][2] == "Lien"


class TestAdministratorsRefusedGetTheirMemberPage:
    """Issue 10, point 14, through the views: a refused administrator sees a
    link to their own member page, never "Ask an administrator"."""

    @pytest.fixture
    def administrator(self, organization, survey):
        membership = MembershipFactory(organization=organization, administrator=True)
        contract = ContractFactory(seats={"professional": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=membership.user
        )
        return membership

    def _own_page(self, membership):
        return reverse(
            "contracts:member-detail",
            kwargs={
                "organization_id": membership.organization_id,
                "membership_id": membership.pk,
            },
        )

    def test_the_export_refusal_links_to_the_member_page(
        self, user_client, administrator, survey
    ):
        response = user_client(administrator.user).post(
            reverse("surveys:report-export", args=[survey.pk]), follow=True
        )
        assert "Ask an administrator" not in response.text
        assert f'<a href="{self._own_page(administrator)}">' in response.text

    def test_the_report_page_links_to_the_member_page(
        self, user_client, administrator, survey
    ):
        response = user_client(administrator.user).get(_report_url(survey))
        assert "Simulated data" in response.text
        assert "Ask an administrator" not in response.text
        assert f'<a href="{self._own_page(administrator)}">' in response.text

    def test_a_member_is_still_told_to_ask_an_administrator(
        self, user_client, administrator, organization, survey
    ):
        member = MembershipFactory(organization=organization).user
        response = user_client(member).post(
            reverse("surveys:report-export", args=[survey.pk]), follow=True
        )
        assert "Ask an administrator" in response.text
        assert self._own_page(administrator) not in response.text
