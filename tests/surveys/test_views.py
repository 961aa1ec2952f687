"""The owner's pages: home, creating a survey, its questions, opening and
closing, sending, branding; and who may see what."""

import pytest
from django.urls import reverse

from surveys.models import Distribution, Invitation, Question, Survey
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.contracts.test_my_plan import HOME_QUERIES
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import (
    QuestionFactory,
    SurveyFactory,
    link_add,
    responses_add,
)

pytestmark = pytest.mark.django_db


def _detail(survey):
    return reverse("surveys:survey-detail", args=[survey.pk])


class TestHome:
    def test_links_to_the_users_organizations(self, admin_client, organization):
        OrganizationFactory(name="Not mine")
        response = admin_client.get(reverse("home"))
        assert organization.get_absolute_url() in response.text
        assert "Not mine" not in response.text

    def test_back_arrow_leads_to_the_organization_list(self, admin_client):
        response = admin_client.get(reverse("home"))
        assert f'class="back" href="{reverse("organizations:organization-list")}"' in (
            response.text
        )

    def test_lists_surveys_with_status_and_responses(
        self, user_client, survey, link, owner
    ):
        SurveyFactory(owner=owner, title="My draft")
        responses_add(survey, 100, answers=False)
        SurveyFactory(title="Someone else’s")
        response = user_client(owner).get(reverse("home"))
        assert survey.title in response.text
        assert "My draft" in response.text
        assert "Someone else’s" not in response.text
        rows = {s.title: s for s in response.context["page"].object_list}
        assert rows[survey.title].response_count == 100
        assert "Inactive" in response.text
        assert "Draft" in response.text

    def test_members_see_the_organizations_surveys(self, user_client, survey):
        reader = MembershipFactory(organization=survey.organization, reader=True)
        response = user_client(reader.user).get(reverse("home"))
        assert survey.title in response.text
        assert f"by {survey.owner.display_name}" in response.text

    def test_query_count_does_not_grow_with_the_surveys(
        self, user_client, owner, organization, django_assert_max_num_queries
    ):
        for _ in range(15):
            survey = SurveyFactory(owner=owner, organization=organization, open=True)
            link_add(survey)
        client = user_client(owner)
        # "My plan" included (tests/contracts/test_my_plan.py).
        with django_assert_max_num_queries(HOME_QUERIES):
            response = client.get(reverse("home"))
        assert len(response.context["page"].object_list) == 15

    def test_htmx_pagination_returns_the_list_only(self, user_client, owner):
        SurveyFactory.create_batch(21, owner=owner)
        response = user_client(owner).get(
            reverse("home"),
            {"page": 2},
            headers={"HX-Request": "true", "HX-Target": "survey-list"},
        )
        assert response.text.lstrip().startswith('<div id="survey-list"')
        assert len(response.context["page"].object_list) == 1


class TestCreate:
    def test_in_an_organization(self, user_client, owner, organization):
        url = reverse("surveys:survey-create")
        page = user_client(owner).get(url)
        assert organization.name in page.text
        response = user_client(owner).post(
            url, {"title": "Team lunch", "place": str(organization.pk)}
        )
        survey = Survey.objects.get(title="Team lunch")
        assert response.url == survey.get_absolute_url()
        assert (survey.owner, survey.organization, survey.status) == (
            owner,
            organization,
            "draft",
        )

    def test_in_the_own_area(self, user_client, outsider):
        user_client(outsider).post(
            reverse("surveys:survey-create"), {"title": "Mine", "place": ""}
        )
        assert Survey.objects.get(title="Mine").organization is None

    def test_readers_cannot_create_in_their_organization(
        self, user_client, organization
    ):
        reader = MembershipFactory(organization=organization, reader=True).user
        response = user_client(reader).post(
            reverse("surveys:survey-create"),
            {"title": "Nope", "place": str(organization.pk)},
        )
        assert response.status_code == 422
        assert not Survey.objects.exists()

    def test_a_title_is_required(self, user_client, outsider):
        response = user_client(outsider).post(
            reverse("surveys:survey-create"), {"title": ""}
        )
        assert response.status_code == 422
        assert "This field is required." in response.text

    def test_an_empty_post_is_answered_with_the_errors(self, user_client, outsider):
        response = user_client(outsider).post(reverse("surveys:survey-create"))
        assert response.status_code == 422
        assert "This field is required." in response.text
        assert not Survey.objects.exists()


