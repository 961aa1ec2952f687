"""The CSV import of members: the template, the dry run, the run in the
background (ImmediateBackend, and the real queue once), per-line errors and
atomicity, a second run of the same file, separators and encodings, French
words, permissions, the progress fragment and the report."""

import csv
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contracts import services as contract_services
from contracts.exceptions import ContractError
from contracts.models import Seat
from imports import services as import_services
from imports.models import ImportStatus, MemberImport, MemberImportLine
from organizations import services as organization_services
from organizations.models import Membership, Role
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def connected(organization, admin_user):
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 2, "reader-plus": 5}
    )
    return contract_services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


@pytest.fixture
def bob(organization):
    return MembershipFactory(
        organization=organization,
        user=UserFactory(email="bob@acme.example", full_name="Bob Bernard"),
    )


def _url(name, organization, member_import=None):
    kwargs = {"organization_id": organization.pk}
    if member_import is not None:
        kwargs["import_id"] = member_import.pk
    return reverse(f"imports:{name}", kwargs=kwargs)


def _upload(client, organization, text, *, invitations=True, encoding="utf-8"):
    data = {"file": SimpleUploadedFile("members.csv", text.encode(encoding))}
    if invitations:
        data["send_invitations"] = "on"
    return _post(client, _url("import-new", organization), data)


