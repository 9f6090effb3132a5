import io

import pytest
from django.core.management import call_command

from reviewapp.models import Membership, Project, Role, TopicArea

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").or_(page.get_by_label("Brugernavn")).fill(username)
    page.get_by_label("Password").or_(page.get_by_label("Adgangskode")).fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def _logout(page):
    page.locator("form[action='/accounts/logout/'] button").click()


def test_lead_sets_up_a_project_in_danish_and_peer_reviewer_reads_it(live_server, page, axe_check):
    call_command("load_demo", stdout=io.StringIO())
    base = live_server.url

    _login(page, base, "lead", "demo-lead-2019")
    axe_check(page, "project-list")
    page.select_option("#language-switcher", "da")
    # Choosing does not reload the page (WCAG 3.2.2); the button does.
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Switch").click()
    page.wait_for_selector("html[lang=da]")
    assert page.get_by_role("heading", name="Mine reviewprojekter").is_visible()

    page.get_by_role("link", name="Nyt projekt").click()
    page.get_by_label("Titel").fill("Sanktioner i beskæftigelsesindsatsen")
    page.get_by_label("Kort navn").fill("sanktioner")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}/projects/sanktioner/")
    assert page.get_by_text("Projektet er oprettet. Du er projektleder.").is_visible()
    axe_check(page, "dashboard")

    page.get_by_role("link", name="Nyt emneområde").click()
    axe_check(page, "topic-area-form")
    page.get_by_label("Titel").fill("Sanktioners effekt")
    page.get_by_label("Nøgle").fill("sanktioner")
    page.get_by_label("Søgetermer for population").fill("unemployed; benefit recipients")
    page.get_by_label("Udgivet fra (år)").fill("2019")
    page.get_by_label("Udgivet til (år)").fill("2000")
    page.get_by_label("Publikationssprog").fill("da, en")
    page.get_by_role("button", name="Gem").click()
    error = "Det sidste udgivelsesår (2000) ligger før det første (2019)."
    assert page.get_by_text(error).is_visible()
    page.get_by_label("Udgivet til (år)").fill("2019")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{base}/projects/sanktioner/topics/sanktioner/")
    assert page.get_by_text("benefit recipients").is_visible()
    assert page.get_by_role("heading", name="Sanktioners effekt").is_visible()

    page.get_by_role("link", name="Sanktioner i beskæftigelsesindsatsen").click()
    page.get_by_role("link", name="Medlemmer").first.click()
    axe_check(page, "members")
    page.get_by_label("Brugernavn eller e-mail på en eksisterende bruger").fill("reviewer1")
    page.locator("#add_role").select_option("reviewer")
    page.get_by_role("button", name="Tilføj medlem").click()
    assert page.get_by_text("reviewer1 er tilføjet som Reviewer.").is_visible()
    page.get_by_label("Brugernavn eller e-mail på en eksisterende bruger").fill("peer@example.org")
    page.locator("#add_role").select_option("peer_reviewer")
    page.get_by_role("button", name="Tilføj medlem").click()
    assert page.locator("[data-testid=member-row][data-username=peer]").is_visible()
    _logout(page)

    project = Project.objects.get(slug="sanktioner")
    assert TopicArea.objects.get(project=project).year_to == 2019
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {"lead": Role.LEAD, "reviewer1": Role.REVIEWER, "peer": Role.PEER_REVIEWER}

    _login(page, base, "peer", "demo-peer-2019")
    page.get_by_role("link", name="Sanktioner i beskæftigelsesindsatsen").click()
    assert page.get_by_role("heading", name="Sanktioners effekt").is_visible()
    assert page.get_by_role("link", name="Rediger projekt").count() == 0
    assert page.get_by_role("link", name="Nyt emneområde").count() == 0
    page.get_by_role("link", name="Sanktioners effekt").click()
    assert page.get_by_text("benefit recipients").is_visible()
    assert page.get_by_role("link", name="Rediger emneområde").count() == 0
    page.go_back()
    page.get_by_role("link", name="Medlemmer").first.click()
    assert page.locator("[data-testid=member-row]").count() == 3
    assert page.locator("main form").count() == 0
    assert page.get_by_role("button", name="Tilføj medlem").count() == 0
    # Typing the edit address gets a refusal, not the form.
    response = page.goto(f"{base}/projects/sanktioner/edit/")
    assert response.status == 403
    assert page.get_by_role("heading", name="Ikke tilladt").is_visible()
