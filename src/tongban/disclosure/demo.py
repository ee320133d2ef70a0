"""Demo data of disclosure, loaded by `./tongban run` after cases (tongban.portal.demo): the
city's disclosure site under the portal's home page with its directory, policy documents
(titles, 文号 and issuers of real Dalian documents), an open consultation and two requests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from wagtail.models import Page

from tongban.identity.models import Department

from . import page_actions
from .models import (
    ColumnPage,
    ConsultationPage,
    DisclosureSiteRoot,
    InterpretationPage,
    PolicyDocumentPage,
    RegistrationPattern,
)

DOCUMENTS = [
    (
        "大连市人民政府办公室关于印发大连市“只提交一次材料”改革实施方案的通知",
        "大政办发〔2021〕12号",
        "business-env",
        dt.date(2021, 4, 1),
        "政务服务、营商环境",
        True,
        "以政务服务一网通办改革为牵引，深入推进政务服务流程革命性再造，全面开展只提交一次材料改革。",
    ),
    (
        "大连市人民政府关于加快推进“互联网+政务服务”工作实施方案",
        "大政发〔2017〕25号",
        "business-env",
        dt.date(2017, 6, 20),
        "政务服务、互联网+",
        True,
        "加快推进互联网+政务服务，优化办事流程，创新服务方式，便利群众办事创业。",
    ),
    (
        "大连市人民政府办公厅关于印发大连市2018年政务公开工作要点的通知",
        "大政办发〔2018〕78号",
        "business-env",
        dt.date(2018, 6, 28),
        "政务公开",
        False,
        "坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务和结果公开。",
    ),
    (
        "大连市人民政府办公厅关于加强电子认证管理和数字证书应用工作的指导意见",
        "大政办发〔2016〕44号",
        "business-env",
        dt.date(2016, 5, 12),
        "电子认证、信息安全",
        True,
        "加强电子证照、统一身份认证、网上支付等重要系统和关键环节的安全监控。",
    ),
    (
        "大连市政务公开领导小组办公室关于深入推进政务公开加强制度和平台建设的意见",
        "大政公开办〔2019〕1号",
        "business-env",
        dt.date(2019, 3, 15),
        "政务公开、平台建设",
        False,
        "强化行政规范性文件公众意见征集工作，加强政府网站和政务新媒体建设。",
    ),
    (
        "大连市市场监督管理局关于进一步优化企业开办服务的通知",
        "大市监发〔2024〕3号",
        "market",
        dt.date(2024, 2, 20),
        "市场主体、企业开办",
        True,
        "企业开办全程网上办理，营业执照、公章刻制、发票申领、社保登记一日办结。",
    ),
]


def load() -> None:
    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is None or DisclosureSiteRoot.objects.exists():
        return
    dept = Department.objects.filter(pk="business-env").first()
    site = page_actions.create_site(
        home,
        title="大连市政府信息公开",
        slug="gongkai",
        is_city=True,
        department=dept,
        organiser="大连市人民政府办公室",
        contact="0411-12345",
        site_code="2102000001",
        messages_to_hotline=True,
    )
    for title, slug, organiser, region in (
        ("中山区政府信息公开", "gongkai-zhongshan", "大连市中山区人民政府办公室", "210202"),
        ("西岗区政府信息公开", "gongkai-xigang", "大连市西岗区人民政府办公室", "210203"),
    ):
        page_actions.create_site(
            home, title=title, slug=slug, organiser=organiser, contact="0411-12345", region_id=region
        )
    # department sites (issue 7: the cluster holds district and department sites alike)
    for title, slug, code in (
        ("大连市市场监督管理局政府信息公开", "gongkai-market", "market"),
        ("大连市卫生健康委员会政府信息公开", "gongkai-health", "health"),
    ):
        owner = Department.objects.filter(pk=code).first()
        if owner is not None:
            page_actions.create_site(
                home, title=title, slug=slug, organiser=owner.name, contact="0411-12345", department=owner
            )
    policy = ColumnPage.objects.child_of(site).get(slug="zcwj")
    today = timezone.localdate()
    if dept is not None:
        RegistrationPattern.objects.get_or_create(issuer=dept, defaults={"template": "DLZFGF-{year}-{seq:04d}"})
    documents = []
    for seq, (title, number, issuer, written, topics, normative, body) in enumerate(DOCUMENTS, 1):
        issuer_dept = Department.objects.filter(pk=issuer).first()
        effective = written + dt.timedelta(days=7)
        expires = effective.replace(year=effective.year + 5) - dt.timedelta(days=1) if normative else None
        documents.append(
            page_actions.add_page(
                policy,
                PolicyDocumentPage(
                    title=title,
                    slug=f"doc-{written.year}-{seq}",
                    document_number=number,
                    issuer=issuer_dept,
                    issuer_name=issuer_dept.name if issuer_dept else "",
                    index_number=f"{issuer_dept.uscc if issuer_dept else ''}/{written.year}-{seq:05d}",
                    written_on=written,
                    formed_on=written,
                    published_on=written + dt.timedelta(days=7),
                    effective_on=effective,
                    expires_on=expires,
                    normative=normative,
                    topics=topics,
                    body=f"<p>{body}</p>",
                ),
            )
        )
    interpretations = ColumnPage.objects.child_of(site).get(slug="zcjd")
    page_actions.add_page(
        interpretations,
        InterpretationPage(
            title="《关于进一步优化企业开办服务的通知》政策解读",
            slug="jd-2024-qykb",
            document=documents[-1],
            kind="text",
            interpreter="大连市市场监督管理局",
            body="<p>一、出台背景：落实优化营商环境要求。二、主要内容：企业开办全程网上办理，一日办结。"
            "三、适用对象：在本市新设立的各类企业。</p>",
        ),
    )
    consult = ColumnPage.objects.child_of(site).get(slug="yjzj")
    page_actions.add_page(
        consult,
        ConsultationPage(
            title="《大连市优化营商环境若干措施（征求意见稿）》公开征求意见",
            slug="yhyshj-2026",
            concerns_enterprises=True,
            draft="<p>第一条 为持续优化营商环境，激发市场主体活力，制定本措施。</p>",
            explanation="<p>起草说明：本措施依据《优化营商环境条例》起草，涉及企业生产经营，征求意见期30日。</p>",
            opens_on=today - dt.timedelta(days=3),
            closes_on=today + dt.timedelta(days=30),
            drafting_department=dept,
        ),
    )
    _backdate(documents)
    _seed_health_failures(policy, documents[0])
    _seed_messages(site)
    from . import health_actions, opendata

    opendata.refresh()
    health_actions.run_all(external=False)  # the dashboard shows the seeded failures at once


def _backdate(pages) -> None:
    """The demo documents appeared on their publication dates: the policy column is stale (R23)."""
    for page in pages:
        at = timezone.make_aware(dt.datetime.combine(page.published_on, dt.time(9)))
        Page.objects.filter(pk=page.pk).update(first_published_at=at, last_published_at=at)


def _seed_health_failures(column, linked) -> None:
    """A notice with a link to a withdrawn page, a site path that does not exist and an
    attachment whose file was lost: the health dashboard lists each with its page's editor."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Collection

    # the root collection is a row of wagtail's migrations: a flushed test database has none
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    lost = Document(title="大连市政务公开工作要点（附件）", collection=root)
    lost.file.save("demo-lost-attachment.txt", ContentFile("附件正文".encode()), save=True)
    lost.file.storage.delete(lost.file.name)
    today = timezone.localdate()
    page_actions.add_page(
        column,
        PolicyDocumentPage(
            title="大连市人民政府办公室关于做好政府网站内容保障工作的通知",
            slug="doc-site-content",
            document_number="大政办发〔2026〕9号",
            issuer_name="大连市人民政府办公室",
            written_on=today - dt.timedelta(days=10),
            formed_on=today - dt.timedelta(days=10),
            published_on=today - dt.timedelta(days=3),
            topics="政务公开、政府网站",
            body=f'<p>各区市县政府、各部门：现将有关事项通知如下，另见<a linktype="page" id="{linked.pk + 100000}">'
            '原通知</a>与<a href="/gongkai/zcwj/doc-2015-1/">2015年实施方案</a>。</p>',
            attachment=lost,
        ),
    )


