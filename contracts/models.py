from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Group, Organization
from plans.models import Feature, Plan

# The contract pages announce the end this many days before it, and the
# first email goes then (contracts/services/contract_end.py).
END_NOTICE_DAYS = 30


class ContractQuerySet(models.QuerySet):
    def active(self, on=None):
        """Contracts in force on a day (today by default): they grant plans."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Contract(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    customer = models.CharField(_("customer"), max_length=200)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="managed_contracts",
        blank=True,
        verbose_name=_("managers"),
    )
    # One organization per contract and one contract per organization: the
    # unique one-to-one column enforces both.
    organization = models.OneToOneField(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("connected organization"),
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    auto_assign = models.BooleanField(_("assign plans automatically"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="contracts_contract_dates_in_order",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(auto_assign=False) | Q(organization__isnull=False),
                name="contracts_contract_auto_assign_needs_organization",
                violation_error_message=_(
                    "Only a connected contract can assign plans automatically."
                ),
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse(
            "contracts:account-contract-detail", kwargs={"contract_id": self.pk}
        )

    def is_active(self, on=None):
        on = on or timezone.localdate()
        return self.starts_on <= on <= self.ends_on

    def has_ended(self, on=None):
        return self.ends_on < (on or timezone.localdate())

    def ends_in_days(self, on=None):
        """Days left before the end (0 on the last day) in the last
        END_NOTICE_DAYS, which the contract pages announce; None before
        them and once the contract has ended."""
        days = (self.ends_on - (on or timezone.localdate())).days
        return days if 0 <= days <= END_NOTICE_DAYS else None


class Allotment(models.Model):
    """How many seats of a plan a contract holds."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="allotments",
        verbose_name=_("contract"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    seats = models.PositiveIntegerField(_("seats"))
    # The seats of the plan held on the contract, kept by the seat services
    # under this row's lock (`services.seat_counter`) so that nothing counts
    # the seats on the way to giving one; `manage.py seats_audit` compares it
    # with the seats counted.
    seats_used = models.PositiveIntegerField(
        _("seats in use"), default=0, editable=False
    )
    # Empty: the default, `default_alert_threshold(seats)`.
    alert_threshold = models.PositiveIntegerField(
        _("low-seat alert threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Alert when this many seats or fewer are left. Empty: 10 % of the "
            "seats, at least 1."
        ),
    )
    # Set when the alert was sent; cleared once more seats than the
    # threshold are left again, so that each crossing alerts once.
    low_seats_alerted = models.BooleanField(_("low-seat alert sent"), default=False)

    class Meta:
        verbose_name = _("plan allotment")
        verbose_name_plural = _("plan allotments")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "plan"],
                name="contracts_allotment_unique_plan",
                violation_error_message=_("The contract already has this plan."),
            ),
        ]

    def __str__(self):
        return f"{self.contract}: {self.seats} × {self.plan}"

    @property
    def alert_at(self) -> int:
        """The threshold in effect: the one set, or the default."""
        if self.alert_threshold is not None:
            return self.alert_threshold
        return default_alert_threshold(self.seats)

    def seats_low(self, in_use: int) -> bool:
        """Whether the seats left, with `in_use` taken, are at or under the
        alert's threshold."""
        return self.seats > 0 and self.seats - in_use <= self.alert_at


