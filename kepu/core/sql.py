"""Statements written once for the few requests a surge repeats thousands of times a minute.

The ORM builds and compiles a query on every call: 0.3–1 ms of CPU per statement on the
2-core reference machine, more than the database spends running it (docs/performance.md).
The hot paths — signing in with an API token, taking a place, recording a check-in — run
statements composed here once per process from the models' own metadata (table and column
names are never spelt out by hand) and turn rows into model instances with ``Model.from_db``.
Everything else uses the ORM. The statements are plain SQL that PostgreSQL and SQLite both
accept (RETURNING included). Where PostgreSQL can do in one statement what takes two (a
data-modifying WITH: a place and its ticket, a check-in and its audit entry, a token read and
the record of its use), the caller runs that on PostgreSQL and the two statements in one
transaction elsewhere; the suite runs on both databases, so both paths are tested.
"""

import datetime
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from functools import cache, cached_property

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import Model


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return quote(model._meta.db_table)


@cache
def field(model: type[Model], attname: str):
    """The concrete field of a model by its attribute name (``user_id``, not ``user``)."""
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def column(model: type[Model], attname: str, alias: str = "") -> str:
    """The quoted column of a field given by its attribute name (``user_id``, not ``user``)."""
    name = quote(field(model, attname).column)
    return f"{alias}.{name}" if alias else name


def columns(model: type[Model], attnames: Iterable[str], alias: str = "") -> str:
    return ", ".join(column(model, a, alias) for a in attnames)


def attnames(model: type[Model]) -> list[str]:
    """Every concrete field of the model, by attribute name, in declaration order."""
    return [f.attname for f in model._meta.concrete_fields]


@contextmanager
def _cursor():
    """Django's cursor, whose statements PostgreSQL prepares when the settings bind parameters
    on the server (KEPU_DB_PREPARED): parsed and planned once per connection, then run with
    the generic plan — half of PostgreSQL's CPU on a sign-up. Only the statements of this
    module are prepared: they look rows up by key, where one plan suits every value. An ORM
    query is planned for its values every time (the driver's threshold for preparing by
    itself is out of reach, see settings): a generic plan for a query that filters by a
    subtree or a campaign tree, chosen after a few runs with small subtrees, made a national
    dashboard 17 times slower. Taken when ``_direct`` is not."""
    with connection.cursor() as cursor:
        raw = connection.connection
        if connection.vendor != "postgresql" or not _server_side_binding():
            yield cursor
            return
        kept, raw.prepare_threshold = raw.prepare_threshold, 0
        try:
            yield cursor
        finally:
            raw.prepare_threshold = kept


def _server_side_binding() -> bool:
    return connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is True


def _direct():
    """The connection's own driver cursor, kept for the connection's life, when a statement
    may skip Django's cursor wrapper: on PostgreSQL with server-side binding, while nobody
    records the queries (tests counting them, DEBUG) or wraps their execution. Django's
    wrapper and a new driver cursor per statement cost a third of what a key lookup costs the
    app server. The checks Django's cursor makes before a statement are made here too (the
    connection's health, a broken transaction), and errors come out as Django's own
    (IntegrityError and the rest), so callers cannot tell the two paths apart. Returns (the
    connection, the cursor), or None: the caller then takes ``_cursor``."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-thread proxy
    if (
        db.vendor != "postgresql"
        or db.queries_logged
        or db.execute_wrappers
        or db.settings_dict["OPTIONS"].get("server_side_binding") is not True
    ):
        return None
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    raw = db.connection
    kept = db.__dict__.get("_kepu_direct")
    if kept is None or kept[0] is not raw or kept[1].closed:
        kept = db._kepu_direct = (raw, raw.cursor())
    return db, kept[1]


@contextmanager
def _run(sql: str, params: Sequence):
    """Run a statement and give its cursor (the driver's own when ``_direct`` allows)."""
    if (direct := _direct()) is not None:
        db, cursor = direct
        with db.wrap_database_errors:
            cursor.execute(sql, params, prepare=True)
            yield cursor
        return
    with _cursor() as cursor:
        cursor.execute(sql, params)
        yield cursor


def fetch_one(sql: str, params: Sequence) -> tuple | None:
    with _run(sql, params) as cursor:
        return cursor.fetchone()


def fetch_all(sql: str, params: Sequence) -> list[tuple]:
    with _run(sql, params) as cursor:
        return cursor.fetchall()


def execute(sql: str, params: Sequence) -> int:
    """Run a statement; the number of rows it changed."""
    with _run(sql, params) as cursor:
        return cursor.rowcount


class Shape:
    """Some columns of a model, to select in a hand-written statement and to read back as a
    model instance exactly as the ORM would build it: the database's converters applied
    (SQLite's datetimes made aware, JSON decoded), fields left out deferred (reading one
    loads it).
    """

    def __init__(self, model: type[Model], fields: Sequence[str], alias: str = ""):
        self.model = model
        # Model.from_db wants the values in the model's field order.
        order = attnames(model)
        self.fields = sorted(fields, key=order.index)
        self.alias = alias
        self._converters: list | None = None

    @property
    def select(self) -> str:
        return columns(self.model, self.fields, self.alias)

    def __len__(self) -> int:
        return len(self.fields)

    def _prepare(self) -> list:
        by_name = {f.attname: f for f in self.model._meta.concrete_fields}
        prepared = []
        for name in self.fields:
            col = by_name[name].get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            prepared.append((col, converters))
        return prepared

    def build(self, values: Sequence) -> Model:
        if self._converters is None:
            self._converters = self._prepare()
        converted = []
        for value, (col, converters) in zip(values, self._converters, strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            converted.append(value)
        return self.model.from_db(DEFAULT_DB_ALIAS, self.fields, converted)


@cache
def _insert_statement(model: type[Model]) -> tuple[list, str]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, (
        f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"RETURNING {quote(model._meta.pk.column)}"
    )


# Field types whose value PostgreSQL's driver takes as the model holds it, when it holds the
# type named here: preparing it through the field (get_db_prep_save) would return it unchanged,
# at a cost a sign-up burst notices (a tenth of the request's CPU). Anything else — another
# field type, a value of another type, a naive datetime, another database — takes the field's
# own preparation.
_TAKEN_AS_IS: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.DateTimeField: (datetime.datetime,),
}


def _as_is_types(field) -> tuple[type, ...]:
    if field.is_relation and field.many_to_one:
        return (int,) if type(field.target_field) in _INTEGER_KEYS else ()
    return _TAKEN_AS_IS.get(type(field), ())


_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField)


