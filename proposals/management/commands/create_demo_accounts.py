"""Demo accounts for `make run`: a superuser, the seed round table's moderator, a participant.

Passwords are generated on every run and reset, so the printed ones always work; no password
is stored anywhere in the repository.
"""

import secrets

from django.core.management import BaseCommand, CommandError
from django.db import transaction

from proposals.models import Proposal, User
from proposals.permissions import moderators_group
from sessions.models import Participation, Person, Session

SEED_SLUG = "international-and-cross-border-intermunicipal-cooperation"
SEED_MODERATOR = ("Didenko", "Aleksei")
Status = Proposal.Status

# The participant's proposals, each brought to its status through the model's own moves.
DEMO_PROPOSALS = (
    {
        "title": "A federal register of twinning agreements",
        "status": Status.DRAFT,
        "addressee": Proposal.Addressee.GOVERNMENT,
        "wording": "Keep a public register of the twinning agreements of Russian municipalities.",
        "rationale": "Municipalities cannot find partners that other towns already work with.",
    },
    {
        "title": "Training for municipal international offices",
        "status": Status.SUBMITTED,
        "addressee": Proposal.Addressee.REGIONAL,
        "wording": "Run yearly training for the staff of municipal international offices.",
        "rationale": "Most small towns have one person for all foreign contacts.",
    },
    {
        "title": "Cross-border cooperation in the law on local self-government",
        "status": Status.UNDER_REVIEW,
        "addressee": Proposal.Addressee.FEDERAL_ASSEMBLY,
        "wording": "Add the municipalities' cross-border cooperation to Federal Law 131-FZ.",
        "rationale": "Law 179-FZ names municipalities as parties but sets no procedure for them.",
    },
    {
        "title": "A support fund for cross-border projects",
        "status": Status.ACCEPTED,
        "addressee": Proposal.Addressee.FEDERAL_MINISTRIES,
        "wording": "Create a grant programme for joint projects of border municipalities.",
        "rationale": "Joint projects stop when the first foreign grant ends.",
        "public_answer": "Included in the draft recommendations to the Ministry of Economic "
        "Development.",
    },
    {
        "title": "Abolish visas for all border residents",
        "status": Status.REJECTED,
        "addressee": Proposal.Addressee.OTHER,
        "wording": "Abolish visas for all residents of border municipalities.",
        "rationale": "It would make every exchange easier.",
        "public_answer": "Visa policy is outside the scope of this round table.",
    },
)


class Command(BaseCommand):
    help = "Create (or refresh) the demo superuser, moderator and participant with new passwords."

    def handle(self, *args, **options):
        try:
            session = Session.objects.get(slug=SEED_SLUG)
            person = Person.objects.get(
                surname=SEED_MODERATOR[0],
                first_name=SEED_MODERATOR[1],
                participations__session=session,
                participations__role=Participation.Role.MODERATOR,
            )
        except (Session.DoesNotExist, Person.DoesNotExist):
            raise CommandError(
                "The seed round table is missing: run `manage.py load_demo` first."
            ) from None
        moderators = moderators_group()

        lines = []
        with transaction.atomic():
            superuser, password = self._account(
                "admin@demo.example.org",
                surname="Admin",
                first_name="Demo",
                is_staff=True,
                is_superuser=True,
            )
            lines.append(("superuser", superuser.email, password))

            moderator, password = self._account(
                "moderator@demo.example.org",
                surname=person.surname,
                first_name=person.first_name,
                patronymic=person.patronymic,
                person=person,
                is_staff=True,
                is_superuser=False,
            )
            moderator.groups.add(moderators)
            lines.append(("moderator", moderator.email, password))

            participant, password = self._account(
                "participant@demo.example.org",
                surname="Petrova",
                first_name="Anna",
                organisation="Pskov City Administration",
                position="Head of the international relations office",
                is_staff=False,
                is_superuser=False,
            )
            lines.append(("participant", participant.email, password))
            self._proposals(session, participant, moderator)

        for role, login, password in lines:
            self.stdout.write(f"{role}  {login}  {password}")

    def _account(self, email, **fields):
        user = User.objects.filter(email=email).first() or User(email=email)
        for name, value in fields.items():
            setattr(user, name, value)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        return user, password

    def _proposals(self, session, author, moderator):
        for spec in DEMO_PROPOSALS:
            spec = dict(spec)
            status = spec.pop("status")
            proposal, created = Proposal.objects.get_or_create(
                session=session, author=author, title=spec.pop("title"), defaults=spec
            )
            if not created:
                continue
            if status == Status.DRAFT:
                continue
            proposal.submit(by=author)
            if status == Status.SUBMITTED:
                continue
            proposal.take_up(by=moderator)
            # The demo addresses are not real: no decision e-mail goes to them.
            if status == Status.ACCEPTED:
                proposal.accept(by=moderator, notify=False)
            elif status == Status.REJECTED:
                proposal.reject(by=moderator, notify=False)