MESSAGES = [
    (
        "八一路路灯不亮",
        "西岗区八一路一排路灯坏了两周，晚上很黑，老人出行不便，请尽快修复。",
        20,
        "已转市城市管理局，路灯已于本周修复，感谢您的监督。",
    ),
    ("企业开办一日办结咨询", "请问新设立的餐饮企业在网上办理营业执照和食品经营许可，是否都能一日办结？", 5, None),
    ("老旧小区改造进度", "中山区桃源街老旧小区改造去年启动，至今未完工，请公开改造进度和完工时间。", 120, None),
]


def _seed_messages(site) -> None:
    """Three citizens' messages: one published with its answer, one waiting, one unanswered for
    more than 3 months (R23)."""
    from tongban.identity.constants import Role, UserKind
    from tongban.identity.models import User

    from . import message_actions
    from .models import SiteMessage

    citizen = User.objects.filter(kind=UserKind.PERSON).order_by("pk").first()
    editor = User.objects.filter(staff_roles__role__in=[Role.EDITOR, Role.ADMIN]).order_by("pk").first()
    if citizen is None:
        return
    for n, (title, text, days_ago, answer) in enumerate(MESSAGES):
        row = message_actions.submit(citizen, site, title=title, text=text, form_token=f"demo-{n}")
        SiteMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        if answer and editor is not None:
            message_actions.perform(editor, row.pk, "publish")
            message_actions.perform(editor, row.pk, "answer", text=answer)
        elif days_ago > 90 and editor is not None:
            message_actions.perform(editor, row.pk, "publish")