class TestQuestions:
    @pytest.fixture
    def draft(self, owner, organization):
        return SurveyFactory(owner=owner, organization=organization)

    def test_add_each_kind(self, user_client, owner, draft):
        client = user_client(owner)
        url = reverse("surveys:question-add", args=[draft.pk])
        client.post(url, {"text": "Name?", "kind": "text", "required": "on"})
        client.post(url, {"text": "Score?", "kind": "rating"})
        response = client.post(
            url, {"text": "Colour?", "kind": "choice", "options": "Red\n\nBlue\nRed"}
        )
        assert response.status_code == 302
        texts = list(draft.questions.values_list("text", "kind", "required"))
        assert texts == [
            ("Name?", "text", True),
            ("Score?", "rating", False),
            ("Colour?", "choice", False),
        ]
        colour = draft.questions.get(kind="choice")
        assert list(colour.options.values_list("label", flat=True)) == ["Red", "Blue"]

    def test_a_choice_needs_two_options(self, user_client, owner, draft):
        response = user_client(owner).post(
            reverse("surveys:question-add", args=[draft.pk]),
            {"text": "Colour?", "kind": "choice", "options": "Red"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
        assert response.text.lstrip().startswith('<section id="questions"')
        assert "Give at least two options" in response.text
        assert not draft.questions.exists()

    def test_htmx_add_returns_the_question_list(self, user_client, owner, draft):
        response = user_client(owner).post(
            reverse("surveys:question-add", args=[draft.pk]),
            {"text": "Why?", "kind": "text"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="questions"')
        assert "Why?" in response.text

    def _three(self, draft):
        return [
            QuestionFactory(survey=draft, text=text, position=position)
            for position, text in enumerate(["A", "B", "C"])
        ]

    def _order(self, draft):
        return list(draft.questions.values_list("text", flat=True))

    def test_move_up_and_down_with_htmx(self, user_client, owner, draft):
        a, _b, c = self._three(draft)
        client = user_client(owner)
        response = client.post(
            reverse("surveys:question-move", args=[draft.pk, c.pk]),
            {"direction": "up"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="questions"')
        assert self._order(draft) == ["A", "C", "B"]
        assert response.text.index(">C<") < response.text.index(">B<")
        client.post(
            reverse("surveys:question-move", args=[draft.pk, a.pk]),
            {"direction": "down"},
            headers={"HX-Request": "true"},
        )
        assert self._order(draft) == ["C", "A", "B"]

    def test_move_with_a_plain_post_redirects(self, user_client, owner, draft):
        a, _b, _c = self._three(draft)
        response = user_client(owner).post(
            reverse("surveys:question-move", args=[draft.pk, a.pk]),
            {"direction": "down"},
        )
        assert response.status_code == 302
        assert response.url == _detail(draft) + "#questions"
        assert self._order(draft) == ["B", "A", "C"]

    def test_moving_past_either_end_changes_nothing(self, user_client, owner, draft):
        a, _b, c = self._three(draft)
        client = user_client(owner)
        client.post(
            reverse("surveys:question-move", args=[draft.pk, a.pk]),
            {"direction": "up"},
        )
        client.post(
            reverse("surveys:question-move", args=[draft.pk, c.pk]),
            {"direction": "down"},
        )
        assert self._order(draft) == ["A", "B", "C"]

    def test_delete(self, user_client, owner, draft):
        a, _b, _c = self._three(draft)
        user_client(owner).post(
            reverse("surveys:question-delete", args=[draft.pk, a.pk])
        )
        assert self._order(draft) == ["B", "C"]

    def test_questions_are_fixed_once_opened(self, user_client, owner, survey):
        question = survey.questions.first()
        client = user_client(owner)
        response = client.post(
            reverse("surveys:question-move", args=[survey.pk, question.pk]),
            {"direction": "down"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 409
        assert "cannot change once the survey has been opened" in response.text
        client.post(reverse("surveys:question-delete", args=[survey.pk, question.pk]))
        assert Question.objects.filter(pk=question.pk).exists()

    def test_a_question_of_another_survey_is_404(self, user_client, owner, draft):
        foreign = QuestionFactory()
        response = user_client(owner).post(
            reverse("surveys:question-move", args=[draft.pk, foreign.pk]),
            {"direction": "up"},
        )
        assert response.status_code == 404


class TestOpenClose:
    def test_open_needs_a_question(self, user_client, owner):
        draft = SurveyFactory(owner=owner)
        client = user_client(owner)
        url = reverse("surveys:survey-status", args=[draft.pk])
        response = client.post(url, {"action": "open"}, follow=True)
        assert "Add at least one question" in response.text
        QuestionFactory(survey=draft)
        client.post(url, {"action": "open"})
        draft.refresh_from_db()
        assert draft.status == "open"
        assert draft.opened_at is not None

    def test_close_keeps_the_responses(self, user_client, owner, survey):
        responses_add(survey, 3)
        user_client(owner).post(
            reverse("surveys:survey-status", args=[survey.pk]), {"action": "close"}
        )
        survey.refresh_from_db()
        assert (survey.status, survey.response_count) == ("closed", 3)
        assert survey.responses.count() == 3


class TestSending:
    def test_the_link_is_made_once(self, user_client, owner, survey):
        client = user_client(owner)
        url = reverse("surveys:link-create", args=[survey.pk])
        client.post(url)
        client.post(url)
        link = Distribution.objects.get(survey=survey)
        assert len(link.token) >= 32
        page = client.get(_detail(survey))
        assert link.get_absolute_url() in page.text
        assert "By link since" in page.text

    def test_a_draft_is_not_sent(self, user_client, owner):
        draft = SurveyFactory(owner=owner)
        user_client(owner).post(reverse("surveys:link-create", args=[draft.pk]))
        assert not Distribution.objects.exists()

    def test_invitations_are_emailed_after_commit(
        self, user_client, owner, survey, mailoutbox, django_capture_on_commit_callbacks
    ):
        url = reverse("surveys:invitations-send", args=[survey.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = user_client(owner).post(
                url, {"emails": "a@example.test, B@example.test\nA@example.test"}
            )
        assert response.status_code == 302
        invitations = list(Invitation.objects.filter(survey=survey))
        assert sorted(i.email for i in invitations) == [
            "a@example.test",
            "b@example.test",
        ]
        assert len({i.token for i in invitations}) == 2
        assert sorted(m.to[0] for m in mailoutbox) == [
            "a@example.test",
            "b@example.test",
        ]
        message = next(m for m in mailoutbox if m.to == ["a@example.test"])
        invitation = next(i for i in invitations if i.email == "a@example.test")
        assert survey.title in message.subject
        assert "http://testserver" + invitation.get_absolute_url() in message.body

    def test_already_invited_addresses_are_skipped(
        self, user_client, owner, survey, mailoutbox, django_capture_on_commit_callbacks
    ):
        url = reverse("surveys:invitations-send", args=[survey.pk])
        client = user_client(owner)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"emails": "a@example.test"})
            response = client.post(
                url, {"emails": "a@example.test b@example.test"}, follow=True
            )
        assert Invitation.objects.count() == 2
        assert len(mailoutbox) == 2
        assert "Already invited, not sent again: a@example.test" in response.text
        page = client.get(_detail(survey))
        assert "By email: 2 invitations sent, 0 answered." in page.text

    def test_invalid_addresses_are_named(self, user_client, owner, survey):
        response = user_client(owner).post(
            reverse("surveys:invitations-send", args=[survey.pk]),
            {"emails": "good@example.test, not-an-address"},
        )
        assert response.status_code == 422
        assert "These are not email addresses: not-an-address" in response.text
        assert not Invitation.objects.exists()

    def test_addresses_longer_than_the_column_are_refused(
        self, user_client, owner, survey
    ):
        """An address may have 320 characters; the column holds 254."""
        long = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "example"
        assert len(long) == 264
        response = user_client(owner).post(
            reverse("surveys:invitations-send", args=[survey.pk]),
            {"emails": f"good@example.test, {long}"},
        )
        assert response.status_code == 422
        assert f"These are not email addresses: {long}" in response.text
        assert not Invitation.objects.exists()


class TestBranding:
    def test_professional_owners_choose_colour_and_logo(
        self, user_client, owner, survey
    ):
        SeatFactory(user=owner, plan=plan("professional"))
        user_client(owner).post(
            reverse("surveys:branding", args=[survey.pk]),
            {"colour": "teal", "logo": "leaf"},
        )
        survey.refresh_from_db()
        assert (survey.brand_colour, survey.brand_logo) == ("teal", "leaf")

    def test_free_owners_are_told_which_plan_has_it(self, user_client, owner, survey):
        response = user_client(owner).post(
            reverse("surveys:branding", args=[survey.pk]),
            {"colour": "teal", "logo": ""},
            follow=True,
        )
        assert "does not include “Custom branding”" in response.text
        assert "Professional" in response.text
        survey.refresh_from_db()
        assert survey.brand_colour == ""

    def test_automatic_assignment_gives_the_owner_professional(
        self, user_client, owner, survey, organization, admin_user
    ):
        from contracts import services as contract_services

        contract = ContractFactory(seats={"starter": 5, "professional": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        contract_services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        response = user_client(owner).post(
            reverse("surveys:branding", args=[survey.pk]),
            {"colour": "purple", "logo": "spark"},
            follow=True,
        )
        assert "You now have the Professional plan" in response.text
        survey.refresh_from_db()
        assert survey.brand_colour == "purple"

    def test_the_palette_is_fixed(self, user_client, owner, survey):
        SeatFactory(user=owner, plan=plan("professional"))
        user_client(owner).post(
            reverse("surveys:branding", args=[survey.pk]),
            {"colour": "#ff0000", "logo": "../../etc"},
        )
        survey.refresh_from_db()
        assert (survey.brand_colour, survey.brand_logo) == ("", "")


class TestWhoSeesWhat:
    def _pages(self, survey):
        return [
            _detail(survey),
            reverse("surveys:survey-report", args=[survey.pk]),
            reverse("surveys:responses-download", args=[survey.pk]),
        ]

    def _manage_posts(self, survey):
        question = survey.questions.first()
        return [
            (reverse("surveys:survey-status", args=[survey.pk]), {"action": "close"}),
            (reverse("surveys:link-create", args=[survey.pk]), {}),
            (
                reverse("surveys:invitations-send", args=[survey.pk]),
                {"emails": "x@example.test"},
            ),
            (reverse("surveys:branding", args=[survey.pk]), {"colour": ""}),
            (
                reverse("surveys:question-add", args=[survey.pk]),
                {"text": "X", "kind": "text"},
            ),
            (
                reverse("surveys:question-move", args=[survey.pk, question.pk]),
                {"direction": "up"},
            ),
            (
                reverse("surveys:question-delete", args=[survey.pk, question.pk]),
                {},
            ),
        ]

    def test_outsiders_get_404_everywhere(self, user_client, survey, outsider):
        client = user_client(outsider)
        for url in self._pages(survey):
            assert client.get(url).status_code == 404, url
        for url, data in self._manage_posts(survey):
            assert client.post(url, data).status_code == 404, url
        assert client.post(
            reverse("surveys:report-export", args=[survey.pk])
        ).status_code == (404)

    def test_a_personal_survey_is_its_owners_only(self, user_client, organization):
        member = MembershipFactory(organization=organization, administrator=True)
        personal = SurveyFactory(
            owner=MembershipFactory(organization=organization).user
        )
        QuestionFactory(survey=personal)
        client = user_client(member.user)
        for url in self._pages(personal):
            assert client.get(url).status_code == 404, url

    def test_readers_and_collaborators_read_but_do_not_manage(
        self, user_client, survey, organization
    ):
        for role in ("reader", "collaborator"):
            member = MembershipFactory(organization=organization, role=role).user
            client = user_client(member)
            page = client.get(_detail(survey))
            assert page.status_code == 200
            assert "Close the survey" not in page.text
            assert client.get(self._pages(survey)[1]).status_code == 200
            for url, data in self._manage_posts(survey):
                assert client.post(url, data).status_code == 404, (role, url)
        survey.refresh_from_db()
        assert survey.status == "open"

    def test_administrators_manage_the_organizations_surveys(
        self, admin_client, survey
    ):
        page = admin_client.get(_detail(survey))
        assert "Close the survey" in page.text
        admin_client.post(
            reverse("surveys:survey-status", args=[survey.pk]), {"action": "close"}
        )
        survey.refresh_from_db()
        assert survey.status == "closed"

    def test_an_owner_who_left_the_organization_no_longer_sees_it(
        self, user_client, survey, owner, organization, admin_user
    ):
        from contracts import services as contract_services

        contract_services.member_remove(
            membership=owner.memberships.get(organization=organization),
            actor=admin_user,
        )
        client = user_client(owner)
        for url in self._pages(survey):
            assert client.get(url).status_code == 404, url
        # The organization keeps it.
        assert Survey.objects.filter(pk=survey.pk, organization=organization).exists()

    def test_unknown_ids_answer_404(self, user_client, outsider):
        assert user_client(outsider).get("/surveys/999999/").status_code == 404

    def test_anonymous_people_are_sent_to_log_in(self, client, survey):
        response = client.get(_detail(survey))
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


def test_the_survey_page_shows_an_inactive_survey_and_its_data(
    user_client, owner, survey, link
):
    responses_add(survey, 100, answers=False)
    page = user_client(owner).get(_detail(survey))
    assert "This survey is inactive" in page.text
    assert "100 responses" in page.text
    assert "Starter, Professional" in page.text
    assert "Response data" in page.text
    assert reverse("surveys:responses-download", args=[survey.pk]) in page.text


def test_the_survey_page_query_count(
    user_client, owner, survey, link, django_assert_max_num_queries
):
    responses_add(survey, 5)
    client = user_client(owner)
    with django_assert_max_num_queries(8):
        assert client.get(_detail(survey)).status_code == 200


def test_no_user_sees_another_users_personal_survey(user_client):
    mine = SurveyFactory(owner=UserFactory())
    assert user_client(UserFactory()).get(_detail(mine)).status_code == 404
