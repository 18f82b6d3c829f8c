"""Execution history: listing with filters, one entry, the last one, annotations."""

from __future__ import annotations

import pytest

from shipyard_neo import BayClient, NotFoundError, Sandbox, ValidationError


async def test_history_filters_and_annotations(sandbox: Sandbox) -> None:
    with pytest.raises(NotFoundError):
        await sandbox.get_last_execution()
    py = await sandbox.python.exec("print(1)", description="first", tags="etl, Good")
    bad = await sandbox.python.exec("1/0")
    sh = await sandbox.shell.exec("echo hi", tags=["shell", "etl"])

    everything = await sandbox.get_execution_history()
    assert everything.total == 3
    assert [e.id for e in everything.entries] == [
        sh.execution_id,
        bad.execution_id,
        py.execution_id,
    ]

    only_python = await sandbox.get_execution_history(exec_type="python")
    assert {e.id for e in only_python.entries} == {py.execution_id, bad.execution_id}
    ok = await sandbox.get_execution_history(success_only=True)
    assert bad.execution_id not in {e.id for e in ok.entries} and ok.total == 2
    tagged = await sandbox.get_execution_history(tags="etl")
    assert {e.id for e in tagged.entries} == {py.execution_id, sh.execution_id}
    described = await sandbox.get_execution_history(has_description=True)
    assert [e.id for e in described.entries] == [py.execution_id]
    page = await sandbox.get_execution_history(limit=1, offset=1)
    assert page.total == 3 and [e.id for e in page.entries] == [bad.execution_id]

    entry = await sandbox.get_execution(py.execution_id)
    assert entry.exec_type == "python" and entry.code == "print(1)" and entry.success
    assert entry.tags == "Good,etl"  # split, trimmed, de-duplicated, sorted
    assert entry.description == "first" and entry.output == "1\n"
    last_shell = await sandbox.get_last_execution(exec_type="shell")
    assert last_shell.id == sh.execution_id

    annotated = await sandbox.annotate_execution(bad.execution_id, notes="divides by zero")
    assert annotated.notes == "divides by zero" and annotated.description is None
    again = await sandbox.annotate_execution(bad.execution_id, tags=["known", "bug"])
    assert again.notes == "divides by zero" and again.tags == "bug,known"
    noted = await sandbox.get_execution_history(has_notes=True)
    assert [e.id for e in noted.entries] == [bad.execution_id]


async def test_history_errors(client: BayClient, sandbox: Sandbox) -> None:
    other = await client.create_sandbox(ttl=120)
    try:
        foreign = await other.shell.exec("true")
        with pytest.raises(NotFoundError):
            await sandbox.get_execution(foreign.execution_id)
    finally:
        await other.delete()
    with pytest.raises(ValidationError) as info:
        await sandbox.get_execution_history(exec_type="cobol")
    assert info.value.status == 422
