"""What a partner organisation's user sees of the register: their own organisation (its name,
its agreements in force and what each covers), and the data sets they may send, each with its
fields and a CSV template to fill in. Staff who keep the register see every data set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from steward.intake.datasets import Dataset, FieldType
from steward.intake.service import register
from steward.intake.service.partners import MANAGE
from steward.web.deps import DB, PageActor, csrf_protect
from steward.web.intake.partners import words
from steward.web.rendering import render

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

DatasetName = Annotated[str, Path(pattern=r"^[a-z_]{1,64}$")]
# A column's type as a partner reads it: what to write in it.
TYPE_WORDS = {
    FieldType.TEXT: "Text",
    FieldType.CHOICE: "One of the allowed values",
    FieldType.DATE: "Date, YYYY-MM-DD",
    FieldType.CASE_NUMBER: "Case number, as on the court papers",
    FieldType.NHS_NUMBER: "NHS number, 10 digits",
    FieldType.NI_NUMBER: "National Insurance number, for example QQ 12 34 56 C",
    FieldType.POSTCODE: "UK postcode",
    FieldType.PHONE: "UK phone number",
    FieldType.EMAIL: "Email address",
}


def template_response(dataset: Dataset) -> Response:
    return Response(
        register.template_csv(dataset),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{register.template_filename(dataset)}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/intake/organisation")
def organisation_page(request: Request, db: DB, actor: PageActor) -> Response:
    mine = register.organisation(db, actor)
    return render(request, "intake/partners_organisation.html", {"mine": mine, **words()})


@router.get("/intake/datasets")
def datasets_page(request: Request, db: DB, actor: PageActor) -> Response:
    shown = register.visible_datasets(db, actor)
    return render(
        request,
        "intake/datasets_list.html",
        {
            "datasets": shown,
            "keeps_register": actor.can(MANAGE),
            "type_words": {t.value: w for t, w in TYPE_WORDS.items()},
        },
    )


@router.get("/intake/datasets/{dataset}/template.csv")
def dataset_template(db: DB, actor: PageActor, dataset: DatasetName) -> Response:
    return template_response(register.visible_dataset(db, actor, dataset))
