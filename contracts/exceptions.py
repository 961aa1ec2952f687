"""The contracts app's domain errors; each message is for the person acting."""


class ContractError(Exception):
    """A change the rules refuse. The message says why, in the user's words.

    `contract` is the contract concerned when one is known, for the history.
    `attempts_left`, on a refused connection key, is how many more wrong
    keys the person may enter now (None elsewhere).
    """

    attempts_left: int | None = None

    def __init__(self, message, *, contract=None):
        super().__init__(message)
        self.contract = contract


class ContractUnavailable(ContractError):
    """Ended, or already connected elsewhere."""


class OrganizationAlreadyConnected(ContractError):
    pass


class NotConnected(ContractError):
    pass


class NotAMember(ContractError):
    pass


class SeatsExhausted(ContractError):
    pass


class KeyRejected(ContractError):
    pass


class KeyMalformed(KeyRejected):
    """Not shaped like a key (a typo, a partial copy): refused before it
    counts as an attempt."""


class KeyThrottled(KeyRejected):
    pass


class AllotmentTooSmall(ContractError):
    """Fewer seats than the members who hold the plan."""
