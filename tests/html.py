"""A small HTML reader and the helpers the view tests use to read pages (and to write what a
form field posts), shared by the test files that exercise views through the Django test client."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

# A small HTML reader, so that assertions name elements and their text rather than substrings.

VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Element | str] = []

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list[Element]:
        """Descendants by tag and attributes; `aria_checked="true"` matches `aria-checked`,
        `class_` matches `class`, and `True` matches any value."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for child in self.children:
            if not isinstance(child, Element):
                continue
            if (tag is None or child.tag == tag) and all(
                (name in child.attrs) if value is True else child.attrs.get(name) == value
                for name, value in wanted.items()
            ):
                found.append(child)
            found += child.find_all(tag, **attrs)
        return found

    def find(self, tag: str | None = None, **attrs: str | bool) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag}> with {attrs}, found {len(found)}"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response) -> Element:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def without_csrf_tokens(response) -> str:
    # Django masks the CSRF token afresh for every response; everything else must be equal.
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", response.content.decode())


# Reading pages.


def table_rows(page: Element) -> list[list[str]]:
    """The rows' cells' text; a selection column's checkboxes (class "select") are not data."""
    return [
        [
            cell.text
            for cell in row.find_all(None)
            if cell.tag in {"th", "td"} and "select" not in cell.attrs.get("class", "").split()
        ]
        for row in page.find("tbody").find_all("tr")
    ]


def switch_of(page: Element) -> Element:
    return page.find("button", role="switch")


def switch_form(page: Element) -> Element:
    return page.find("form", class_="switch-form")


def hidden_value(form: Element, name: str) -> str | None:
    return form.find("input", name=name).attrs["value"]


def messages_text(page: Element) -> str:
    return " | ".join(p.text for p in page.find("div", id="messages").find_all("p"))


def counts_text(page: Element) -> str:
    return page.find("p", class_="counts").text


def span(first: int, last: int) -> str:
    """Rows `first` to `last` as the pager and the count line write them, with an en dash."""
    return f"{first}\N{EN DASH}{last}"


def shown(moment: datetime) -> str:
    """How the console writes a date and time."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def typed(moment: datetime) -> str:
    """What a datetime-local field posts."""
    return moment.strftime("%Y-%m-%dT%H:%M")
