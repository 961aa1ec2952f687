import pytest

# Tests whose database work happens in other threads (real concurrency, the
# live server of browser tests) need real transactions. The flush after each
# such test would also delete the catalogue that the migrations seed:
# serialized_rollback puts it back.
transactional_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)
