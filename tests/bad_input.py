"""What the bad-input tests send and what they expect (issue 5, "Bad input").

The tests live beside the pages they attack: tests/sessions/test_bad_input_public_pages.py,
tests/proposals/test_bad_input_proposal_pages.py, test_bad_input_accounts.py and
test_bad_input_admin.py.

Hypothesis sends random Unicode, huge texts, control characters, raw bytes, malformed ids and
slugs. The property everywhere: the visitor gets a page with a clear error, a 404 page or a
redirect, never a server error (Django's test client re-raises a view's exception, so a 500
fails the test with its traceback), and nothing half-written in the database.

pytest-django rolls the database back after each test, not after each example, so the
properties compare rows before and after each request. docs/security.md counts the cases.
"""

from urllib.parse import quote, quote_from_bytes

from django.contrib.messages import get_messages
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from proposals.models import Proposal

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- What a hostile or clumsy visitor sends -------------------------------------------------

# Django's test client encodes text as UTF-8, which has no lone surrogates: those are left out,
# and raw_query/raw bytes below send what no UTF-8 encoder would.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
control_text = st.text(
    st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x7f\x85\r\n\t\u200b\u202e\u2028\ufeff\ufffe"),
    min_size=1,
    max_size=20,
)
huge_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "я", "a ", "\x00", "%", "😀", "\r\n"]),
    st.sampled_from([201, 301, 5_001, 100_000]),
)
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "../",
        "..%2F..",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "None",
        "\u202egpj.exe",
        '=HYPERLINK("http://x")',
    ]
)
nasty_text = st.one_of(
    any_text,
    control_text,
    huge_text,
    tricky_text,
    st.tuples(any_text, control_text, any_text).map("".join),
)
MALFORMED_IDS = [
    "-1",
    "0",
    "1e9",
    "0x1",
    "1.0",
    " 1",
    "١",  # an Arabic-Indic digit one
    str(2**63),
    str(2**70),
    "",
    "../",
    "..%2F..",
    "%00",
    "1;",
    "NaN",
]
malformed_id = st.one_of(
    st.sampled_from(MALFORMED_IDS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    nasty_text,
)
slug_like = st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z")
malformed_slug = st.one_of(slug_like, nasty_text)
raw_bytes = st.binary(max_size=300)


def in_path(value):
    """A value as one URL path segment: percent-encoded, slashes too."""
    return quote(value, safe="")


def is_pk(value, pk):
    """Whether the URL's int converter would read this value as this primary key."""
    return value.isascii() and value.isdigit() and int(value) == pk


def admin_reads_as(value, pks):
    """Whether the admin would read this value as one of these primary keys: it takes any
    int() does, spaces, underscores and other scripts' digits included."""
    try:
        return int(value) in pks
    except ValueError:
        return False


def raw_query(**parts):
    """A query string from raw bytes, which need not be UTF-8."""
    return "&".join(f"{name}={quote_from_bytes(value, safe='')}" for name, value in parts.items())


# --- What the visitor must see --------------------------------------------------------------


def assert_404_page(response):
    assertContains(response, "There is no page at this address", status_code=404)


def form_errors(form):
    return [str(message) for errors in form.errors.values() for message in errors]


def assert_refused_with_reason(response, form):
    """The form is shown again and the page says what is wrong, every error of it."""
    assert response.status_code == 200
    errors = form_errors(form)
    assert errors, "the form was refused without an error message"
    content = response.content.decode()
    for error in errors:
        assert escape(error) in content, f"the page does not show the error {error!r}"
    return errors


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def without_old_messages(client):
    """Drop messages an earlier example left unread in the cookie: each example reads its own."""
    client.cookies.pop("messages", None)
    return client


def has_nul(*values):
    return any("\x00" in value for value in values)


def statuses():
    return dict(Proposal.objects.values_list("pk", "status"))
