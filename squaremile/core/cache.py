"""The database cache used in production when no CACHE_URL (Redis) is set: Django's own, with an
``incr`` that is atomic and keeps the key's expiry (Django's default re-sets the value with the
default timeout, and two processes can read the same count), so that rate-limit counts shared by
several processes stay exact. Its table is made by ``migrate`` (core/signals.py)."""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, cache_key = quote_name(self._table), quote_name("cache_key")
        # The row is locked (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction takes the write
        # lock at BEGIN) from the read to the write, so concurrent increments queue.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('value')}, {quote_name('expires')} FROM {table} WHERE {cache_key} = %s{lock}",  # noqa: S608 - quoted names
                [key],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value, expires = row
            expression = models.Expression(output_field=models.DateTimeField())
            for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
                expires = converter(expires, expression, connection)
            if expires < tz_now():
                raise ValueError(f"Key '{key}' not found")
            new_value = (
                pickle.loads(  # noqa: S301 - our own values, as Django's DatabaseCache reads them
                    base64.b64decode(connection.ops.process_clob(value).encode())
                )
                + delta
            )
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {cache_key} = %s",  # noqa: S608 - quoted names
                [encoded, key],
            )
        return new_value
