"""Steps for migrations that only PostgreSQL needs.

Indexes and planner settings for the national-scale tables exist on PostgreSQL alone; SQLite,
the embedded database of a demo or a small install, scans, which is fast enough at its size.
"""

from collections.abc import Sequence

from django.db import migrations


def postgresql_only(forwards: Sequence[str], backwards: Sequence[str]) -> migrations.RunPython:
    """A migration step running the ``forwards`` statements on PostgreSQL (``backwards`` when
    the migration is reversed), and nothing elsewhere."""

    def run(statements: Sequence[str]):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return step

    return migrations.RunPython(run(tuple(forwards)), run(tuple(backwards)), elidable=False)