@cache
def _as_is(field_) -> tuple[type, ...]:
    return _as_is_types(field_)


def prep_value(field_, value):
    """``value`` as ``save()`` would send it to the database for ``field_`` (taken as it is
    where PostgreSQL's driver needs no preparation, see _TAKEN_AS_IS)."""
    if connection.vendor == "postgresql" and (
        value is None
        or (
            type(value) in _as_is(field_)
            and (not isinstance(value, datetime.datetime) or value.tzinfo is not None)
        )
    ):
        return value
    return field_.get_db_prep_save(value, connection)


def _insert_values(obj: Model, fields: list) -> list:
    return [prep_value(f, f.pre_save(obj, True)) for f in fields]


def _inserted(obj: Model, pk) -> Model:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS
    return obj


def insert(obj: Model) -> Model:
    """INSERT a new instance as ``save(force_insert=True)`` would (defaults and auto_now
    applied, no signals: kepu connects none to the models it inserts here) and set its key."""
    fields, statement = _insert_statement(type(obj))
    row = fetch_one(statement, _insert_values(obj, fields))
    return _inserted(obj, row[0])


class InsertFrom:
    """``INSERT INTO <model> (...) SELECT <values> [FROM <source>] RETURNING <pk>``, to write a
    new instance in the same statement as what it depends on (a PostgreSQL data-modifying
    WITH). The values are cast to their columns' types, as a SELECT list gives PostgreSQL no
    column to infer them from; ``computed`` gives SQL for columns taken from the source
    instead of from the instance (e.g. the key of a row inserted by the same statement)."""

    def __init__(self, model: type[Model], source: str = "", computed: dict | None = None):
        self.model, self.source, self.computed = model, source, computed or {}

    @cached_property
    def _fields(self) -> list:
        return [f for f in self.model._meta.concrete_fields if not f.primary_key]

    @cached_property
    def _bound(self) -> list:
        return [f for f in self._fields if f.attname not in self.computed]

    @property
    def sql(self) -> str:
        select = ", ".join(
            self.computed.get(f.attname) or f"CAST(%s AS {f.db_type(connection)})"
            for f in self._fields
        )
        source = f" FROM {self.source}" if self.source else ""
        return (
            f"INSERT INTO {table(self.model)} "
            f"({', '.join(quote(f.column) for f in self._fields)}) "
            f"SELECT {select}{source} RETURNING {quote(self.model._meta.pk.column)}"
        )

    def values(self, obj: Model) -> list:
        """The parameters for the instance's own columns, in the statement's order."""
        return _insert_values(obj, self._bound)

    def inserted(self, obj: Model, pk) -> Model:
        return _inserted(obj, pk)
