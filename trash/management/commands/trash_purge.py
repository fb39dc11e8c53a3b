"""`manage.py trash_purge`: delete for good what has been in the trash too long (run daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from trash.services import trash_purge


class Command(BaseCommand):
    help = "Delete for good the records in the trash for longer than CRM_TRASH_DAYS days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.CRM_TRASH_DAYS,
            help="Purge what was deleted more than this many days ago (default CRM_TRASH_DAYS).",
        )

    def handle(self, *args, days: int, **options):
        purged = trash_purge(days=days)
        for kind, count in purged.items():
            if count:
                self.stdout.write(f"{kind}: {count} purged")
        self.stdout.write(f"{sum(purged.values())} records purged.")
