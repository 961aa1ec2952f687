"""Every write of directory sync: tokens, and the SCIM users and groups
applied through the same services as the pages (contracts.services), so
that suspensions free seats and group changes follow the group's plan.

The directory is the actor: events record no person (actor None)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from scim2_models import (
    InvalidValueException,
    UniquenessException,
)

from accounts.models import User
from contracts import services as contract_services
from contracts.models import SeatSource
from organizations import services as organization_services
from organizations.models import Group, Membership, Organization
from organizations.services import AlreadyMember, MembershipError
from scim import filters, resources, tokens
from scim.models import DirectoryProfile, ScimToken

LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def scim_token_create(
    *, organization: Organization, name: str, actor: User | None
) -> tuple[ScimToken, str]:
    """A new token for the organization's directory, and its plain text,
    which is shown once and never stored."""
    plaintext = tokens.token_generate()
    token = ScimToken(
        organization=organization,
        name=name,
        prefix=tokens.token_prefix(plaintext),
        digest=tokens.token_digest(plaintext),
        created_by=actor,
    )
    token.full_clean()
    token.save()
    return token, plaintext


@transaction.atomic
def scim_token_revoke(*, token: ScimToken) -> None:
    ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def scim_token_authenticate(*, plaintext: str) -> ScimToken | None:
    """The usable token with this plain text, or None. Its last use is
    written at most once a minute, so a directory's bursts do not write a
    row per request."""
    if not plaintext.startswith(tokens.PREFIX) or len(plaintext) > 100:
        return None
    token = (
        ScimToken.objects.select_related("organization")
        .filter(digest=tokens.token_digest(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def scim_user_create(
    *, organization: Organization, resource: resources.User, base_url: str
) -> Membership:
    """Add the person to the organization, inviting them by email when they
    have no account yet (they choose a password through its link)."""
    _external_id_free(Membership, organization, resource.external_id)
    try:
        membership = organization_services.membership_add(
            organization=organization,
            email=_account_email(resource),
            role=Membership._meta.get_field("role").default,
            actor=None,
            base_url=base_url,
        )
    except AlreadyMember as error:
        raise UniquenessException(detail=str(error)) from None
    except MembershipError as error:
        raise InvalidValueException(detail=str(error)) from None
    # Under the organization's lock that membership_add took.
    _user_name_free(organization, resource.user_name, membership.pk)
    _user_write(membership, before=None, after=resource)
    return membership


@transaction.atomic
def scim_user_update(
    *, membership: Membership, before: resources.User, after: resources.User
) -> None:
    """Apply what a PUT or a PATCH changed. `active` false suspends the
    member and frees their seat; true restores them (no seat comes back).
    The account's email is not the directory's to change: `emails` is
    left as it is."""
    if after.external_id != before.external_id:
        _external_id_free(
            Membership, membership.organization, after.external_id, membership.pk
        )
    if (after.user_name or "").lower() != (before.user_name or "").lower():
        _user_name_free(membership.organization, after.user_name, membership.pk)
    _user_write(membership, before=before, after=after)


@transaction.atomic
def scim_user_delete(*, membership: Membership) -> None:
    contract_services.member_remove(
        membership=membership, actor=None, source=SeatSource.DIRECTORY
    )


def _account_email(resource: resources.User) -> str:
    """The work email, else the primary, else the first; else the
    userName when it is an address."""
    emails = [email for email in resource.emails or [] if email.value]
    for wanted in (
        lambda email: email.type == "work",
        lambda email: email.primary,
        lambda email: True,
    ):
        for email in emails:
            if wanted(email):
                return str(email.value)
    if resource.user_name and "@" in resource.user_name:
        return resource.user_name
    raise InvalidValueException(detail="An email address is needed (emails).")


def _user_name_free(organization, user_name, exclude_pk=None) -> None:
    if not user_name:
        return
    taken = set(filters.user_name_matches(user_name, organization.pk))
    if taken - {exclude_pk}:
        raise UniquenessException(detail="Another member has this userName.")


def _user_write(
    membership: Membership, *, before: resources.User | None, after: resources.User
) -> None:
    user = membership.user
    full_name = (after.display_name or _formatted(after.name) or "")[:150]
    if before is None and not full_name:
        full_name = user.full_name
    if full_name != user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    external_id = after.external_id or ""
    if external_id != membership.external_id:
        membership.external_id = external_id
        try:
            with transaction.atomic():
                membership.save(update_fields=["external_id"])
        except IntegrityError:
            raise UniquenessException(detail="externalId is taken") from None
    name = after.name or resources.Name()
    profile = {
        "user_name": (after.user_name or user.email)[:255],
        "given_name": (name.given_name or "")[:150],
        "family_name": (name.family_name or "")[:150],
    }
    if before is None or _profile_of(before) != profile:
        DirectoryProfile.objects.update_or_create(
            membership=membership, defaults=profile
        )
    # The services check again under the organization's lock; a state that
    # already is the one asked for (Entra's periodic "active: true") takes
    # neither the lock nor a write.
    if after.active is False and membership.is_active:
        try:
            contract_services.member_suspend(membership=membership, actor=None)
        except MembershipError as error:
            raise InvalidValueException(detail=str(error)) from None
    elif after.active is True and not membership.is_active:
        contract_services.member_restore(membership=membership, actor=None)


def _profile_of(resource: resources.User) -> dict:
    name = resource.name or resources.Name()
    return {
        "user_name": resource.user_name or "",
        "given_name": name.given_name or "",
        "family_name": name.family_name or "",
    }


def _formatted(name: resources.Name | None) -> str:
    if name is None:
        return ""
    return " ".join(part for part in (name.given_name, name.family_name) if part)


def _external_id_free(model, organization, external_id, exclude_pk=None) -> None:
    if not external_id:
        return
    taken = model.objects.filter(organization=organization, external_id=external_id)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise UniquenessException(detail="externalId is taken")


def _group_name_free(organization, name, exclude_pk=None) -> None:
    taken = Group.objects.filter(organization=organization, name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise UniquenessException(detail="A group has this displayName")


def _members(organization: Organization, resource: resources.Group) -> list:
    """The memberships a group resource names, in its order; an id that is
    not a member of this organization is refused."""
    ids = []
    for member in resource.members or []:
        try:
            ids.append(int(member.value or ""))
        except ValueError:
            raise InvalidValueException(
                detail=f"{member.value!r} is not a user of this service"
            ) from None
    found = Membership.objects.select_related("user").in_bulk(ids, field_name="pk")
    found = {pk: m for pk, m in found.items() if m.organization_id == organization.pk}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise InvalidValueException(
            detail=f"No user has the id {missing[0]} in this organization"
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@transaction.atomic
def scim_group_create(
    *, organization: Organization, resource: resources.Group
) -> Group:
    name = (resource.display_name or "")[:200]
    _group_name_free(organization, name)
    _external_id_free(Group, organization, resource.external_id)
    return contract_services.group_create(
        organization=organization,
        name=name,
        actor=None,
        external_id=resource.external_id or "",
        memberships=_members(organization, resource),
    )


@transaction.atomic
def scim_group_update(
    *, group: Group, before: resources.Group, after: resources.Group
) -> None:
    """Apply what a PUT or a PATCH changed: its name, and who joined or
    left (joiners in the order given)."""
    organization = group.organization
    name = (after.display_name or "")[:200]
    if not name:
        raise InvalidValueException(detail="displayName is required")
    if name != group.name or (after.external_id or "") != group.external_id:
        _group_name_free(organization, name, group.pk)
        _external_id_free(Group, organization, after.external_id, group.pk)
        contract_services.group_update(
            group=group, name=name, actor=None, external_id=after.external_id or ""
        )
    wanted = _members(organization, after)
    had = {member.value for member in before.members or []}
    keep = {str(m.pk) for m in wanted}
    leaving = [m for m in group.members.all() if str(m.pk) not in keep]
    if leaving:
        contract_services.group_members_remove(
            group=group, memberships=leaving, actor=None
        )
    joining = [m for m in wanted if str(m.pk) not in had]
    if joining:
        contract_services.group_members_add(
            group=group, memberships=joining, actor=None
        )


@transaction.atomic
def scim_group_delete(*, group: Group) -> None:
    contract_services.group_delete(group=group, actor=None)
