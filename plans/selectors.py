from plans.models import Feature, Plan


def plan_catalog() -> list[Plan]:
    return list(Plan.objects.with_features())


def feature_matrix(plans: list[Plan]) -> list[tuple[str, list[bool]]]:
    """Each paid feature with, per plan, whether the plan includes it."""
    return [
        (feature.label, [plan.includes(feature) for plan in plans])
        for feature in Feature
    ]
