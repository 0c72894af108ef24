"""Open project tasks past their deadline, per assignee and per project.

"Open" uses the task `state` of Odoo 17+ (done and cancelled tasks are closed); archived
tasks are hidden by Odoo's default active filter. Deadlines are UTC datetimes in 17+, so a
task is overdue once its deadline lies before the start of `as_of`.
"""

from collections import Counter
from datetime import date

from .base import PAGE_SIZE, AnalyzerResult, FindingData, many2one_id, many2one_name, odoo_datetime, read_by_ids
from .models import FindingKind, Severity
from .odoo_text import shown_name

CLOSED_TASK_STATES = ["1_done", "1_canceled"]
TASK_FIELDS = ["name", "project_id", "user_ids", "date_deadline", "stage_id", "state", "priority", "parent_id"]


def analyze(odoo, *, as_of: date, page_size: int = PAGE_SIZE) -> AnalyzerResult:
    domain = [("date_deadline", "!=", False), ("date_deadline", "<", f"{as_of.isoformat()} 00:00:00"),
              ("state", "not in", CLOSED_TASK_STATES)]
    tasks = list(odoo.iter_search_read("project.task", domain, TASK_FIELDS, page_size=page_size))
    users = read_by_ids(odoo, "res.users", {uid for task in tasks for uid in task["user_ids"]}, ["name"],
                        page_size=page_size)
    per_user, per_project = Counter(), Counter()
    findings = []
    for task in tasks:
        assignees = [users[uid]["name"] for uid in task["user_ids"] if uid in users]
        for name in assignees or ["(unassigned)"]:
            per_user[name] += 1
        project = many2one_name(task["project_id"]) or "(no project)"
        per_project[project] += 1
        findings.append(_overdue_finding(task, as_of, assignees, project))
    metrics = {
        "overdue_tasks": len(tasks),
        "overdue_by_user": dict(sorted(per_user.items())),
        "overdue_by_project": dict(sorted(per_project.items())),
    }
    return AnalyzerResult(metrics=metrics, findings=findings)


def _overdue_finding(task: dict, as_of: date, assignees: list[str], project: str) -> FindingData:
    deadline = odoo_datetime(task["date_deadline"])
    days = (as_of - deadline.date()).days
    severity = Severity.LOW if days < 7 else Severity.MEDIUM if days < 30 else Severity.HIGH
    project_id = many2one_id(task["project_id"])
    facts = {"task_id": task["id"], "name": task["name"], "project": project, "project_id": project_id,
             "assignee_ids": list(task["user_ids"]), "assignees": assignees, "deadline": task["date_deadline"],
             "days_overdue": days, "state": task["state"], "stage": many2one_name(task["stage_id"]),
             "priority": task["priority"]}
    name = shown_name(facts, task["name"], field="task name", model="project.task", record_id=task["id"],
                      fallback=f"task #{task['id']}")
    project = shown_name(facts, project, field="project name", model="project.project", record_id=project_id,
                         fallback=f"project #{project_id}") if project_id else project
    return FindingData(
        kind=FindingKind.TASK_OVERDUE,
        severity=severity,
        title=f"Task “{name}” ({project}) is {days} days past its deadline",
        fingerprint=f"task_overdue:project.task:{task['id']}",
        target_model="project.task",
        target_id=task["id"],
        facts=facts,
    )


def staff_project(odoo) -> dict | None:
    """Where AIOM proposes staff tasks: the first internal project (no customer), else the
    oldest active project; None when the database has no project at all."""
    projects = odoo.search_read("project.project", [], ["name", "partner_id"], order="id asc", limit=50)
    internal = [project for project in projects if not project["partner_id"]]
    chosen = (internal or projects or [None])[0]
    return {"id": chosen["id"], "name": chosen["name"]} if chosen else None
