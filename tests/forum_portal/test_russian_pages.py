"""The Russian interface: a browser asking for Russian gets it, the cache never mixes the two
languages, and the labels and plural forms outside templates are Russian too. The catalogue
itself (locale/ru) is checked in tests/forum_portal/test_translation.py."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from proposals.models import Proposal
from sessions.models import Participation
from tests.factories import add_participation, make_person, make_proposal
from tests.sessions.html import parse, texts

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def navigation(response):
    return texts(parse(response).find("ul", class_="site-nav").find_all("a"))


def headings(response):
    return texts(parse(response).find_all("h2"))


@pytest.fixture
def round_table(session):
    """The session of the conftest (with its moderator) and one reporter."""
    add_participation(session, make_person("Ivanov", "Petr"), report_title="Regional strategies")
    return session


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_programme_in_russian_for_a_browser_asking_for_russian(client, round_table):
    response = client.get(reverse("sessions:programme"), **RU)

    assert response.headers["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()
    assert navigation(response) == ["Программа", "Спикеры", "Войти", "Зарегистрироваться"]
    assertContains(response, "<h1>Программа</h1>", html=True)
    assertContains(response, '<span class="badge badge-format">Круглый стол</span>', html=True)
    assertContains(response, "Время указано московское.")


@pytest.mark.django_db
def test_programme_without_accept_language_is_english(client, round_table):
    response = client.get(reverse("sessions:programme"))

    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert navigation(response) == ["Programme", "Speakers", "Log in", "Register"]
    assertContains(response, '<span class="badge badge-format">Round table</span>', html=True)


@pytest.mark.django_db
def test_session_page_in_russian_has_the_proposal_button_and_people_headings(client, round_table):
    response = client.get(round_table.get_absolute_url(), **RU)

    assertContains(
        response,
        f'<a class="btn btn-primary btn-lg proposal-cta" '
        f'href="{reverse("proposals:create", kwargs={"slug": round_table.slug})}">'
        "Предложение</a>",
        html=True,
    )
    # "Moderator" the heading (with a plural) and "Moderator" the role are two messages.
    assert headings(response) == ["Описание", "Докладчики", "Модератор"]
    assertContains(response, "Проект рекомендаций этой сессии")


@pytest.mark.django_db
def test_signed_in_navigation_in_russian(participant_client, round_table):
    response = participant_client.get(reverse("sessions:programme"), **RU)

    assert navigation(response)[:5] == [
        "Программа",
        "Спикеры",
        "Мои предложения",
        "Моё расписание",
        "Профиль",
    ]
    assertContains(
        response, '<button type="submit" class="btn btn-link nav-link">Выйти</button>', html=True
    )


@pytest.mark.django_db
def test_proposal_form_errors_in_russian_for_a_russian_participant(participant_client, round_table):
    response = participant_client.post(
        reverse("proposals:create", kwargs={"slug": round_table.slug}),
        {"title": "", "wording": "", "rationale": "", "addressee": "nobody", "submit": "1"},
        **RU,
    )

    assert not Proposal.objects.exists()
    assert response.context["form"].errors == {
        "title": ["Укажите краткое название предложения."],
        "wording": ["Сформулируйте предлагаемую рекомендацию."],
        "rationale": ["Обоснуйте необходимость рекомендации."],
        "addressee": ["Выберите одного из адресатов в списке."],
    }
    assertContains(response, "Укажите краткое название предложения.")
    assertContains(
        response,
        '<option value="government">Правительство Российской Федерации</option>',
        html=True,
    )


@pytest.mark.django_db
def test_proposal_list_statuses_in_russian(participant_client, participant, round_table):
    make_proposal(round_table, participant, title="Agreements", status="submitted")

    response = participant_client.get(reverse("proposals:list"), **RU)

    table = parse(response).find("table")
    assert texts(table.find_all("th")) == [
        "Предложение",
        "Сессия",
        "Статус",
        "Отправлено",
        "Ответ модератора",
    ]
    assert texts(table.find("tbody").find_all("td"))[2] == "Отправлено"


# --- The cache keeps the languages apart --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "second_nav"),
    [
        (EN, RU, ["Программа", "Спикеры", "Войти", "Зарегистрироваться"]),
        (RU, EN, ["Programme", "Speakers", "Log in", "Register"]),
    ],
)
@pytest.mark.parametrize("page", ["programme", "session", "speakers"])
def test_anonymous_cached_page_is_never_served_in_the_other_language(
    round_table, page, first, second, second_nav
):
    """The whole-page cache for anonymous visitors and the fragment cache (sessions/page_cache/)
    both key on the language."""
    url = {
        "programme": reverse("sessions:programme"),
        "session": round_table.get_absolute_url(),
        "speakers": reverse("sessions:speakers"),
    }[page]
    Client().get(url, **first)
    Client().get(url, **first)  # now surely from the cache

    response = Client().get(url, **second)
    again = Client().get(url, **second)

    assert navigation(response) == second_nav
    assert navigation(again) == second_nav
    assert response.headers["Content-Language"] == second["HTTP_ACCEPT_LANGUAGE"]
    assert again.headers["Content-Language"] == second["HTTP_ACCEPT_LANGUAGE"]


@pytest.mark.django_db
def test_signed_in_session_page_fragments_follow_the_language(participant, round_table):
    """The programme fragments are cached per language for signed-in visitors too."""
    english, russian = Client(), Client()
    english.force_login(participant)
    russian.force_login(participant)
    assert headings(english.get(round_table.get_absolute_url(), **EN)) == [
        "Summary",
        "Reporters",
        "Moderator",
    ]

    response = russian.get(round_table.get_absolute_url(), **RU)

    assert headings(response) == ["Описание", "Докладчики", "Модератор"]


@pytest.mark.django_db
def test_english_copy_is_not_revalidated_for_a_russian_request(round_table):
    """A browser's English copy (its ETag) is no answer to a request for Russian: no 304."""
    url = round_table.get_absolute_url()
    english = Client().get(url, **EN)

    response = Client().get(url, HTTP_IF_NONE_MATCH=english.headers["ETag"], **RU)

    assert response.status_code == 200
    assert navigation(response)[0] == "Программа"
    assert response.headers["ETag"] != english.headers["ETag"]
    assert "Accept-Language" in response.headers["Vary"]


# --- Messages outside templates ----------------------------------------------------------------


def test_role_and_status_labels_in_russian():
    with translation.override("ru"):
        assert [str(label) for _, label in Participation.Role.choices] == [
            "Модератор",
            "Докладчик",
        ]
        assert str(Proposal.Status.UNDER_REVIEW.label) == "На рассмотрении"


# The sign-up e-mail's message (templates/registration/signup_confirm_email.txt); not written
# out in an ngettext() call here, which makemessages would list as a second place it is used.
LINK_WORKS = ("The link works for %(days)s day.", "The link works for %(days)s days.")


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (1, "Ссылка действует 1 день."),
        (3, "Ссылка действует 3 дня."),
        (5, "Ссылка действует 5 дней."),
        (11, "Ссылка действует 11 дней."),
        (21, "Ссылка действует 21 день."),
        (22, "Ссылка действует 22 дня."),
    ],
)
def test_russian_plural_forms(days, text):
    with translation.override("ru"):
        message = translation.ngettext(*LINK_WORKS, days)
    assert message % {"days": days} == text
