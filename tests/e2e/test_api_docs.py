"""The REST API's interactive docs (Swagger UI, served by django-ninja from
its own static files) work under the site's content security policy: no
CSP violation, no console error, and the operations are listed."""

from playwright.sync_api import expect

from tests.markers import transactional_db


@transactional_db
def test_the_api_docs_render_under_the_content_security_policy(open_page):
    page = open_page("en")
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    assert "script-src" in response.headers["content-security-policy"]
    expect(page.get_by_text("Seats API").first).to_be_visible()
    expect(
        page.get_by_text("/api/v1/organizations/{organization_id}/members").first
    ).to_be_visible()
    # The "Authorize" dialog takes a personal token.
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_text("TokenAuth").first).to_be_visible()
