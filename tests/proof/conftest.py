import pytest

from tests.proof.server import gunicorn_serve


@pytest.fixture(scope="module")
def server(django_db_setup, request, tmp_path_factory):
    """gunicorn serving the test database for the tests of one module, with
    the module's `GUNICORN_WORKERS` worker processes (4 by default, the
    README's production command). Stopped, and its connections closed,
    when the module's tests are done."""
    workers = getattr(request.module, "GUNICORN_WORKERS", 4)
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with gunicorn_serve(workers=workers, log=log) as running:
        yield running
