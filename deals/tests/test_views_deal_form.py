"""Adding a deal (from the list, a board column, a person's or organization's page) and editing
its person, organization, labels, pipeline and stage."""

import pytest
from django.urls import reverse

from contacts.models import Person
from crm.tests.factories import LabelFactory
from deals.models import Deal, DealHistory, DealStatus, HistoryKind
from deals.services import deal_mark_won
from deals.tests.factories import PipelineFactory
from deals.tests.test_views_deal import edit_form
from deals.tests.web import make_deal, make_organization, make_person

pytestmark = pytest.mark.django_db

ADD = reverse("deals:add")


def add_form(owner, pipeline, stage=None, **fields):
    data = {
        "owner": owner.pk,
        "title": "Solar roof",
        "value": "1200",
        "currency": "EUR",
        "pipeline": pipeline.pk,
        "stage": (stage or pipeline.first_stage()).pk,
        "visible_to": "team",
    }
    data.update(fields)
    return data


def test_the_deals_list_links_to_add_deal(client, owner):
    client.force_login(owner)

    html = client.get(reverse("deals:list")).content.decode()

    assert f'href="{ADD}"' in html and "Add deal" in html


def test_a_board_column_links_to_add_a_deal_in_its_stage(client, owner, pipeline):
    proposal = pipeline.stages.get(name="Proposal")
    client.force_login(owner)

    html = client.get(reverse("board:pipeline", args=[pipeline.pk])).content.decode()

    assert f"{ADD}?pipeline={pipeline.pk}&amp;stage={proposal.pk}&amp;next=" in html
    assert 'aria-label="Add deal in Proposal"' in html


def test_the_add_form_starts_in_the_stage_the_column_gave(client, owner, pipeline):
    proposal = pipeline.stages.get(name="Proposal")
    client.force_login(owner)

    response = client.get(ADD, {"pipeline": pipeline.pk, "stage": proposal.pk})

    form = response.context["form"]
    assert form.initial["pipeline"] == pipeline.pk and form.initial["stage"] == proposal.pk


def test_adding_from_a_column_saves_the_deal_in_that_stage_and_goes_back_to_the_board(
    client, owner, pipeline
):
    person = make_person(owner)
    proposal = pipeline.stages.get(name="Proposal")
    board = reverse("board:pipeline", args=[pipeline.pk])
    client.force_login(owner)

    response = client.post(
        ADD,
        add_form(owner, pipeline, proposal, person=person.pk, person_name=person.name, next=board),
    )

    deal = Deal.objects.get(title="Solar roof")
    assert response.status_code == 302 and response.url == board
    assert (deal.stage, deal.person, deal.owner) == (proposal, person, owner)
    created = DealHistory.objects.get(deal=deal)
    assert created.kind == HistoryKind.CREATED and created.to_stage == proposal


def test_a_next_that_leaves_the_site_is_not_followed(client, owner, pipeline):
    person = make_person(owner)
    client.force_login(owner)

    response = client.post(
        ADD,
        add_form(
            owner, pipeline, person=person.pk, person_name=person.name, next="https://evil.example/"
        ),
    )

    deal = Deal.objects.get(title="Solar roof")
    assert response.url == reverse("deals:detail", args=[deal.pk])


def test_a_persons_page_links_to_add_a_deal_for_them(client, owner):
    person = make_person(owner)
    client.force_login(owner)

    html = client.get(reverse("contacts:person_detail", args=[person.pk])).content.decode()

    assert f'href="{ADD}?person={person.pk}"' in html


def test_the_add_form_is_filled_with_the_person_and_their_organization(client, owner):
    org = make_organization(owner)
    person = make_person(owner, organization=org)
    client.force_login(owner)

    form = client.get(ADD, {"person": person.pk}).context["form"]

    assert (form.initial["person"], form.initial["person_name"]) == (person.pk, "Ann Lee")
    assert (form.initial["organization"], form.initial["organization_name"]) == (
        org.pk,
        "Acme GmbH",
    )


def test_an_organizations_page_links_to_add_a_deal_for_it(client, owner):
    org = make_organization(owner)
    client.force_login(owner)

    html = client.get(reverse("contacts:organization_detail", args=[org.pk])).content.decode()
    form = client.get(ADD, {"organization": org.pk}).context["form"]

    assert f'href="{ADD}?organization={org.pk}"' in html
    assert form.initial["organization"] == org.pk and "person" not in form.initial


def test_the_add_form_does_not_fill_in_a_person_the_user_may_not_see(client, owner, outsider):
    hidden = make_person(outsider, name="Hidden Hal", visible_to="owner")
    client.force_login(owner)

    response = client.get(ADD, {"person": hidden.pk})

    assert "person" not in response.context["form"].initial
    assert "Hidden Hal" not in response.content.decode()


