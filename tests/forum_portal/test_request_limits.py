"""Request bodies refused unread (forum_portal.middleware.RequestBodyMiddleware):
form posts in a charset other than UTF-8 (issue 9, item 10) and bodies too large (item 20)."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db

CHARSETS = ["cp1251", "latin-1", "ascii", "koi8-r", "utf-16"]


@pytest.fixture
def csrf_client():
    """A client that checks CSRF as a browser's requests are checked, with a token cookie."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    return client


def form_post(client, path, charset, body=b"a=b"):
    return client.generic(
        "POST", path, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )


@pytest.mark.parametrize("charset", CHARSETS)
def test_form_post_in_another_charset_answers_400_on_every_kind_of_page(
    csrf_client, session, charset
):
    paths = [
        "/healthz",
        "/",
        session.get_absolute_url(),
        "/accounts/login/",
        "/admin/login/",
        f"/sessions/{session.slug}/proposals/new/",
        "/no-such-page/",
    ]

    answers = {path: form_post(csrf_client, path, charset) for path in paths}

    assert {path: (r.status_code, r.content) for path, r in answers.items()} == {
        path: (400, b"Forms must be sent in UTF-8.") for path in paths
    }


def test_form_post_in_utf8_reaches_the_page(csrf_client):
    csrf_client.get("/accounts/login/")

    response = form_post(csrf_client, "/accounts/login/", "UTF-8", b"username=a%40b.org&password=x")

    # CSRF is checked, as for any form: the charset did not stop it.
    assert response.status_code == 403


def test_body_larger_than_the_limit_is_refused_unread(client, participant):
    participant.set_password("right password 42")
    participant.save()
    too_large = settings.REQUEST_MAX_BODY_BYTES + 1
    # The body is far shorter than declared: the portal must refuse before reading it.
    refused = client.generic(
        "POST",
        "/accounts/login/",
        b"username=anna.petrova%40example.org&password=right+password+42",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(too_large),
    )

    assert (refused.status_code, refused.content) == (413, b"The request is too large.")
    assert SESSION_KEY not in client.session


def test_multipart_body_of_30_mb_to_the_login_page_is_refused(client):
    upload = SimpleUploadedFile("big.bin", b"\0" * (30 * 1024 * 1024))

    response = client.post("/accounts/login/", {"username": "a@b.org", "file": upload})

    assert (response.status_code, response.content) == (413, b"The request is too large.")


def test_body_within_the_limit_reaches_the_page(client, participant):
    participant.set_password("right password 42")
    participant.save()
    form = b"username=anna.petrova%40example.org&password=right+password+42&p="
    body = form + b"x" * (settings.REQUEST_MAX_BODY_BYTES - len(form))

    response = client.generic(
        "POST", "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )

    assert (response.status_code, response["Location"]) == (302, "/proposals/")
    assert client.session[SESSION_KEY] == str(participant.pk)


def test_material_upload_page_takes_a_file_larger_than_other_pages_may(superuser_client, session):
    content = b"%PDF-1.4\n" + b"\0" * (3 * 1024 * 1024)
    change = f"/admin/forum_sessions/session/{session.pk}/change/"

    on_the_session_page = superuser_client.post(
        change, {"materials-0-file": SimpleUploadedFile("programme.pdf", content)}
    )
    elsewhere = superuser_client.post(
        "/admin/forum_sessions/person/add/", {"file": SimpleUploadedFile("x.pdf", content)}
    )

    # The session page read the form (and found it incomplete); the person page refused it.
    assert on_the_session_page.status_code == 200
    assert b"Please correct the error" in on_the_session_page.content
    assert (elsewhere.status_code, elsewhere.content) == (413, b"The request is too large.")
