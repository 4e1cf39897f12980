"""A tiny HTML tree built with the standard library's parser, to read pages as a visitor does."""

from html.parser import HTMLParser

# Elements that never have a closing tag.
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip
# Elements a browser shows on lines of their own: their text never runs into a neighbour's.
BLOCK = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p",
    "section", "table", "td", "th", "tr", "ul", "br",
}  # fmt: skip


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, class_=None, **attrs):
        """Descendants with this tag, class and attribute values, in document order.

        Attribute names with dashes go through a dict: find_all("section", **{"aria-label": …}).
        """
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (class_ is None or class_ in element.classes)
            and all(_matches(element.attrs, name, value) for name, value in attrs.items())
        ]

    def children_of(self, tag):
        """Direct children with this tag."""
        return [c for c in self.children if isinstance(c, Element) and c.tag == tag]

    def find(self, tag=None, class_=None, **attrs):
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'} class={class_!r} {attrs}> in the page"
        return found[0]

    @property
    def text(self):
        """The visible text, with runs of white space collapsed as a browser shows them."""
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, Element):
                    block = child.tag in BLOCK
                    parts.append(" " if block else "")
                    walk(child)
                    parts.append(" " if block else "")
                else:
                    parts.append(child)

        walk(self)
        return " ".join("".join(parts).split())


def _matches(attrs, name, value):
    # True asks only that the attribute be there: boolean ones (selected, download) have no value.
    if value is True:
        return name in attrs
    return attrs.get(name) == value


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.current = self.root
        self.unclosed = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is self.root:
            self.unclosed.append(f"stray </{tag}>")
            return
        if node is not self.current:
            self.unclosed.append(f"<{self.current.tag}> closed by </{tag}>")
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response_or_text):
    """The page's tree; fails the test when a tag is closed out of order."""
    if hasattr(response_or_text, "content"):
        text = response_or_text.content.decode(response_or_text.charset or "utf-8")
    else:
        text = response_or_text
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert not builder.unclosed, builder.unclosed
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root


def texts(elements):
    return [element.text for element in elements]
