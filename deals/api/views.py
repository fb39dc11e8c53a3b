"""Deals (edit, move by PATCH with the version seen, win, lose, reopen) and their lists;
pipelines, stages and lost reasons (everyone reads them, admins change them)."""

from django.db.models import Sum
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from activities.api.serializers import TimelineSerializer
from activities.selectors import deal_timeline
from crm.api.base import (
    OWNED_CREATE_DESCRIPTION,
    OWNED_UPDATE_DESCRIPTION,
    REASSIGN_DESCRIPTION,
    AdminWrites,
    ReassignMixin,
    RecordViewSet,
)
from crm.api.exceptions import conflict
from crm.api.schema import ErrorSerializer
from crm.errors import StaleVersion
from crm.filters import OwnerScope
from crm.models import FieldEntity
from deals import services, setup_services
from deals.api.serializers import (
    DealCreateSerializer,
    DealFilterSerializer,
    DealLostSerializer,
    DealReassignSerializer,
    DealSerializer,
    DealUpdateSerializer,
    LostReasonInputSerializer,
    LostReasonSerializer,
    PipelineCreateSerializer,
    PipelineInputSerializer,
    PipelineSerializer,
    StageDeleteSerializer,
    StageFilterSerializer,
    StageInputSerializer,
    StageReorderSerializer,
    StageSerializer,
    StaleDealSerializer,
    VersionSerializer,
)
from deals.filters import DealFilters, deal_filter
from deals.models import Deal, LostReason, Pipeline, Stage
from deals.selectors import deal_list, deal_tally, lost_reason_list, pipeline_list, stage_list

STALE = {409: StaleDealSerializer}


