"""Other apps' layers on the community map (mapping/layers.py)."""

import pytest

from squaremile.mapping import layers

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_layer():
    layers.register_layer(
        layers.MapLayer(key="test-things", label="Things <b>here</b>", url=lambda: "/things/layer/", colour="#123456")
    )
    yield
    layers._layers.pop("test-things")


def test_the_map_page_offers_a_switch_per_layer_and_keeps_the_chosen_ones_on(client, a_layer):
    page = client.get("/map/").content.decode()
    assert 'id="cm-layers"' in page and 'value="test-things"' in page and "js/maplayers.js" in page
    assert "Things &lt;b&gt;here&lt;/b&gt;" in page and "<b>here</b>" not in page
    switch = (
        'value="test-things" data-url="/things/layer/" data-colour="#123456" '
        'data-label="Things &lt;b&gt;here&lt;/b&gt;"'
    )
    assert switch + ">" in page
    chosen = client.get("/map/?layers=test-things,nothing")
    assert chosen.status_code == 200
    assert switch + " checked>" in chosen.content.decode()


def test_without_layers_the_map_page_loads_no_layer_script(client, monkeypatch):
    monkeypatch.setattr(layers, "_layers", {})  # the apps above register theirs at start (stories, exchange...)
    assert "js/maplayers.js" not in client.get("/map/").content.decode()


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-1.5,53.7,-1.4,53.8", (-1.5, 53.7, -1.4, 53.8)),
        ("", None),
        ("1,2,3", None),
        ("a,b,c,d", None),
        ("-1,54,1,53", None),
        ("-200,0,0,1", None),
        ("nan,0,0,1", None),
    ],
)
def test_a_bbox_is_read_or_refused(value, expected):
    assert layers.parse_bbox(value) == expected


def test_a_layer_answer_is_capped_and_says_so():
    features = [
        layers.feature(lat=1, lng=2, title="t", url="/x/", kind="Thing") for _ in range(layers.MAX_FEATURES + 3)
    ]
    import json

    body = json.loads(layers.layer_response(features).content)
    assert len(body["features"]) == layers.MAX_FEATURES and body["truncated"] is True
    assert body["features"][0]["geometry"]["coordinates"] == [2.0, 1.0]
    assert layers.bad_bbox().status_code == 400
