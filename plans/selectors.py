from plans.models import Feature, Plan


def plan_catalog() -> list[Plan]:
    """The catalogue, cheapest first, each plan with its features (for
    Plans & Pricing). By id, without features: contracts'
    `plan_catalog_by_id`."""
    return list(Plan.objects.with_features())


def feature_matrix(plans: list[Plan]) -> list[tuple[str, list[bool]]]:
    """Each paid feature with, per plan, whether the plan includes it."""
    return [
        (feature.label, [plan.includes(feature) for plan in plans])
        for feature in Feature
    ]
