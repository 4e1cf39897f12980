from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import BaseCommand, call_command

DEMO_FIXTURES = ("forum_2019_round_table.json", "demo_sessions_2019.json")
DEMO_MEDIA = Path(settings.BASE_DIR) / "fixtures" / "media"


class Command(BaseCommand):
    help = "Load the seed round table and the demo sessions, with their material files."

    def handle(self, *args, **options):
        fixtures_dir = Path(settings.BASE_DIR) / "fixtures"
        call_command("loaddata", *(fixtures_dir / name for name in DEMO_FIXTURES), verbosity=0)
        copied = 0
        for source in DEMO_MEDIA.rglob("*"):
            name = source.relative_to(DEMO_MEDIA).as_posix()
            if source.is_file() and not default_storage.exists(name):
                with source.open("rb") as handle:
                    default_storage.save(name, File(handle))
                copied += 1
        self.stdout.write(f"Demo programme loaded ({copied} material files copied).")
