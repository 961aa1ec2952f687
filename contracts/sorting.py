"""A list sorted by one of its columns, named in the query string
(`?sort=name`, `?sort=-name` for descending), as its column headers' links
ask: which column the list is sorted by, and what each header's link and
`aria-sort` say. A value that names no column falls back to the default,
so that a stale or edited link still shows the list."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.utils.http import urlencode


@dataclass(frozen=True)
class SortHeader:
    """A column header: its link's query string, and its `aria-sort` ("" for
    a column the list is not sorted by, which carries none)."""

    query: str
    aria_sort: str = ""


@dataclass(frozen=True)
class Sort:
    """The column the list is sorted by (`key`, one of `keys`), and which
    way."""

    key: str
    keys: tuple[str, ...]
    default: str
    descending: bool = False

    @classmethod
    def parse(cls, value: str, *, keys: Iterable[str], default: str) -> "Sort":
        keys = tuple(keys)
        key = value.removeprefix("-")
        if key not in keys:
            return cls(key=default, keys=keys, default=default)
        return cls(
            key=key, keys=keys, default=default, descending=value.startswith("-")
        )

    @property
    def param(self) -> str:
        """The `sort` value of the query string; "" for the default order,
        which needs none."""
        if self.key == self.default and not self.descending:
            return ""
        return f"-{self.key}" if self.descending else self.key

    def headers(self, *, filters: Mapping[str, str]) -> dict[str, SortHeader]:
        """Each column's header by key. Its link sorts by that column,
        ascending, or the other way round when the list is sorted by it
        already; the search and filters (`filters`) stay, and the list
        starts again from its first page."""
        headers = {}
        for key in self.keys:
            sort = replace(
                self, key=key, descending=key == self.key and not self.descending
            )
            query = {name: value for name, value in filters.items() if value}
            if sort.param:
                query["sort"] = sort.param
            aria_sort = ""
            if key == self.key:
                aria_sort = "descending" if self.descending else "ascending"
            headers[key] = SortHeader(query=urlencode(query), aria_sort=aria_sort)
        return headers