def _uploaded(client, organization, text, **kwargs) -> MemberImport:
    response = _upload(client, organization, text, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return MemberImport.objects.latest("pk")


_capture = None


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """What is queued once a request's transaction commits (the import's
    task, the emails) is queued as the request ends, as in production: the
    test's own transaction never commits."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def _post(client, url, data=None):
    with _capture(execute=True):
        return client.post(url, data or {})


def _run(client, organization, text, **kwargs) -> MemberImport:
    member_import = _uploaded(client, organization, text, **kwargs)
    response = _post(client, _url("import-confirm", organization, member_import))
    assert response.status_code == 302
    member_import.refresh_from_db()
    return member_import


def _report(client, organization, member_import) -> list[list[str]]:
    response = client.get(_url("import-report", organization, member_import))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_template_has_a_header_and_an_example_that_imports(admin_client, organization):
    response = admin_client.get(_url("import-template", organization))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["email", "name", "role", "plan"]
    assert len(rows) == 2
    done = _run(admin_client, organization, response.content.decode("utf-8-sig"))
    assert (done.status, done.new_count, done.error_count) == (ImportStatus.DONE, 1, 0)


def test_dry_run_counts_lines_and_seats_and_changes_nothing(
    admin_client, organization, connected, bob, admin_user
):
    carol = MembershipFactory(
        organization=organization,
        user=UserFactory(email="carol@acme.example", full_name="Carol"),
        role=Role.READER,
    )
    contract_services.member_plan_set(
        organization=organization,
        user=carol.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    text = (
        "email,name,role,plan\n"
        "new1@acme.example,New One,collaborator,Professional\n"
        "new2@acme.example,New Two,,professional\n"
        "bob@acme.example,Bob Bernard,administrator,\n"
        "carol@acme.example,Carol,reader,Professional\n"
        "not-an-email,,,\n"
        "new3@acme.example,,boss,\n"
    )
    before = Membership.objects.count()
    member_import = _uploaded(admin_client, organization, text)
    assert Membership.objects.count() == before
    assert member_import.status == ImportStatus.CHECKED
    response = admin_client.get(member_import.get_absolute_url())
    assert response.status_code == 200
    check = response.context["check"]
    assert check["counts"] == {"new": 2, "updated": 1, "unchanged": 1, "error": 2}
    assert [e["line"] for e in check["errors"]] == [6, 7]
    assert "boss" in check["errors"][1]["message"]
    (seats,) = response.context["seats"]
    assert (seats["plan"].code, seats["needed"], seats["left"], seats["beyond"]) == (
        "professional",
        2,
        1,
        1,
    )
    page = response.content.decode()
    assert "beyond the seats left" in page


def test_confirm_runs_the_import_with_per_line_errors_not_stopping_others(
    admin_client, organization, connected, bob
):
    text = (
        "email,name,role,plan\n"
        "new1@acme.example,New One,collaborator,Professional\n"
        "not-an-email,,,\n"
        "new2@acme.example,New Two,reader,Professional\n"
        "new3@acme.example,New Three,reader,Professional\n"
        "bob@acme.example,Bob B.,administrator,Reader+\n"
    )
    done = _run(admin_client, organization, text)
    assert done.status == ImportStatus.DONE
    assert (done.new_count, done.updated_count, done.error_count) == (2, 1, 2)
    assert done.done_lines == done.total_lines == 5
    # The third Professional line found no seat left: nothing of it stayed.
    assert not User.objects.filter(email="new3@acme.example").exists()
    assert Seat.objects.filter(plan__code="professional").count() == 2
    bob.refresh_from_db()
    bob.user.refresh_from_db()
    assert (bob.role, bob.user.full_name) == (Role.ADMINISTRATOR, "Bob B.")
    assert Seat.objects.get(user=bob.user).plan.code == "reader-plus"
    new2 = Membership.objects.get(user__email="new2@acme.example")
    assert (new2.role, new2.user.full_name) == (Role.READER, "New Two")
    report = _report(admin_client, organization, done)
    assert report[0] == ["line", "email", "outcome", "message"]
    assert [row[:3] for row in report[1:]] == [
        ["2", "new1@acme.example", "New member"],
        ["3", "not-an-email", "Error"],
        ["4", "new2@acme.example", "New member"],
        ["5", "new3@acme.example", "Error"],
        ["6", "bob@acme.example", "Updated"],
    ]
    assert "No Professional plan is left" in report[4][3]


def test_invitations_are_sent_only_when_asked(admin_client, organization):
    text = "email\nnew1@acme.example\nnew3@acme.example\n"
    _run(admin_client, organization, text, invitations=True)
    assert sorted(m.to for m in mail.outbox) == [
        ["new1@acme.example"],
        ["new3@acme.example"],
    ]
    assert "/accounts/reset/" in mail.outbox[0].body
    mail.outbox.clear()
    _run(admin_client, organization, "email\nnew2@acme.example\n", invitations=False)
    assert mail.outbox == []
    assert Membership.objects.filter(user__email="new2@acme.example").exists()


def test_a_line_failing_mid_way_leaves_nothing_of_it(
    admin_client, organization, connected
):
    """The member is added, then their plan fails: the membership, the user
    and the name are all rolled back; the next line still imports."""
    text = (
        "email,name,role,plan\n"
        "new1@acme.example,New One,reader,Professional\n"
        "new2@acme.example,New Two,reader,Professional\n"
    )
    member_import = _uploaded(admin_client, organization, text)
    real = contract_services.member_plan_set
    calls = []

    def failing_first(**kwargs):
        calls.append(kwargs["user"].email)
        if len(calls) == 1:
            raise ContractError("The plan broke.")
        return real(**kwargs)

    with mock.patch.object(contract_services, "member_plan_set", failing_first):
        _post(admin_client, _url("import-confirm", organization, member_import))
    assert calls == ["new1@acme.example", "new2@acme.example"]
    assert not User.objects.filter(email="new1@acme.example").exists()
    assert Membership.objects.filter(user__email="new2@acme.example").exists()
    line = MemberImportLine.objects.get(member_import=member_import, number=2)
    assert (line.outcome, line.message) == ("error", "The plan broke.")


def test_importing_the_same_file_again_changes_nothing(
    admin_client, organization, connected, bob
):
    text = (
        "email,name,role,plan\n"
        "new1@acme.example,New One,collaborator,Professional\n"
        "bob@acme.example,Bob B.,reader,Reader+\n"
        "new2@acme.example,,,Free\n"
    )
    first = _run(admin_client, organization, text)
    assert (first.new_count, first.updated_count, first.error_count) == (2, 1, 0)
    second = _run(admin_client, organization, text)
    assert second.dry_run["counts"]["unchanged"] == 3
    assert (second.unchanged_count, second.new_count, second.updated_count) == (
        3,
        0,
        0,
    )


def test_semicolons_bom_and_french_words(admin_client, organization, connected):
    text = (
        "\ufeffcourriel;nom;rôle;forfait\n"
        "new1@acme.example;Émile Zola;Lecteur;Professionnel\n"
        "new2@acme.example;Ève;Administrateur;Gratuit\n"
    )
    done = _run(admin_client, organization, text)
    assert (done.new_count, done.error_count) == (2, 0)
    emile = Membership.objects.get(user__email="new1@acme.example")
    assert (emile.role, emile.user.full_name) == (Role.READER, "Émile Zola")
    assert Seat.objects.get(user=emile.user).plan.code == "professional"
    eve = Membership.objects.get(user__email="new2@acme.example")
    assert eve.role == Role.ADMINISTRATOR
    assert not Seat.objects.filter(user=eve.user).exists()


def test_free_takes_a_plan_back_and_an_empty_plan_leaves_it(
    admin_client, organization, connected, bob, admin_user
):
    carol = MembershipFactory(
        organization=organization, user=UserFactory(email="carol@acme.example")
    )
    for member in (bob, carol):
        contract_services.member_plan_set(
            organization=organization,
            user=member.user,
            plan=plan("professional"),
            actor=admin_user,
        )
    text = "email,plan\nbob@acme.example,Free\ncarol@acme.example,\n"
    done = _run(admin_client, organization, text)
    assert (done.updated_count, done.unchanged_count) == (1, 1)
    assert list(Seat.objects.values_list("user__email", flat=True)) == [
        "carol@acme.example"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty."),
        (b"\n\n", "The file is empty."),
        (b"name,role\nx,y\n", "must name the columns"),
        ("email\nzoë@example.com\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    admin_client, organization, content, message
):
    response = _post(
        admin_client,
        _url("import-new", organization),
        {"file": SimpleUploadedFile("m.csv", content)},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not MemberImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(admin_client, organization):
    with (
        mock.patch("imports.rows.MAX_BYTES", 100),
        mock.patch("imports.views.MAX_BYTES", 100),
    ):
        response = _upload(admin_client, organization, "email\n" + "a@b.example\n" * 20)
    assert response.status_code == 422
    assert "larger than" in response.content.decode()


def test_only_the_organizations_administrators_reach_imports(
    admin_client, organization, bob
):
    member_import = _uploaded(admin_client, organization, "email\nx@acme.example\n")
    other = OrganizationFactory()
    other_admin = MembershipFactory(organization=other, administrator=True).user
    theirs = _uploaded(_client(other_admin), other, "email\ny@acme.example\n")
    urls = [
        _url("import-new", organization),
        _url("import-template", organization),
        _url("import-detail", organization, member_import),
        _url("import-report", organization, member_import),
    ]
    for person in (bob.user, other_admin, UserFactory()):
        for url in urls:
            assert _client(person).get(url).status_code == 404, (person, url)
        confirm = _url("import-confirm", organization, member_import)
        assert _post(_client(person), confirm).status_code == 404
    # Another organization's import through one's own organization: 404.
    assert (
        admin_client.get(_url("import-detail", organization, theirs)).status_code == 404
    )
    assert (
        _post(admin_client, _url("import-confirm", organization, theirs)).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == ImportStatus.CHECKED
    assert not User.objects.filter(email="x@acme.example").exists()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_progress_fragment_polls_until_done(admin_client, organization):
    member_import = _uploaded(admin_client, organization, "email\nx@acme.example\n")
    member_import.status = ImportStatus.RUNNING
    member_import.save()
    response = admin_client.get(member_import.get_absolute_url(), headers=HTMX)
    fragment = response.content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "<progress" in fragment and "<html" not in fragment
    assert "Download the report" not in fragment
    member_import.status = ImportStatus.QUEUED
    member_import.save()
    import_services.member_import_run(import_id=member_import.pk)
    response = admin_client.get(member_import.get_absolute_url(), headers=HTMX)
    fragment = response.content.decode()
    assert "every 1s" not in fragment
    assert 'value="100"' in fragment
    assert "Download the report" in fragment


def test_confirming_twice_runs_once(admin_client, organization):
    member_import = _uploaded(admin_client, organization, "email\nx@acme.example\n")
    confirm = _url("import-confirm", organization, member_import)
    _post(admin_client, confirm)
    _post(admin_client, confirm)
    member_import.refresh_from_db()
    assert (member_import.status, member_import.done_lines) == (ImportStatus.DONE, 1)
    assert MemberImportLine.objects.filter(member_import=member_import).count() == 1


def test_the_import_runs_on_the_real_queue(admin_client, organization, db_tasks):
    member_import = _uploaded(admin_client, organization, "email\nx@acme.example\n")
    _post(admin_client, _url("import-confirm", organization, member_import))
    member_import.refresh_from_db()
    assert member_import.status == ImportStatus.QUEUED
    assert db_tasks.run() >= 1
    member_import.refresh_from_db()
    assert (member_import.status, member_import.new_count) == (ImportStatus.DONE, 1)


def test_the_members_page_links_to_the_import(admin_client, organization):
    response = admin_client.get(
        reverse("contracts:member-list", kwargs={"organization_id": organization.pk})
    )
    assert _url("import-new", organization) in response.content.decode()


def test_the_import_page_lists_past_imports(admin_client, organization):
    _uploaded(admin_client, organization, "email\nx@acme.example\n")
    response = admin_client.get(_url("import-new", organization))
    assert "members.csv" in response.content.decode()


def test_people_with_an_account_elsewhere_are_added_with_their_name(
    admin_client, organization
):
    elsewhere = MembershipFactory(
        user=UserFactory(email="dora@acme.example", full_name="D.")
    )
    text = "email,name\ndora@acme.example,Dora\nnew1@acme.example,New One\n"
    done = _run(admin_client, organization, text)
    assert done.new_count == 2
    elsewhere.user.refresh_from_db()
    assert elsewhere.user.full_name == "Dora"
    assert Membership.objects.filter(
        organization=organization, user=elsewhere.user
    ).exists()


def test_a_refused_chunk_of_new_people_is_added_one_by_one(admin_client, organization):
    """When the chunk's new people cannot be added at once (one got an
    account meanwhile), each line is tried on its own and still imports."""
    real = organization_services.membership_add_many
    sizes = []

    def refused_in_bulk(**kwargs):
        sizes.append(len(kwargs["people"]))
        if len(kwargs["people"]) > 1:
            raise organization_services.MembershipError("Refused at once.")
        return real(**kwargs)

    text = "email,name\nnew1@acme.example,One\nnew2@acme.example,Two\n"
    member_import = _uploaded(admin_client, organization, text)
    with mock.patch.object(
        organization_services, "membership_add_many", refused_in_bulk
    ):
        _post(admin_client, _url("import-confirm", organization, member_import))
    member_import.refresh_from_db()
    assert sizes == [2, 1, 1]
    assert (member_import.new_count, member_import.error_count) == (2, 0)
    assert set(
        Membership.objects.filter(organization=organization).values_list(
            "user__full_name", flat=True
        )
    ) >= {"One", "Two"}


def test_the_report_speaks_the_uploaders_language(admin_client, organization):
    admin_client.cookies["django_language"] = "fr"
    text = "email\nnot-an-email\n"
    done = _run(admin_client, organization, text)
    assert done.language == "fr"
    line = MemberImportLine.objects.get(member_import=done)
    assert line.message == "Saisissez une adresse de courriel valide."


def test_a_suspended_member_gets_no_plan_but_the_others_do(
    admin_client, organization, connected, bob
):
    bob.is_active = False
    bob.save()
    text = "email,plan\nbob@acme.example,Professional\nnew1@acme.example,Professional\n"
    done = _run(admin_client, organization, text)
    assert done.dry_run["counts"]["error"] == 1
    assert (done.new_count, done.error_count) == (1, 1)
    assert list(Seat.objects.values_list("user__email", flat=True)) == [
        "new1@acme.example"
    ]
