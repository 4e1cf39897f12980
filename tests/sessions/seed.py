"""Facts of the seed round table (fixtures/forum_2019_round_table.json) that feeds must carry."""

SEED_MODERATOR = "Didenko Aleksei"
# The "Reporters" list of the seed page, in its order (tests/sessions/test_fixtures.py checks
# the page itself, with affiliations and report titles).
SEED_REPORTERS = [
    "Didenko Aleksei",
    "Ignatyeva Alexandra",
    "Sidorov Aleksandr",
    "Berntsson Magnus",
    "Bashkin Alexandr",
    "Shvakova Yulia",
    "Turlanov Daniil",
    "Olkhovik Irina",
    "Gronholm Bjorn Mikael Valfrid",
    "Tolstoguzov Oleg",
    "Valiullin Renat",
    "Samusjew Malgorzata",
    "Maksimchuk Galina",
]
