"""`./tongban hotline train [--force]` and `./tongban hotline evaluate`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.hotline import classifier
from tongban.hotline.models import Ticket


def corrections() -> list[dict]:
    """Operators' confirmed labels: dispatched tickets with a subject (the department kind of
    the department they went to)."""
    rows = []
    for t in Ticket.objects.filter(subject__isnull=False, department__isnull=False).select_related("department"):
        kind = t.department.parent_id or t.department_id
        rows.append({"text": t.text, "category": t.category, "subject": t.subject_id, "kind": kind,
                     "group": "operator"})
    return rows


class Command(BaseCommand):
    help = "12345 热线分类模型：train（用话务员纠正的工单重新训练）/ evaluate（各类精确率、召回率、F1）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["train", "evaluate"])
        parser.add_argument("--force", action="store_true", help="即使留出集宏平均 F1 下降也启用新模型")

    def handle(self, *args, what: str, force: bool = False, **options):
        if what == "train":
            return self.train(force)
        return self.evaluate()

    def train(self, force: bool) -> None:
        extra = corrections()
        new = classifier.train(extra=extra)
        try:
            old = classifier.load(train_if_missing=False)
            old_f1 = classifier.macro_f1(old) if old.metrics else None
        except FileNotFoundError:
            old_f1 = None
        new_f1 = classifier.macro_f1(new)
        self.stdout.write(f"训练样本 {new.examples}（含话务员纠正 {len(extra)}）；留出集部门宏平均F1 {new_f1:.3f}"
                          + (f"，现用模型 {old_f1:.3f}" if old_f1 is not None else ""))
        if old_f1 is not None and new_f1 < old_f1 and not force:
            raise CommandError("新模型留出集宏平均F1低于现用模型，未启用（--force 可强制启用）")
        path = classifier.save(new)
        self.stdout.write(self.style.SUCCESS(f"已启用新模型：{path}"))

    def evaluate(self) -> None:
        model = classifier.load()
        if not model.metrics:
            model = classifier.train()
            classifier.save(model)
        for head in classifier.HEADS:
            m = model.metrics[head]
            self.stdout.write(f"\n== {head}：留出集（未见过的句式）宏平均F1 {m['macro_f1']:.3f}，"
                              f"准确率 {m['accuracy']:.3f}")
            self.stdout.write(f"{'类别':<24}{'精确率':>8}{'召回率':>8}{'F1':>8}{'样本':>6}")
            for label, c in sorted(m["classes"].items()):
                self.stdout.write(f"{label:<24}{c['precision']:>8.3f}{c['recall']:>8.3f}{c['f1']:>8.3f}"
                                  f"{c['support']:>6}")