@extend_schema_view(
    list=extend_schema(parameters=[DealFilterSerializer]),
    reassign=extend_schema(
        request=DealReassignSerializer,
        responses={200: DealSerializer, **STALE},
        description=REASSIGN_DESCRIPTION,
    ),
)
class DealViewSet(ReassignMixin, RecordViewSet):
    serializer_class = DealSerializer
    filter_serializer_class = DealFilterSerializer
    custom_fields_entity = FieldEntity.DEAL
    reassign_serializer_class = DealReassignSerializer

    def get_queryset(self):
        # The API renders related records as ids: none of the selector's joins is needed.
        return deal_list(user=self.actor).select_related(None).select_related("lead")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # The page's labels in one plain query (prefetch_related's machinery cost more).
            by_deal: dict[int, list[int]] = {deal.pk: [] for deal in page}
            links = Deal.labels.through.objects.filter(deal_id__in=by_deal).order_by("label_id")
            for deal_id, label_id in links.values_list("deal_id", "label_id"):
                by_deal[deal_id].append(label_id)
            for deal in page:
                deal.label_ids = by_deal[deal.pk]
        return page

    def apply_filters(self, queryset, filters):
        self.list_filters = filters
        deal_filters = DealFilters(
            q=(filters.get("search") or "").strip(),
            status=filters.get("status") or "",
            scope=filters.get("scope") or OwnerScope.ALL,
            **{n: filters.get(n) for n in ("pipeline", "stage", "owner", "person", "organization")},
            custom=filters.get("custom", ()),
        )
        return deal_filter(user=self.actor, filters=deal_filters, qs=queryset)

    # The tally can narrow by these filters; a search, a person or an organization counts deals.
    TALLY_FILTERS = frozenset({"pipeline", "stage", "status", "owner"})

    def list_count(self) -> int | None:
        """The list's `count` from the deal tally, as exact as COUNT(*) and much cheaper at
        tens of thousands of visible deals; None where the tally cannot answer."""
        filters = {k: v for k, v in getattr(self, "list_filters", {}).items() if v != ""}
        tally = deal_tally(user=self.actor)
        if tally is None or not set(filters) <= self.TALLY_FILTERS:
            return None
        lookups = {name if name == "status" else f"{name}_id": v for name, v in filters.items()}
        return tally.filter(**lookups).aggregate(count=Sum("deal_count"))["count"] or 0

    def handle_exception(self, exc):
        if isinstance(exc, StaleVersion) and exc.current is not None:
            # Nothing was written: hand back the deal as it is now, so the client can redo.
            current = self.get_serializer(self.fresh(exc.current)).data
            return conflict(exc.code, exc.message, current=current)
        return super().handle_exception(exc)

    @extend_schema(
        request=DealCreateSerializer,
        responses={201: DealSerializer},
        description=OWNED_CREATE_DESCRIPTION,
    )
    def create(self, request):
        deal = services.deal_create(actor=self.actor, **self.parse(DealCreateSerializer))
        return self.render(self.fresh(deal), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=DealUpdateSerializer,
        responses={200: DealSerializer, **STALE},
        description="Edit fields or move the deal (`stage`, `pipeline`); `version` is the one "
        "you saw. " + OWNED_UPDATE_DESCRIPTION,
    )
    def partial_update(self, request, pk=None):
        deal = self.get_object()
        data = self.parse(DealUpdateSerializer)
        deal = services.deal_update(actor=self.actor, deal=deal, **data)
        return self.render(self.fresh(deal))

    def reassign_record(self, record, *, version=None, **data):
        return services.deal_update(actor=self.actor, deal=record, version=version, **data)

    def destroy(self, request, pk=None):
        services.deal_delete(actor=self.actor, deal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=VersionSerializer, responses={200: DealSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def won(self, request, pk=None):
        deal = self.get_object()
        data = self.parse(VersionSerializer)
        return self.render(self.fresh(services.deal_mark_won(actor=self.actor, deal=deal, **data)))

    @extend_schema(request=DealLostSerializer, responses={200: DealSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def lost(self, request, pk=None):
        deal = self.get_object()
        data = self.parse(DealLostSerializer)
        deal = services.deal_mark_lost(actor=self.actor, deal=deal, **data)
        return self.render(self.fresh(deal))

    @extend_schema(request=VersionSerializer, responses={200: DealSerializer, **STALE})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        deal = self.get_object()
        data = self.parse(VersionSerializer)
        return self.render(self.fresh(services.deal_reopen(actor=self.actor, deal=deal, **data)))

    @extend_schema(responses={200: TimelineSerializer})
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        entries = deal_timeline(deal=self.get_object(), limit=None)
        return Response(TimelineSerializer({"results": entries}).data)


class PipelineViewSet(RecordViewSet):
    # Everyone reads the active pipelines; admins also the archived ones, and change them.
    serializer_class = PipelineSerializer
    permission_classes = [AdminWrites]

    def get_queryset(self):
        if getattr(self.actor, "is_crm_admin", False):
            return Pipeline.objects.prefetch_related("stages")
        return pipeline_list()

    @extend_schema(request=PipelineCreateSerializer, responses={201: PipelineSerializer})
    def create(self, request):
        data = self.parse(PipelineCreateSerializer)
        pipeline = setup_services.pipeline_create(actor=self.actor, **data)
        return self.render(self.fresh(pipeline), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=PipelineInputSerializer,
        responses={200: PipelineSerializer},
        description="Admins only: rename, move in the menu, archive (`is_active: false`) or "
        "restore.",
    )
    def partial_update(self, request, pk=None):
        pipeline = self.get_object()
        data = self.parse(PipelineInputSerializer, partial=True)
        pipeline = setup_services.pipeline_update(actor=self.actor, pipeline=pipeline, **data)
        return self.render(self.fresh(pipeline))

    @extend_schema(
        description="Admins only: delete a pipeline that never had deals (with its stages); "
        "one with deals answers 400: archive it instead."
    )
    def destroy(self, request, pk=None):
        setup_services.pipeline_delete(actor=self.actor, pipeline=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=StageReorderSerializer,
        responses={200: PipelineSerializer, 409: ErrorSerializer},
        description="Admins only: put the stages in `order`. `seen` is the order the client "
        "showed; if the stages changed since, nothing is written and the answer is 409.",
    )
    @action(detail=True, methods=["post"], url_path="reorder-stages")
    def reorder_stages(self, request, pk=None):
        pipeline = self.get_object()
        data = self.parse(StageReorderSerializer)
        setup_services.stage_reorder(actor=self.actor, pipeline=pipeline, **data)
        return self.render(self.fresh(pipeline))


@extend_schema_view(list=extend_schema(parameters=[StageFilterSerializer]))
class StageViewSet(RecordViewSet):
    serializer_class = StageSerializer
    filter_serializer_class = StageFilterSerializer
    permission_classes = [AdminWrites]

    def get_queryset(self):
        return stage_list()

    def apply_filters(self, queryset, filters):
        if "pipeline" in filters:
            queryset = queryset.filter(pipeline_id=filters["pipeline"])
        return queryset

    @extend_schema(request=StageInputSerializer, responses={201: StageSerializer})
    def create(self, request):
        data = self.parse(StageInputSerializer)
        stage = setup_services.stage_create(actor=self.actor, **data)
        return self.render(self.fresh(stage), status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=StageInputSerializer,
        responses={200: StageSerializer},
        description="Admins only. `order` moves the stage (the others shift); `pipeline` may "
        "change only for a stage without deals.",
    )
    def partial_update(self, request, pk=None):
        stage = self.get_object()
        data = self.parse(StageInputSerializer, partial=True)
        stage = setup_services.stage_update(actor=self.actor, stage=stage, **data)
        return self.render(self.fresh(stage))

    @extend_schema(
        parameters=[StageDeleteSerializer],
        description="Admins only: delete the stage after moving its deals (open, won and "
        "lost) and their history to `move_to`, a stage of the same pipeline. A pipeline keeps "
        "at least one stage.",
    )
    def destroy(self, request, pk=None):
        stage = self.get_object()
        data = self.parse(StageDeleteSerializer, data=request.query_params)
        move_to = None
        if data.get("move_to"):
            move_to = Stage.objects.filter(pk=data["move_to"]).first()
            if move_to is None:
                raise ValidationError({"move_to": ["No such stage."]})
        setup_services.stage_delete(actor=self.actor, stage=stage, move_to=move_to)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LostReasonViewSet(RecordViewSet):
    # Everyone reads the offered reasons; admins also the retired ones, and change them.
    serializer_class = LostReasonSerializer
    permission_classes = [AdminWrites]

    def get_queryset(self):
        if getattr(self.actor, "is_crm_admin", False):
            return LostReason.objects.order_by("name", "id")
        return lost_reason_list()

    @extend_schema(request=LostReasonInputSerializer, responses={201: LostReasonSerializer})
    def create(self, request):
        data = self.parse(LostReasonInputSerializer)
        reason = setup_services.lost_reason_create(actor=self.actor, name=data["name"])
        return self.render(reason, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=LostReasonInputSerializer,
        responses={200: LostReasonSerializer},
        description="Admins only: rename, or retire (`is_active: false`: no longer offered).",
    )
    def partial_update(self, request, pk=None):
        reason = self.get_object()
        data = self.parse(LostReasonInputSerializer, partial=True)
        reason = setup_services.lost_reason_update(actor=self.actor, lost_reason=reason, **data)
        return self.render(reason)

    @extend_schema(
        description="Admins only: delete a reason no deal was lost for; else 400 (retire it)."
    )
    def destroy(self, request, pk=None):
        setup_services.lost_reason_delete(actor=self.actor, lost_reason=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
