from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 500


# Far beyond any real list; larger page numbers are read as this one.
MAX_PAGE_ASKED = 1_000_000


class CappedPaginator(Paginator):
    """A paginator that counts at most `count_limit` rows, or as far as the
    page asked for, so that a list of 100,000 rows costs what a list of
    1,000 does: counting every row that matches a filter is the one part of
    a page whose work grows with the organization.

    Past the limit, `count_is_capped` is true and `count` is the limit plus
    one; the pages up to the one asked for, and the next, are all real.
    Templates then say "more than" instead of a total (see
    `_pagination.html`).
    """

    def __init__(self, object_list, per_page, *, count_limit=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = COUNT_LIMIT if count_limit is None else count_limit
        self.number_asked = 1

    def validate_number(self, number):
        # The first page asked for (through page() or get_page()) sets how
        # far to count.
        if "count" not in self.__dict__:
            try:
                # Bounded, so that the count's LIMIT stays a small integer
                # whatever number is typed in the URL.
                self.number_asked = min(max(int(number), 1), MAX_PAGE_ASKED)
            except (TypeError, ValueError):
                self.number_asked = 1
        return super().validate_number(number)

    @cached_property
    def limit(self) -> int:
        return max(self.count_limit, self.number_asked * self.per_page)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            # Any rows will do for counting: no order (so no sort), and no
            # columns but the key (so no join that only selects).
            return rows.order_by().values("pk")[: self.limit + 1].count()
        return min(len(rows), self.limit + 1)

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.limit
