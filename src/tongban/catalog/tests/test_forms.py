"""Sample and blank forms (A2): real .xlsx files for every form material, referenced by
Material.sample/blank_form, downloadable by anyone at /services/forms/<name>; any other path
(traversal, encoded separators, unknown names) is a 404."""

import io

import pytest
from django.test import Client

from tongban.catalog import sample_forms
from tongban.catalog.models import Material
from tongban.identity.demo import load_catalog
from tongban.testing import api_client


def test_every_form_material_of_the_reference_data_has_both_files():
    missing = []
    for item, position, _ in sample_forms.form_materials(load_catalog()):
        missing += [n for n in sample_forms.file_names(item["code"], position) if sample_forms.path_of(n) is None]
    assert not missing, missing[:10]


def test_a_blank_form_is_a_real_workbook_and_the_sample_is_filled_and_marked():
    from openpyxl import load_workbook

    blank, sample = sample_forms.file_names("SCJG-XK-008", 0)
    blank_book = load_workbook(io.BytesIO(sample_forms.path_of(blank).read_bytes()))
    sample_book = load_workbook(io.BytesIO(sample_forms.path_of(sample).read_bytes()))
    rows = list(blank_book.active.iter_rows(values_only=True))
    assert rows[0][0] == "食品经营许可申请书" and "SCJG-XK-008" in rows[1][0]
    assert ("统一社会信用代码", None) in rows  # blank: to be filled in
    text = list(sample_book.active.iter_rows(values_only=True))
    assert "样表" in text[2][0] and any(r[0] == "统一社会信用代码" and r[1] for r in text)


@pytest.mark.django_db
def test_materials_reference_their_files_and_the_guide_links_them(catalog):
    form = Material.objects.filter(version__item__code="SCJG-XK-008", source="form").get()
    assert (form.blank_form, form.sample) == sample_forms.file_names("SCJG-XK-008", form.position)
    guide = api_client().get("/api/catalog/items/SCJG-XK-008").json()
    listed = next(m for m in guide["materials"] if m["source"] == "form")
    assert listed["blank_form_url"] == f"/services/forms/{form.blank_form}"
    assert listed["sample_url"] == f"/services/forms/{form.sample}"
    upload = next(m for m in guide["materials"] if m["source"] == "applicant")
    assert upload["blank_form_url"] is None


@pytest.mark.django_db
def test_anyone_downloads_a_form():
    name = sample_forms.file_names("SCJG-XK-008", 0)[0]
    response = Client().get(f"/services/forms/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == sample_forms.CONTENT_TYPES["xlsx"]
    assert f'filename="{name}"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK" and body == sample_forms.path_of(name).read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/services/forms/..%2F..%2Fsettings.py", "/services/forms/..%2fsample_forms.py", "/services/forms/%2e%2e",
    "/services/forms/..", "/services/forms/.hidden.xlsx", "/services/forms/NO-SUCH-M01-blank.xlsx",
    "/services/forms/SCJG-XK-008-M01-blank.xlsx%00.py", "/services/forms/sample_forms.py",
    "/services/forms/%5C..%5C__init__.py", "/services/forms/" + "a" * 300 + ".xlsx",
])
def test_anything_but_a_committed_form_name_is_404(path):
    assert Client().get(path).status_code == 404


def test_path_of_refuses_traversal_directly():
    for name in ["../sample_forms.py", "../../settings.py", "/etc/passwd", "a/b.xlsx", "", None, "x.xlsx\x00"]:
        assert sample_forms.path_of(name) is None
