"""core.signed.read_signed: the data of a good link, expired told apart, anything else refused."""

import time

from django.core import signing

from squaremile.core.signed import read_signed


def test_good_expired_and_foreign_tokens():
    token = signing.dumps({"r": 1}, salt="test.signed")
    assert read_signed(token, salt="test.signed", max_age_seconds=60) == ({"r": 1}, False)
    time.sleep(1.1)
    assert read_signed(token, salt="test.signed", max_age_seconds=1) == ({"r": 1}, True)
    assert read_signed(token, salt="another.salt", max_age_seconds=60) == (None, False)
    assert read_signed(token[:-2] + "xx", salt="test.signed", max_age_seconds=60) == (None, False)
    assert read_signed("", salt="test.signed", max_age_seconds=60) == (None, False)
