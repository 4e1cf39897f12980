"""Bad input in the public pages: programme filters, speaker search, slugs and ids in URLs.

The strategies and the property: tests/bad_input.py.
"""

from urllib.parse import quote_from_bytes

import pytest
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains

from tests.bad_input import (
    FAST,
    assert_404_page,
    in_path,
    is_pk,
    malformed_id,
    malformed_slug,
    nasty_text,
    raw_bytes,
    raw_query,
)
from tests.factories import add_material, add_participation


@pytest.fixture
def programme(session, other_session):
    """Two published sessions, a speaker and a material: every public URL has something real."""
    speaker = add_participation(session).person
    material = add_material(session, title="Concept")
    return {"session": session, "speaker": speaker, "material": material}


# --- Programme filters and speaker search ---------------------------------------------------


def _q_error(value):
    value = value.strip()
    if "\x00" in value:
        return "Null characters are not allowed."
    if len(value) > 200:
        return f"Ensure this value has at most 200 characters (it has {len(value)})."
    return None


@FAST
@given(q=nasty_text, day=st.one_of(nasty_text, st.just("2019-10-28")), fmt=nasty_text)
def test_programme_any_filter_shows_programme_and_explains_bad_values(
    client, programme, q, day, fmt
):
    response = client.get("/", {"q": q, "day": day, "format": fmt})

    assertContains(response, "XVIII All-Russia Forum of Strategic Planning Leaders")
    content = response.content.decode()
    assert ('id="id_q_error"' in content) == (_q_error(q) is not None)
    if _q_error(q):
        assert escape(_q_error(q)) in content
    assert ('id="id_day_error"' in content) == (day not in ("", "2019-10-28"))
    assert ('id="id_format_error"' in content) == (fmt not in ("", "round_table"))


@FAST
@given(q=nasty_text)
def test_speakers_any_search_shows_page_and_explains_bad_values(client, programme, q):
    response = client.get("/speakers/", {"q": q})

    assertContains(response, "Speakers")
    content = response.content.decode()
    assert ('id="id_q_error"' in content) == (_q_error(q) is not None)
    if _q_error(q):
        assert escape(_q_error(q)) in content


@FAST
@given(q=raw_bytes, day=raw_bytes, fmt=raw_bytes)
def test_search_pages_raw_bytes_show_the_page(client, programme, q, day, fmt):
    """Bytes that are not UTF-8 (a broken client or a hand-made URL) in every query string."""
    response = client.get("/?" + raw_query(q=q, day=day, format=fmt))
    assertContains(response, "XVIII All-Russia Forum of Strategic Planning Leaders")

    response = client.get("/speakers/?" + raw_query(q=q))
    assertContains(response, "Speakers")


# --- Slugs and ids in public URLs ----------------------------------------------------------


@FAST
@given(slug=malformed_slug, pk=malformed_id)
def test_public_urls_unknown_slug_or_id_show_404_page(client, programme, slug, pk):
    assume(slug not in {programme["session"].slug, programme["speaker"].slug, "session-2"})
    assume(slug.strip() and not slug.startswith("."))
    known = programme["session"].slug
    material = programme["material"]
    for url in (
        f"/sessions/{in_path(slug)}/",
        f"/sessions/{in_path(slug)}/recommendations/",
        f"/sessions/{in_path(slug)}/proposals/new/",
        f"/speakers/{in_path(slug)}/",
        f"/sessions/{in_path(slug)}/materials/{material.pk}/",
    ):
        assert_404_page(client.get(url))
    if not is_pk(pk, material.pk):
        assert_404_page(client.get(f"/sessions/{known}/materials/{in_path(pk)}/"))


@FAST
@given(path=raw_bytes)
def test_public_urls_raw_bytes_in_path_show_404_page(client, programme, path):
    assume(path.strip(b"/."))
    segment = quote_from_bytes(path, safe="")
    assume(segment not in {programme["session"].slug, programme["speaker"].slug})
    for url in (f"/sessions/{segment}/", f"/speakers/{segment}/", f"/proposals/{segment}/"):
        response = client.get(url)
        if response.status_code == 302:  # /proposals/<id>/ asks an anonymous visitor to log in
            assert response["Location"].startswith("/accounts/login/?next=")
        else:
            assert_404_page(response)