def default_alert_threshold(seats: int) -> int:
    """10 % of the seats, at least 1."""
    return max(1, seats // 10)


class SeatSource(models.TextChoices):
    MANUAL = "manual", _("by hand")
    AUTOMATIC = "automatic", _("automatically")
    SUPPORT = "support", _("by support")
    DIRECTORY = "directory", _("by directory sync")
    GROUP = "group", _("through a group")


class Seat(models.Model):
    """A plan of a contract held by a person."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="seats",
        verbose_name=_("contract"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    # Looked up by person through the (user, plan, contract) index below.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="seats",
        verbose_name=_("member"),
        db_index=False,
    )
    source = models.CharField(
        _("assigned"), max_length=20, choices=SeatSource, default=SeatSource.MANUAL
    )
    feature = models.CharField(
        _("for the feature"), max_length=40, choices=Feature, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    # The last day a paid feature was used with this seat, written at most
    # once a day (`entitlements.feature_use`); empty: not since assigned.
    last_used_on = models.DateField(_("last used on"), null=True, blank=True)
    # The day the holder was reminded that an idle seat will be reclaimed.
    idle_reminded_on = models.DateField(
        _("reminded of idleness on"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                name="contracts_seat_one_per_member",
                violation_error_message=_("This person already holds a seat."),
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "plan"], name="contracts_seat_plan"),
            # A person's plans (their effective plan, the members list's plan
            # filter) come from this index alone, without reading the rows.
            models.Index(
                fields=["user", "plan", "contract"], name="contracts_seat_user_plan"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.plan} ({self.contract})"


class ConnectionKey(models.Model):
    """A one-time key a contract manager shares to connect the contract.

    Only a digest of the key is stored, with its last characters as a hint.
    """

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="keys",
        verbose_name=_("contract"),
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ends with"), max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("generated by"),
    )
    created_at = models.DateTimeField(_("generated at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("connection key")
        verbose_name_plural = _("connection keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"…{self.hint}"

    @property
    def is_usable(self):
        return (
            self.used_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def has_expired(self):
        return self.expires_at <= timezone.now()


class PlanRequest(models.Model):
    """A member who used a paid feature when no seat was left for it."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="plan_requests",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    feature = models.CharField(_("feature"), max_length=40, choices=Feature)
    requested_at = models.DateTimeField(_("last asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("plan request")
        verbose_name_plural = _("plan requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user", "feature"],
                name="contracts_planrequest_unique",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_feature_display()}"


class AutoAssignExclusion(models.Model):
    """A member whose plan an administrator took back by hand: automatic
    assignment gives them nothing on this contract until an administrator
    gives them a plan or includes them again."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="auto_assign_exclusions",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("excluded by"),
    )
    created_at = models.DateTimeField(_("excluded since"), default=timezone.now)

    class Meta:
        verbose_name = _("exclusion from automatic assignment")
        verbose_name_plural = _("exclusions from automatic assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                name="contracts_autoassignexclusion_unique",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.contract})"


class KeyAttempt(models.Model):
    """One refused attempt at a connection key: the count the limits on
    wrong keys read (per person and per organization, in a sliding window).
    The history keeps one line per burst of refusals instead
    (`Event.attempts`), so it cannot be the count."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("refused connection key attempt")
        verbose_name_plural = _("refused connection key attempts")
        indexes = [
            models.Index(
                fields=["actor", "created_at"], name="contracts_keyattempt_actor"
            ),
            models.Index(
                fields=["organization", "created_at"], name="contracts_keyattempt_org"
            ),
        ]

    def __str__(self):
        return f"{self.actor} ({self.created_at:%Y-%m-%d %H:%M})"


class EventKind(models.TextChoices):
    CONNECTED = "connected", _("Contract connected")
    DISCONNECTED = "disconnected", _("Contract disconnected")
    KEY_GENERATED = "key_generated", _("Connection key generated")
    KEY_USED = "key_used", _("Connection key used")
    KEY_REJECTED = "key_rejected", _("Connection key rejected")
    KEY_REVOKED = "key_revoked", _("Connection key revoked")
    CONTRACT_EXTENDED = "contract_extended", _("Contract end date extended")
    SEATS_CHANGED = "seats_changed", _("Number of seats changed")
    ORGANIZATION_DELETED = "organization_deleted", _("Organization deleted")
    AUTO_ASSIGN_ON = "auto_assign_on", _("Automatic assignment switched on")
    AUTO_ASSIGN_OFF = "auto_assign_off", _("Automatic assignment switched off")
    SEAT_ASSIGNED = "seat_assigned", _("Plan given")
    SEAT_CHANGED = "seat_changed", _("Plan changed")
    SEAT_RELEASED = "seat_released", _("Plan taken back")
    PLAN_REQUESTED = "plan_requested", _("Plan asked for, none left")
    AUTO_ASSIGN_INCLUDED = (
        "auto_assign_included",
        _("Member included again in automatic assignment"),
    )
    CONTRACT_ENDED = "contract_ended", _("Contract ended")
    WAITLIST_JOINED = "waitlist_joined", _("Joined the waitlist")
    WAITLIST_LEFT = "waitlist_left", _("Left the waitlist")
    WAITLIST_DECLINED = "waitlist_declined", _("Waitlist entry declined")
    SEAT_REQUESTED = "seat_requested", _("Member asked for a plan")
    SEAT_REQUEST_DECLINED = "seat_request_declined", _("Request for a plan declined")
    ALERT_THRESHOLD_SET = "alert_threshold_set", _("Low-seat alert threshold set")
    LOW_SEATS = "low_seats", _("Few seats left: alert sent")
    RECLAIM_POLICY_SET = "reclaim_policy_set", _("Idle seat policy changed")
    IDLE_REMINDED = "idle_reminded", _("Idle plan: member reminded")
    IDLE_KEPT = "idle_kept", _("Idle plan kept by the member")
    SEAT_RECLAIMED = "seat_reclaimed", _("Idle plan reclaimed")
    CHANGE_SCHEDULED = "change_scheduled", _("Plan change scheduled")
    CHANGE_CANCELLED = "change_cancelled", _("Scheduled plan change cancelled")
    CHANGE_DONE = "change_done", _("Scheduled plan change carried out")
    CHANGE_FAILED = "change_failed", _("Scheduled plan change failed")
    DEPROVISIONED = "deprovisioned", _("Deprovisioned by directory sync")
    REPROVISIONED = "reprovisioned", _("Restored by directory sync")
    GROUP_PLAN_SET = "group_plan_set", _("Group mapped to a plan")
    GROUP_PLAN_REMOVED = "group_plan_removed", _("Group mapping removed")
    GROUP_WAITING = "group_waiting", _("Waiting for a seat through a group")


class Event(models.Model):
    """The append-only history of contracts: who did what, when."""

    kind = models.CharField(_("what"), max_length=30, choices=EventKind)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("contract"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan"),
    )
    source = models.CharField(_("how"), max_length=20, choices=SeatSource, blank=True)
    feature = models.CharField(_("feature"), max_length=40, choices=Feature, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # A burst of refused connection keys by one person is one line: how many
    # attempts it holds, and when the last one came (`created_at` is the
    # first). The one kind of event that is updated after it is written.
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("history event")
        verbose_name_plural = _("history")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["contract", "-created_at"], name="contracts_event_contract"
            ),
            models.Index(
                fields=["organization", "-created_at"], name="contracts_event_org"
            ),
            models.Index(
                fields=["kind", "actor", "created_at"], name="contracts_event_attempts"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class EndNotice(models.TextChoices):
    DAYS_30 = "30_days", _("30 days before the end")
    DAYS_7 = "7_days", _("7 days before the end")
    LAST_DAY = "last_day", _("On the last day")
    ENDED = "ended", _("After the end")


class ContractEndNotice(models.Model):
    """A notice of a contract's end, sent once per end date: the unique key
    keeps a sweep from sending it twice, and an extended contract's new end
    date gets notices of its own."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="end_notices",
        verbose_name=_("contract"),
    )
    ends_on = models.DateField(_("end date"))
    notice = models.CharField(_("notice"), max_length=20, choices=EndNotice)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("contract end notice")
        verbose_name_plural = _("contract end notices")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "ends_on", "notice"],
                name="contracts_end_notice_once",
            ),
        ]

    def __str__(self):
        return f"{self.contract}: {self.get_notice_display()} ({self.ends_on})"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    GIVEN = "given", _("given a plan")
    DECLINED = "declined", _("declined")
    LEFT = "left", _("left the waitlist")


class WaitlistEntry(models.Model):
    """A member waiting for a seat of a plan that includes a feature, when
    none was left; the oldest fitting entry gets the next seat freed."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="waitlist",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    # Empty for a member waiting through a group (`group`).
    feature = models.CharField(_("feature"), max_length=40, choices=Feature, blank=True)
    # A member of a group mapped to a plan (`GroupPlan`) waiting for a seat
    # of that plan, served in the order they joined the group; empty for a
    # member waiting for a feature.
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist",
        verbose_name=_("group"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=WaitlistStatus,
        default=WaitlistStatus.WAITING,
    )
    created_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan given"),
    )

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                condition=Q(status="waiting", group__isnull=True),
                name="contracts_waitlist_one_open_entry",
                violation_error_message=_("This member is already waiting."),
            ),
            models.UniqueConstraint(
                fields=["contract", "user", "group"],
                condition=Q(status="waiting", group__isnull=False),
                name="contracts_waitlist_one_open_group_entry",
                violation_error_message=_("This member is already waiting."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["contract", "status", "created_at"],
                name="contracts_waitlist_queue",
            ),
        ]

    def __str__(self):
        if self.group_id is not None:
            return f"{self.user} – {self.group}"
        return f"{self.user} – {self.get_feature_display()}"


class SeatRequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    GRANTED = "granted", _("granted")
    DECLINED = "declined", _("declined")


class SeatRequest(models.Model):
    """A member without a plan asking the administrators for one, with an
    optional reason. The administrators hear of new requests in one digest
    a day (`SeatRequestDigest`)."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="seat_requests",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SeatRequestStatus,
        default=SeatRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan given"),
    )
    digest = models.ForeignKey(
        "SeatRequestDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("listed in the digest"),
    )

    class Meta:
        verbose_name = _("request for a plan")
        verbose_name_plural = _("requests for a plan")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                condition=Q(status="pending"),
                name="contracts_seatrequest_one_pending",
                violation_error_message=_("This member already asked for a plan."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["contract", "status", "created_at"],
                name="contracts_seatrequest_queue",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.contract})"


class SeatRequestDigest(models.Model):
    """The day's digest of new requests sent to an organization's
    administrators: one a day at most."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    sent_on = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("digest of requests")
        verbose_name_plural = _("digests of requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sent_on"],
                name="contracts_seatrequestdigest_one_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.sent_on}"


class ScheduledChangeState(models.TextChoices):
    PENDING = "pending", _("scheduled")
    DONE = "done", _("carried out")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class ScheduledChange(models.Model):
    """A member's plan change (Free included) an administrator scheduled for
    a day; the scheduled-change sweep carries it out with the same service as
    the dropdown, or marks it failed with the reason."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="scheduled_changes",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    on = models.DateField(_("on"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ScheduledChangeState,
        default=ScheduledChangeState.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled plan change")
        verbose_name_plural = _("scheduled plan changes")
        ordering = ["on", "pk"]
        indexes = [
            models.Index(fields=["state", "on"], name="contracts_change_due"),
        ]

    def __str__(self):
        return f"{self.user} → {self.plan} ({self.on})"


class GroupPlan(models.Model):
    """A group of the organization mapped to a plan of its contract: the
    group's members get that plan while seats last, the others wait in the
    order they joined the group."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="group_plans",
        verbose_name=_("contract"),
    )
    group = models.OneToOneField(
        Group,
        on_delete=models.CASCADE,
        related_name="plan_mapping",
        verbose_name=_("group"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, verbose_name=_("plan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mapped by"),
    )
    created_at = models.DateTimeField(_("mapped since"), default=timezone.now)

    class Meta:
        verbose_name = _("group plan")
        verbose_name_plural = _("group plans")
        ordering = ["group__name", "pk"]

    def __str__(self):
        return f"{self.group} → {self.plan}"
