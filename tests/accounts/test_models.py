import pytest
from django.db import IntegrityError

from accounts.models import User


@pytest.mark.django_db
def test_create_user_stores_the_email_lowercased():
    user = User.objects.create_user("Ann.Example@Example.TEST", "pw")
    assert user.email == "ann.example@example.test"


@pytest.mark.django_db
def test_database_refuses_an_email_with_capitals():
    """The unique index is case-insensitive because emails are lowercase."""
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="Mixed@Example.test")])


@pytest.mark.django_db
def test_display_name_falls_back_to_the_email():
    assert User(email="a@example.test").display_name == "a@example.test"
    assert User(email="a@example.test", full_name="Ann").display_name == "Ann"
