from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from accounts.services import user_get_or_invite, user_password_set_url
from organizations.models import Group, GroupMember, Membership, Organization, Role


class MembershipError(Exception):
    """A change to the members that the rules refuse; the message says why."""


class LastAdministrator(MembershipError):
    pass


class AlreadyMember(MembershipError):
    pass


@transaction.atomic
def organization_create(*, name: str, creator: User) -> Organization:
    organization = Organization(name=name)
    organization.full_clean()
    organization.save()
    Membership.objects.create(
        organization=organization, user=creator, role=Role.ADMINISTRATOR
    )
    return organization


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    email: str,
    role: str,
    actor: User,
    base_url: str,
    notify: bool = True,
) -> Membership:
    """Add a person by email; someone without an account is invited.

    `base_url` is the site's address (scheme and host) for the email's link:
    the login page, or for a new person the page to choose a password.
    Without `notify` (a large CSV import whose administrator announces it
    themselves) no email is sent: a new person chooses a password through
    the login page's "forgotten password" link.
    """
    _organization_lock(organization)
    try:
        user, invited = user_get_or_invite(email=email)
    except ValidationError as error:
        # The address is stored lowercased, which can break a rule the typed
        # one kept: "İ" lowercases to two characters, past the 254 allowed.
        raise MembershipError(" ".join(error.messages)) from None
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise AlreadyMember(
            _("%(email)s is already a member of %(organization)s.")
            % {"email": user.email, "organization": organization.name}
        )
    membership = Membership(organization=organization, user=user, role=role)
    membership.full_clean()
    membership.save()
    if notify:
        _member_added_email(
            membership=membership, actor=actor, invited=invited, base_url=base_url
        )
    return membership


@transaction.atomic
def membership_add_many(
    *,
    organization: Organization,
    people: list[tuple[str, str, str]],
    actor: User,
    base_url: str,
    notify: bool = True,
) -> list[Membership]:
    """Add people who have no account yet, given as (email, role, full
    name), all or none: a CSV import's chunk of new people, in a few queries
    where `membership_add` takes several each. Each gets an account without
    a password and, with `notify`, the invitation `membership_add` sends.

    Raises MembershipError when an address or role is invalid, or an
    address has an account already (or gets one meanwhile): the caller then
    adds them one by one with `membership_add`, which says which and why.
    """
    _organization_lock(organization)
    users = []
    for email, _role, full_name in people:
        user = User(email=User.objects.normalize_email(email).lower())
        user.full_name = full_name
        user.set_unusable_password()
        users.append(user)
    memberships = [
        Membership(organization=organization, user=user, role=role)
        for user, (_email, role, _name) in zip(users, people, strict=True)
    ]
    emails = [user.email for user in users]
    try:
        # The unique constraints are the database's to check, at once; the
        # organization is the one locked above (no query per row for it).
        for item in [*users, *memberships]:
            item.full_clean(
                exclude=["user", "organization"],
                validate_unique=False,
                validate_constraints=False,
            )
    except ValidationError as error:
        raise MembershipError(" ".join(error.messages)) from None
    if len(set(emails)) < len(emails) or User.objects.filter(email__in=emails).exists():
        raise MembershipError(_("Some of these people have an account already."))
    try:
        with transaction.atomic():
            User.objects.bulk_create(users)
            Membership.objects.bulk_create(memberships)
    except IntegrityError:
        raise MembershipError(
            _("Some of these people were added at the same moment.")
        ) from None
    if notify:
        for membership in memberships:
            _member_added_email(
                membership=membership, actor=actor, invited=True, base_url=base_url
            )
    return memberships