def test_posting_a_person_the_user_may_not_see_is_a_form_error_as_if_absent(
    client, owner, outsider, pipeline
):
    hidden = make_person(outsider, name="Hidden Hal", visible_to="owner")
    client.force_login(owner)

    response = client.post(
        ADD, add_form(owner, pipeline, person=hidden.pk, person_name="Hidden Hal")
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"person_name": ["There is no such person."]}
    assert not Deal.objects.exists()


def test_a_typed_name_alone_creates_no_person(client, owner, pipeline):
    client.force_login(owner)

    response = client.post(ADD, add_form(owner, pipeline, person_name="Ann Lee"))

    assert response.status_code == 400
    assert "person_name" in response.context["form"].errors
    assert not Person.objects.exists() and not Deal.objects.exists()


def test_a_new_person_is_created_when_the_user_chose_so(client, owner, pipeline):
    client.force_login(owner)

    client.post(
        ADD,
        add_form(
            owner,
            pipeline,
            person_name="Nina New",
            person_new="on",
            person_email="nina@new.example",
            organization_name="New Co",
            organization_new="on",
        ),
    )

    deal = Deal.objects.get(title="Solar roof")
    assert deal.person.name == "Nina New" and deal.organization.name == "New Co"
    assert deal.person.primary_email == "nina@new.example"


def test_a_stage_of_another_pipeline_is_refused_on_stage(client, owner, pipeline):
    person = make_person(owner)
    other = PipelineFactory(name="Renewals", stages=["Due"])
    client.force_login(owner)

    response = client.post(
        ADD,
        add_form(owner, pipeline, other.first_stage(), person=person.pk, person_name=person.name),
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"stage": ["Choose a stage of this pipeline."]}


def test_the_same_add_form_sent_twice_adds_one_deal(client, owner, pipeline):
    person = make_person(owner)
    client.force_login(owner)
    data = add_form(
        owner, pipeline, person=person.pk, person_name=person.name, form_token="tok-" + "x" * 20
    )

    first = client.post(ADD, data)
    second = client.post(ADD, data)

    assert Deal.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url


# --- Editing --------------------------------------------------------------------------------


@pytest.fixture
def deal(owner, pipeline):
    return make_deal(owner, pipeline, title="Acme rollout")


def test_edit_changes_the_person_organization_and_labels(client, owner, deal):
    other = make_person(owner, name="Bea Other", emails=["bea@other.example"])
    org = make_organization(owner, name="Other AG")
    label = LabelFactory(name="Hot")
    client.force_login(owner)

    response = client.post(
        reverse("deals:edit", args=[deal.pk]),
        edit_form(
            deal,
            person=other.pk,
            person_name=other.name,
            organization=org.pk,
            organization_name=org.name,
            labels=[label.pk],
        ),
    )

    deal.refresh_from_db()
    assert response.status_code == 302
    assert (deal.person, deal.organization, deal.version) == (other, org, 2)
    assert list(deal.labels.all()) == [label]
    page = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "Hot" in page and "Bea Other" in page


def test_edit_moves_the_deal_to_another_pipeline_and_records_the_move(client, owner, deal):
    other = PipelineFactory(name="Renewals", stages=["Due", "Offered"])
    offered = other.stages.get(name="Offered")
    client.force_login(owner)

    client.post(
        reverse("deals:edit", args=[deal.pk]),
        edit_form(deal, pipeline=other.pk, stage=offered.pk),
    )

    deal.refresh_from_db()
    assert (deal.pipeline, deal.stage) == (other, offered)
    move = DealHistory.objects.get(deal=deal, kind=HistoryKind.STAGE)
    assert move.from_stage.name == "Qualified" and move.to_stage == offered


def test_a_pipeline_change_without_its_stage_asks_for_the_stage(client, owner, deal):
    other = PipelineFactory(name="Renewals", stages=["Due"])
    client.force_login(owner)

    response = client.post(
        reverse("deals:edit", args=[deal.pk]), edit_form(deal, pipeline=other.pk)
    )

    deal.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors == {"stage": ["Choose a stage of this pipeline."]}
    assert deal.pipeline_id != other.pk and deal.version == 1


def test_the_edit_of_a_closed_deal_keeps_its_stage(client, owner, deal, pipeline):
    deal = deal_mark_won(actor=owner, deal=deal)
    client.force_login(owner)

    response = client.post(
        reverse("deals:edit", args=[deal.pk]),
        edit_form(deal, title="Won rollout", stage=pipeline.stages.last().pk),
    )

    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.title == "Won rollout" and deal.stage == pipeline.first_stage()
    assert deal.status == DealStatus.WON


def test_edit_to_a_person_the_editor_may_not_see_is_a_form_error(client, owner, outsider, deal):
    hidden = make_person(outsider, name="Hidden Hal", visible_to="owner")
    client.force_login(owner)

    response = client.post(
        reverse("deals:edit", args=[deal.pk]),
        edit_form(deal, person=hidden.pk, person_name="Hidden Hal"),
    )

    deal.refresh_from_db()
    assert response.status_code == 400
    assert response.context["form"].errors == {"person_name": ["There is no such person."]}
    assert deal.person.name == "Ann Lee"
