from decimal import Decimal

from django.db import migrations
from django.utils.translation import gettext_noop

# The seeded catalogue; names are marked so the French catalogue has them.
CATALOG = [
    {
        "code": "free",
        "name": gettext_noop("Free"),
        "rank": 0,
        "response_limit": 100,
        "monthly_price": Decimal("0"),
        "description": gettext_noop("For trying things out."),
        "features": [],
    },
    {
        "code": "reader-plus",
        "name": gettext_noop("Reader+"),
        "rank": 1,
        "response_limit": 100,
        "monthly_price": Decimal("5"),
        "description": gettext_noop("For people who read reports."),
        "features": ["reports_real_data"],
    },
    {
        "code": "starter",
        "name": gettext_noop("Starter"),
        "rank": 2,
        "response_limit": 1000,
        "monthly_price": Decimal("19"),
        "description": gettext_noop("For regular surveys."),
        "features": ["more_responses", "reports_real_data"],
    },
    {
        "code": "professional",
        "name": gettext_noop("Professional"),
        "rank": 3,
        "response_limit": None,
        "monthly_price": Decimal("49"),
        "description": gettext_noop("For teams that survey at scale."),
        "features": [
            "more_responses",
            "reports_real_data",
            "report_export",
            "custom_branding",
        ],
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    PlanFeature = apps.get_model("plans", "PlanFeature")
    for entry in CATALOG:
        entry = dict(entry)
        features = entry.pop("features")
        plan, _ = Plan.objects.update_or_create(code=entry.pop("code"), defaults=entry)
        for feature in features:
            PlanFeature.objects.get_or_create(plan=plan, feature=feature)


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