def _member_added_email(
    *, membership: Membership, actor: User, invited: bool, base_url: str
) -> None:
    user, organization = membership.user, membership.organization
    email_after_commit(
        to=[user.email],
        subject=_("You have been added to %(organization)s")
        % {"organization": organization.name},
        template_name="organizations/email/member_added.txt",
        context={
            "organization": organization,
            "actor": actor,
            "invited": invited,
            "url": (
                user_password_set_url(user=user, base_url=base_url)
                if invited
                else base_url + reverse("accounts:login")
            ),
        },
    )


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, actor: User
) -> Membership:
    _organization_lock(membership.organization)
    try:
        membership.refresh_from_db(fields=["role"])
    except Membership.DoesNotExist:
        raise MembershipError(_("This person is no longer a member.")) from None
    if membership.role == role:
        return membership
    if membership.role == Role.ADMINISTRATOR:
        _ensure_another_administrator(membership)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    """Take a person out of the organization; nothing they made is deleted."""
    _organization_lock(membership.organization)
    try:
        membership.refresh_from_db(fields=["role"])
    except Membership.DoesNotExist:
        return
    if membership.role == Role.ADMINISTRATOR:
        _ensure_another_administrator(membership)
    membership.delete()


@transaction.atomic
def membership_set_active(*, membership: Membership, active: bool) -> bool:
    """Suspend a member (they reach nothing of the organization) or restore
    them. Returns whether anything changed. Suspending the last active
    administrator is refused."""
    _organization_lock(membership.organization)
    try:
        membership.refresh_from_db(fields=["role", "is_active"])
    except Membership.DoesNotExist:
        raise MembershipError(_("This person is no longer a member.")) from None
    if membership.is_active == active:
        return False
    if not active and membership.role == Role.ADMINISTRATOR:
        _ensure_another_administrator(membership)
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    return True


@transaction.atomic
def group_create(
    *, organization: Organization, name: str, external_id: str = ""
) -> Group:
    group = Group(organization=organization, name=name, external_id=external_id)
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def group_update(*, group: Group, name: str, external_id: str | None = None) -> Group:
    group.name = name
    if external_id is not None:
        group.external_id = external_id
    group.full_clean()
    group.save(update_fields=["name", "external_id"])
    return group


@transaction.atomic
def group_members_add(*, group: Group, memberships: list[Membership]) -> list[int]:
    """Add members to a group, in the order given; those already in it keep
    their place. Returns the ids of the memberships that joined."""
    present = set(
        GroupMember.objects.filter(group=group, membership__in=memberships).values_list(
            "membership_id", flat=True
        )
    )
    joining = []
    for membership in memberships:
        if membership.organization_id != group.organization_id:
            raise MembershipError(
                _("%(email)s is not a member of %(organization)s.")
                % {
                    "email": membership.user.email,
                    "organization": group.organization.name,
                }
            )
        if membership.pk not in present:
            present.add(membership.pk)
            joining.append(membership.pk)
    now = timezone.now()
    GroupMember.objects.bulk_create(
        [GroupMember(group=group, membership_id=pk, joined_at=now) for pk in joining],
        ignore_conflicts=True,
    )
    return joining


@transaction.atomic
def group_members_remove(*, group: Group, memberships: list[Membership]) -> list[int]:
    """Take members out of a group. Returns the ids of those who left."""
    leaving = list(
        GroupMember.objects.filter(group=group, membership__in=memberships).values_list(
            "membership_id", flat=True
        )
    )
    GroupMember.objects.filter(group=group, membership_id__in=leaving).delete()
    return leaving


def _organization_lock(organization: Organization) -> None:
    # Serializes membership changes of one organization, so two
    # administrators demoting each other at once cannot leave it with none.
    Organization.objects.select_for_update().only("pk").get(pk=organization.pk)


def _ensure_another_administrator(membership: Membership) -> None:
    others = Membership.objects.filter(
        organization_id=membership.organization_id, role=Role.ADMINISTRATOR
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise LastAdministrator(
            _(
                "%(organization)s needs at least one administrator: "
                "make someone else an administrator first."
            )
            % {"organization": membership.organization.name}
        )
