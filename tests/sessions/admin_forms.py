"""What the session admin's change form posts, for the tests that save a session through it."""

from tests.factories import MOSCOW


def change_url(session):
    return f"/admin/forum_sessions/session/{session.pk}/change/"


def inline_rows(prefix, rows, initial=0):
    """The management form and rows of one inline formset, as the browser posts them."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def session_form(session, participations=(), organisers=(), materials=(), **changes):
    """What the change form posts for this session, with inline rows and changed fields."""
    start = session.starts_at.astimezone(MOSCOW)
    end = session.ends_at.astimezone(MOSCOW)
    data = {
        "forum": str(session.forum_id),
        "title": session.title,
        "slug": session.slug,
        "format": session.format,
        "starts_at_0": f"{start:%Y-%m-%d}",
        "starts_at_1": f"{start:%H:%M:%S}",
        "ends_at_0": f"{end:%Y-%m-%d}",
        "ends_at_1": f"{end:%H:%M:%S}",
        "room": session.room,
        "summary": session.summary,
        "proposals_deadline_0": "",
        "proposals_deadline_1": "",
        "_save": "Save",
    }
    if session.is_published:
        data["is_published"] = "on"
    if session.accepts_proposals:
        data["accepts_proposals"] = "on"
    existing_materials = [
        {"id": str(m.pk), "session": str(session.pk), "order": str(m.order), "title": m.title,
         "kind": m.kind, "url": m.url}
        for m in session.materials.all()
    ]  # fmt: skip
    data |= inline_rows("participations", list(participations))
    data |= inline_rows("organisers", list(organisers))
    data |= inline_rows(
        "materials", existing_materials + list(materials), initial=len(existing_materials)
    )
    data |= changes
    return data
